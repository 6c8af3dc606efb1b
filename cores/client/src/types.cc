#include "lapwise/client/types.h"

namespace lapwise::client {

std::string_view to_string(error_kind kind) noexcept {
  switch (kind) {
    case error_kind::connect:
      return "connect";
    case error_kind::timeout:
      return "timeout";
    case error_kind::reset:
      return "reset";
    case error_kind::tls:
      return "tls";
    case error_kind::redirects:
      return "redirects";
    case error_kind::protocol:
      return "protocol";
    case error_kind::too_large:
      return "too_large";
    case error_kind::cancelled:
      return "cancelled";
    case error_kind::other:
      return "other";
  }
  return "other";
}

std::string_view to_string(http_version version) noexcept {
  switch (version) {
    case http_version::v1_0:
      return "1.0";
    case http_version::v1_1:
      return "1.1";
    case http_version::v2:
      return "2";
    case http_version::v3:
      return "3";
    case http_version::unknown:
      return "";
  }
  return "";
}

}  // namespace lapwise::client

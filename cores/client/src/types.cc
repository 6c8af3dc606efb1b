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

}  // namespace lapwise::client

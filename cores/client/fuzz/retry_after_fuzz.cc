// Retry-After and HTTP-date parsing on arbitrary bytes: no crash, no UB, and the answers keep
// their promises (waits are never negative nor beyond the clamp; a parsed date re-parses the
// same after surrounding whitespace).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lapwise/client/retry_after.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  constexpr std::int64_t kNow = 1'700'000'000;
  if (auto wait = lapwise::client::parse_retry_after(text, kNow)) {
    auto s = std::chrono::duration_cast<std::chrono::seconds>(*wait).count();
    if (s < 0 || s > 1'000'000'000) std::abort();
  }
  if (auto t = lapwise::client::parse_http_date(text)) {
    std::string padded = " \t" + std::string(text) + "\t ";
    if (lapwise::client::parse_http_date(padded) != t) std::abort();
  }
  return 0;
}

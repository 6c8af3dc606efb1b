// Non-template parts of the JSON reader: the number grammar check and buffer management.
#include "lapwise/parser/json_reader.h"

#include <new>

#include "lapwise/common/inject.h"

namespace lapwise::parser::json {

bool is_json_number(std::string_view text, bool* is_integer) noexcept {
  const char* p = text.data();
  const char* const end = p + text.size();
  auto digit = [&](const char* q) { return q < end && *q >= '0' && *q <= '9'; };
  if (p < end && *p == '-') ++p;
  if (!digit(p)) return false;
  if (*p == '0') {
    ++p;
  } else {
    while (digit(p)) ++p;
  }
  bool integer = true;
  if (p < end && *p == '.') {
    ++p;
    if (!digit(p)) return false;
    while (digit(p)) ++p;
    integer = false;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    if (p < end && (*p == '+' || *p == '-')) ++p;
    if (!digit(p)) return false;
    while (digit(p)) ++p;
    integer = false;
  }
  if (p != end) return false;
  *is_integer = integer;
  return true;
}

bool reader::prepare(std::string_view text) noexcept {
  const std::size_t n = text.size();
  // The gates' injected-slowdown self-test (inject.h; nothing in a normal build). A parse with
  // its event walk costs about 8 instructions per byte, i.e. ~2.5 units, hence 2 per byte.
  LAPWISE_INJECT_WORK(n * 2 + 16);
  if (n > capacity_ || !buffer_) {
    std::size_t cap = capacity_ < 4096 ? 4096 : capacity_;
    while (cap < n) cap *= 2;
    buffer_.reset(new (std::nothrow) char[cap + simdjson::SIMDJSON_PADDING]);
    capacity_ = buffer_ ? cap : 0;
    if (!buffer_) return false;
  }
  // The DOM parser's capacity and depth are set here so that parse() never reallocates with
  // simdjson's default depth.
  if (dom_.capacity() < n || dom_.max_depth() != max_depth_) {
    if (dom_.allocate(n < 4096 ? 4096 : n, max_depth_) != simdjson::SUCCESS) return false;
  }
  std::memcpy(buffer_.get(), text.data(), n);
  std::memset(buffer_.get() + n, 0, simdjson::SIMDJSON_PADDING);
  return true;
}

}  // namespace lapwise::parser::json

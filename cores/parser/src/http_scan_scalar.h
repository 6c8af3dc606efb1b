// The scalar byte scans (see http_head_impl.h for the contract of a Scan policy). Header-only so
// that the vector scanners inline it for their tails.
#pragma once

#include "http_chars.h"

namespace lapwise::parser::detail {

template <const byte_table& Table>
inline const char* scan_while(const char* p, const char* end) noexcept {
  while (end - p >= 4) {
    if (!in(Table, p[0])) return p;
    if (!in(Table, p[1])) return p + 1;
    if (!in(Table, p[2])) return p + 2;
    if (!in(Table, p[3])) return p + 3;
    p += 4;
  }
  while (p != end && in(Table, *p)) ++p;
  return p;
}

struct scalar_scan {
  static const char* value_end(const char* p, const char* end) noexcept {
    return scan_while<value_table>(p, end);
  }
  static const char* name_end(const char* p, const char* end) noexcept {
    return scan_while<token_table>(p, end);
  }
  static const char* target_end(const char* p, const char* end) noexcept {
    return scan_while<target_table>(p, end);
  }
};

}  // namespace lapwise::parser::detail

// The scalar byte scans (see http_head_impl.h for the contract of a Scan policy). Header-only so
// that the vector scanners inline it for their tails.
#pragma once

#include <cstdint>
#include <cstring>

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

// Field values 8 bytes at a time (SWAR). In a little-endian word, the lowest flagged byte of
// (v - 0x20..) & ~v & 0x80.. is the first byte below 0x20 (a borrow only runs upwards, from a
// byte already flagged), and likewise for the zero bytes of v ^ 0x7F.. (DEL). HTAB is the one
// byte below 0x20 allowed: it resumes the scan just after it.
inline const char* value_end_swar(const char* p, const char* end) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ull;
  constexpr std::uint64_t high = 0x8080808080808080ull;
  while (end - p >= 8) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    std::uint64_t del = v ^ (0x7f * ones);
    std::uint64_t m = (((v - 0x20 * ones) & ~v) | ((del - ones) & ~del)) & high;
    if (m == 0) {
      p += 8;
      continue;
    }
    const char* c = p + __builtin_ctzll(m) / 8;
    if (*c != '\t') return c;
    p = c + 1;
  }
  return scan_while<field_value_table>(p, end);
}

struct scalar_scan {
  static const char* value_end(const char* p, const char* end) noexcept {
    return value_end_swar(p, end);
  }
  static const char* name_end(const char* p, const char* end) noexcept {
    return scan_while<tchar_table>(p, end);
  }
  static const char* target_end(const char* p, const char* end) noexcept {
    return scan_while<target_table>(p, end);
  }
};

}  // namespace lapwise::parser::detail

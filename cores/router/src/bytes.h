// Internal: the two byte operations on the lookup hot path, inlined. Route prefixes, methods
// and segments are short (a few to a few dozen bytes), where a libc call and its length
// dispatch cost more than the comparison itself.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace lapwise::router::detail {

inline std::uint64_t load8(const char* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline std::uint32_t load4(const char* p) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline std::uint16_t load2(const char* p) noexcept {
  std::uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

// a[0, n) == b[0, n). Tails are compared with overlapping loads, so there is no byte loop.
inline bool equal_bytes(const char* a, const char* b, std::size_t n) noexcept {
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      if (load8(a + i) != load8(b + i)) return false;
    }
    return load8(a + n - 8) == load8(b + n - 8);
  }
  if (n >= 4) return load4(a) == load4(b) && load4(a + n - 4) == load4(b + n - 4);
  if (n >= 2) return load2(a) == load2(b) && load2(a + n - 2) == load2(b + n - 2);
  return n == 0 || *a == *b;
}

// Index of the first '/' in p[0, n), or n. Eight bytes at a time (SWAR zero-byte test on
// the bytes XOR '/'); the first set bit is the first match, so false positives from the
// borrow chain above it do not matter.
inline std::size_t find_slash(const char* p, std::size_t n) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  constexpr std::uint64_t slashes = ones * '/';
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t v = load8(p + i) ^ slashes;
    std::uint64_t hit = (v - ones) & ~v & highs;
    if (hit) return i + static_cast<std::size_t>(std::countr_zero(hit)) / 8;
  }
  for (; i < n; ++i) {
    if (p[i] == '/') return i;
  }
  return n;
}

}  // namespace lapwise::router::detail

// Percent-decoding and UTF-8 repair. Scalar on purpose: query components are short, and the
// ASCII fast path in utf8_valid() covers the long inputs.
#include "lapwise/parser/percent.h"

#include <array>
#include <cstdint>
#include <cstring>

namespace lapwise::parser {
namespace detail {

// 0..15 for hex digits, 0xFF otherwise.
constexpr std::array<std::uint8_t, 256> make_hex_table() {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) v = 0xFF;
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<std::uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<std::uint8_t>(c - 'a' + 10);
  for (int c = 'A'; c <= 'F'; ++c) t[c] = static_cast<std::uint8_t>(c - 'A' + 10);
  return t;
}
constexpr auto hex_value = make_hex_table();

// Length of the valid UTF-8 sequence starting at p (1..4), or 0 if invalid. When invalid,
// *subpart receives the length of the maximal subpart (>= 1) that Python replaces with one
// U+FFFD: the lead byte plus the continuation bytes that were still acceptable.
inline std::size_t utf8_sequence(const unsigned char* p, const unsigned char* end,
                                 std::size_t* subpart) noexcept {
  const unsigned char c = p[0];
  std::size_t need;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    *subpart = 1;  // C0, C1, F5..FF, or a stray continuation byte
    return 0;
  }
  std::size_t i = 1;
  for (; i < need; ++i) {
    if (p + i >= end) break;
    const unsigned char b = p[i];
    const unsigned char l = i == 1 ? lo : 0x80;
    const unsigned char h = i == 1 ? hi : 0xBF;
    if (b < l || b > h) break;
  }
  if (i == need) return need;
  *subpart = i;
  return 0;
}

inline bool all_ascii8(const unsigned char* p) noexcept {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return (w & 0x8080808080808080ULL) == 0;
}

}  // namespace detail

bool needs_percent_decode(std::string_view in, bool plus_as_space) noexcept {
  if (in.empty()) return false;  // data() may be null, which memchr must not see
  if (std::memchr(in.data(), '%', in.size()) != nullptr) return true;
  return plus_as_space && std::memchr(in.data(), '+', in.size()) != nullptr;
}

std::size_t percent_decode(std::string_view in, char* out, bool plus_as_space) noexcept {
  const char* p = in.data();
  const char* const end = p + in.size();
  char* o = out;
  while (p < end) {
    const char c = *p;
    if (c == '%' && end - p >= 3) {
      const std::uint8_t h = detail::hex_value[static_cast<unsigned char>(p[1])];
      const std::uint8_t l = detail::hex_value[static_cast<unsigned char>(p[2])];
      if ((h | l) != 0xFF && h < 16 && l < 16) {
        *o++ = static_cast<char>((h << 4) | l);
        p += 3;
        continue;
      }
    }
    *o++ = (plus_as_space && c == '+') ? ' ' : c;
    ++p;
  }
  return static_cast<std::size_t>(o - out);
}

bool utf8_valid(std::string_view in) noexcept {
  auto p = reinterpret_cast<const unsigned char*>(in.data());
  const auto end = p + in.size();
  while (p < end) {
    if (end - p >= 8 && detail::all_ascii8(p)) {
      p += 8;
      continue;
    }
    std::size_t sub = 0;
    const std::size_t n = detail::utf8_sequence(p, end, &sub);
    if (n == 0) return false;
    p += n;
  }
  return true;
}

std::size_t utf8_replace(std::string_view in, char* out) noexcept {
  auto p = reinterpret_cast<const unsigned char*>(in.data());
  const auto end = p + in.size();
  char* o = out;
  while (p < end) {
    std::size_t sub = 0;
    const std::size_t n = detail::utf8_sequence(p, end, &sub);
    if (n != 0) {
      std::memcpy(o, p, n);
      o += n;
      p += n;
    } else {
      *o++ = static_cast<char>(0xEF);
      *o++ = static_cast<char>(0xBF);
      *o++ = static_cast<char>(0xBD);
      p += sub;
    }
  }
  return static_cast<std::size_t>(o - out);
}

}  // namespace lapwise::parser

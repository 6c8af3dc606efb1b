// Byte classes of RFC 9110/9112 as 256-entry tables: one load per byte in the scalar paths.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace lapwise::parser::detail {

using byte_table = std::array<bool, 256>;

template <class Pred>
constexpr byte_table make_table(Pred pred) {
  byte_table t{};
  for (int c = 0; c < 256; ++c) t[c] = pred(static_cast<unsigned char>(c));
  return t;
}

constexpr bool is_alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
constexpr bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

// tchar (RFC 9110 §5.6.2): methods, field names, codings, chunk-ext names.
inline constexpr byte_table token_table = make_table([](unsigned char c) {
  if (is_alpha(c) || is_digit(c)) return true;
  for (char s : std::string_view("!#$%&'*+-.^_`|~")) {
    if (c == static_cast<unsigned char>(s)) return true;
  }
  return false;
});

// field-vchar / SP / HTAB / obs-text (RFC 9110 §5.5): everything but CTLs (HTAB allowed) and DEL.
inline constexpr byte_table value_table =
    make_table([](unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); });

// Request-target bytes: visible ASCII only (RFC 3986 characters are a subset), without '#'
// (a fragment is never part of a request-target).
inline constexpr byte_table target_table =
    make_table([](unsigned char c) { return c >= 0x21 && c <= 0x7e && c != '#'; });

// uri-host [":" port] (RFC 3986 reg-name, IP-literal, IPv4): unreserved, pct, sub-delims, ':[]'.
inline constexpr byte_table host_table = make_table([](unsigned char c) {
  if (is_alpha(c) || is_digit(c)) return true;
  for (char s : std::string_view("-._~%!$&'()*+,;=:[]")) {
    if (c == static_cast<unsigned char>(s)) return true;
  }
  return false;
});

// tchar as two 16-entry nibble tables for PSHUFB: byte c is a tchar iff
// (token_lo_nibble[c & 15] & token_hi_nibble[c >> 4]) != 0. Bit h of token_lo_nibble[l] says
// whether h*16+l is a tchar (h < 8; no byte >= 0x80 is one).
inline constexpr std::array<std::uint8_t, 16> token_lo_nibble = [] {
  std::array<std::uint8_t, 16> t{};
  for (int lo = 0; lo < 16; ++lo) {
    for (int hi = 0; hi < 8; ++hi) {
      if (token_table[hi * 16 + lo]) t[lo] = static_cast<std::uint8_t>(t[lo] | (1u << hi));
    }
  }
  return t;
}();
inline constexpr std::array<std::uint8_t, 16> token_hi_nibble = {1, 2, 4, 8, 16, 32, 64, 128};

inline bool in(const byte_table& t, char c) { return t[static_cast<unsigned char>(c)]; }

}  // namespace lapwise::parser::detail

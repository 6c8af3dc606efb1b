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

inline bool in(const byte_table& t, char c) { return t[static_cast<unsigned char>(c)]; }

}  // namespace lapwise::parser::detail

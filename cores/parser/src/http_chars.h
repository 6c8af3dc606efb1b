// Byte classes of RFC 9110/9112 as 256-entry tables: one load per byte in the scalar paths.
// Token and field-value bytes come from lapwise/common/http_token.h, shared with every core and
// tool that writes HTTP; the classes only the parser needs are defined here.
#pragma once

#include <string_view>

#include "lapwise/common/http_token.h"

namespace lapwise::parser::detail {

using common::byte_table;
using common::field_value_table;
using common::make_byte_table;
using common::tchar_table;

constexpr bool is_alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
constexpr bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

// Request-target bytes: visible ASCII only (RFC 3986 characters are a subset), without '#'
// (a fragment is never part of a request-target).
inline constexpr byte_table target_table =
    make_byte_table([](unsigned char c) { return c >= 0x21 && c <= 0x7e && c != '#'; });

// uri-host [":" port] (RFC 3986 reg-name, IP-literal, IPv4): unreserved, pct, sub-delims, ':[]'.
inline constexpr byte_table host_table = make_byte_table([](unsigned char c) {
  if (is_alpha(c) || is_digit(c)) return true;
  for (char s : std::string_view("-._~%!$&'()*+,;=:[]")) {
    if (c == static_cast<unsigned char>(s)) return true;
  }
  return false;
});

inline bool in(const byte_table& t, char c) { return t[static_cast<unsigned char>(c)]; }

}  // namespace lapwise::parser::detail

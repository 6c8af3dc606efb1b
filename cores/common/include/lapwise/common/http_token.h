// RFC 9110 token and field-value bytes: the one definition every core and tool checks against,
// so that what the client or the load generator sends is exactly what the parser accepts.
// Byte classes are 256-entry constexpr tables: one load per byte, the same code as a hand-written
// table in a hot loop, and usable as template arguments by vector scanners that derive their
// own tables from them.
#pragma once

#include <array>
#include <string_view>

namespace lapwise::common {

using byte_table = std::array<bool, 256>;

template <class Pred>
constexpr byte_table make_byte_table(Pred pred) {
  byte_table t{};
  for (int c = 0; c < 256; ++c) t[c] = pred(static_cast<unsigned char>(c));
  return t;
}

// tchar (RFC 9110 §5.6.2): ALPHA, DIGIT and !#$%&'*+-.^_`|~. Methods, field names, transfer
// codings and chunk-extension names are tokens (1*tchar).
inline constexpr byte_table tchar_table = make_byte_table([](unsigned char c) {
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  if (c >= '0' && c <= '9') return true;
  for (char s : std::string_view("!#$%&'*+-.^_`|~")) {
    if (c == static_cast<unsigned char>(s)) return true;
  }
  return false;
});

// Bytes of a field-value (RFC 9110 §5.5): field-vchar (VCHAR / obs-text), SP and HTAB; that is
// every byte but the CTLs other than HTAB, and DEL.
inline constexpr byte_table field_value_table =
    make_byte_table([](unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); });

constexpr bool is_tchar(char c) noexcept { return tchar_table[static_cast<unsigned char>(c)]; }

constexpr bool is_field_value_byte(char c) noexcept {
  return field_value_table[static_cast<unsigned char>(c)];
}

// A token: one or more tchar.
constexpr bool is_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

// Every byte a field-value byte (empty is a valid value). Surrounding whitespace is allowed
// here; trimming it is the caller's business.
constexpr bool is_field_value(std::string_view s) noexcept {
  for (char c : s) {
    if (!is_field_value_byte(c)) return false;
  }
  return true;
}

// CR, LF or NUL: the bytes RFC 9110 §5.5 calls dangerous (a recipient must reject or replace
// them; they split or end a header line). Code that passes values through from a user, or reads
// them robustly from a peer, refuses these and may keep the other CTLs the RFC lets recipients
// retain.
constexpr bool contains_cr_lf_nul(std::string_view s) noexcept {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return true;
  }
  return false;
}

}  // namespace lapwise::common

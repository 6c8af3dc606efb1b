// lapwise::parser — percent-decoding (RFC 3986 §2.1) and UTF-8 repair.
//
// Contract:
// - "%XY" with two hex digits (either case) decodes to the byte 0xXY. Any other '%' (not
//   followed by two hex digits: "%zz", "%4", a trailing "%") is kept literally, byte for byte.
//   This is urllib.parse.unquote's rule; nothing is rejected.
// - plus_as_space: application/x-www-form-urlencoded turns '+' into ' ' (before decoding, so
//   "%2B" stays '+'). Paths do not: use percent_decode_path().
// - Decoding never grows the text: `out` needs in.size() bytes. `out` may equal `in.data()`
//   (in-place decoding is allowed: the write position never passes the read position).
// - Decoded bytes may be any bytes. utf8_valid() checks them; utf8_replace() repairs them the
//   way Python's bytes.decode("utf-8", errors="replace") does: each maximal invalid subpart
//   (Unicode 15, §3.9 "U+FFFD substitution of maximal subparts") becomes one U+FFFD (EF BF BD).
//   Overlongs, surrogates (ED A0..BF) and code points above U+10FFFF are invalid.
//   Repair can grow the text up to 3x: `out` needs 3 * in.size() bytes.
// - No function allocates, throws or reads outside its input.
#pragma once

#include <cstddef>
#include <string_view>

namespace lapwise::parser {

// True when percent_decode(in, ..., plus_as_space) would change `in` (a '%' or, for forms, a
// '+' is present). Lets callers hand out views into the input when nothing needs decoding.
[[nodiscard]] bool needs_percent_decode(std::string_view in, bool plus_as_space) noexcept;

// Decodes `in` into `out` (capacity >= in.size(); may alias in.data()). Returns the number of
// bytes written. Invalid escapes are copied literally (see the contract above).
std::size_t percent_decode(std::string_view in, char* out, bool plus_as_space) noexcept;

// Percent-decoding for URL paths: no '+' rule ('+' is a literal plus in a path). Returns bytes
// written to `out` (capacity >= in.size()). The result is raw bytes: "%2F" gives '/', "%00" a
// NUL; whether such bytes are acceptable is the caller's (server's) decision.
inline std::size_t percent_decode_path(std::string_view in, char* out) noexcept {
  return percent_decode(in, out, /*plus_as_space=*/false);
}

// True when `in` is well-formed UTF-8 (no overlongs, surrogates or values above U+10FFFF).
[[nodiscard]] bool utf8_valid(std::string_view in) noexcept;

// Copies `in` to `out` (capacity >= 3 * in.size(); must not overlap `in`), replacing each
// maximal invalid subpart with U+FFFD like Python's errors="replace". Returns bytes written.
std::size_t utf8_replace(std::string_view in, char* out) noexcept;

}  // namespace lapwise::parser

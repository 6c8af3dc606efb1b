// lapwise::parser::json — number formatting exactly as Python's json.dumps writes numbers.
//
// Contract:
// - format_double(v) writes repr(v) for a finite double: the shortest digit string that reads
//   back as v (std::to_chars), laid out by Python's float_repr rules: fixed notation when the
//   decimal exponent e of d.ddd x 10^e is in [-4, 16) and always with a '.' ("1.0", "0.0001",
//   "1234567890123456.0"); otherwise d[.ddd]e<sign><at least two digits> ("1e+16", "1e-05",
//   "1.7976931348623157e+308", "5e-324"). -0.0 is "-0.0". NaN and infinities are the caller's
//   business (json.dumps writes NaN, Infinity, -Infinity; see json_writer.h).
// - format_int64/format_uint64 write plain decimal digits ('-' for negatives).
// - `out` needs max_number_chars bytes (format_double may write scratch bytes past the
//   result within them). Nothing allocates or throws.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lapwise::parser::json {

inline constexpr std::size_t max_number_chars = 40;

// Writes repr(v) (finite v only) to `out`; returns the number of bytes written.
std::size_t format_double(double v, char* out) noexcept;

// Decimal digits of v; returns the number of bytes written (at most 20).
std::size_t format_int64(std::int64_t v, char* out) noexcept;
std::size_t format_uint64(std::uint64_t v, char* out) noexcept;

}  // namespace lapwise::parser::json

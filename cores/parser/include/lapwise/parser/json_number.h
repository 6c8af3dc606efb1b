// lapwise::parser::json — number formatting for lapwise's JSON writer.
//
// Contract:
// - format_double(v) writes the shortest digit string that reads back as v (and of those the
//   closest to v), for a finite double. The layout is Python's repr(v) except for how an
//   exponent is spelled, which follows orjson (and the shared round-trip files):
//   - fixed notation when the decimal exponent e of d.ddd x 10^e is in [-4, 16), always with
//     a '.', exactly as repr: "1.0", "0.0001", "1234567890123456.0", "-0.0";
//   - otherwise d[.ddd]e[-]<digits>: no '+' and no leading zeros in the exponent: "1e16",
//     "1e-5", "1.2345e-7", "1.7976931348623157e308", "5e-324" (repr writes "1e+16",
//     "1e-05", "1.2345e-07", "1.7976931348623157e+308", "5e-324").
//   So the output differs from repr only in exponent spelling, and every value parses back
//   (float(), strtod, any JSON reader) to the identical double. NaN and infinities are the
//   caller's business (see json_writer.h).
// - format_int64/format_uint64 write plain decimal digits ('-' for negatives).
// - `out` needs max_number_chars bytes (format_double may write scratch bytes past the
//   result within them). Nothing allocates or throws.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lapwise::parser::json {

inline constexpr std::size_t max_number_chars = 40;

// Writes the shortest round-trip text of v (finite v only, layout above) to `out`; returns
// the number of bytes written.
std::size_t format_double(double v, char* out) noexcept;

// Decimal digits of v; returns the number of bytes written (at most 20).
std::size_t format_int64(std::int64_t v, char* out) noexcept;
std::size_t format_uint64(std::uint64_t v, char* out) noexcept;

}  // namespace lapwise::parser::json

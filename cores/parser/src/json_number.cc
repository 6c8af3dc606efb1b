// Number formatting: shortest round-trip doubles, integers.
//
// Doubles: the shortest decimal that reads back as v (and of those, the closest to v; ties to
// even digits) is found with Raffaello Giulietti's Schubfach method ("The Schubfach way to
// render doubles", 2020), implemented here from the paper: one 64x128-bit product per interval
// bound against a table of 126-bit powers of ten (json_pow10.inc, generated exactly by
// json_pow10_gen.py). This is the same digit string std::to_chars produces (the tests compare
// them on millions of values), at about half its cost, which matters for float-heavy
// documents. The digits are then laid out the way float.__repr__ does (Python/pystrtod.c,
// format code 'r' with Py_DTSF_ADD_DOT_0), except that exponents are written without '+' and
// without zero padding (orjson's spelling, which the shared round-trip files use).
#include "lapwise/parser/json_number.h"

#include <cstdint>
#include <cstring>

namespace lapwise::parser::json {
namespace detail {

// "00".."99", so integers are written two digits per step.
constexpr char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Writes the decimal digits of v (< 10^8) ending at `end` (backwards); returns the start.
inline char* write_digits32(std::uint32_t v, char* end) noexcept {
  while (v >= 100) {
    const std::uint32_t r = v % 100;
    v /= 100;
    end -= 2;
    std::memcpy(end, digit_pairs + 2 * r, 2);
  }
  if (v >= 10) {
    end -= 2;
    std::memcpy(end, digit_pairs + 2 * v, 2);
  } else {
    *--end = static_cast<char>('0' + v);
  }
  return end;
}

// Exactly eight digits of v (< 10^8), zero-padded, ending at `end`.
inline void write_8_digits(std::uint32_t v, char* end) noexcept {
  for (int i = 0; i < 4; ++i) {
    const std::uint32_t r = v % 100;
    v /= 100;
    end -= 2;
    std::memcpy(end, digit_pairs + 2 * r, 2);
  }
}

}  // namespace detail

std::size_t format_uint64(std::uint64_t v, char* out) noexcept {
  char tmp[20];
  char* p = tmp + sizeof tmp;
  while (v >= 100) {
    const auto r = static_cast<unsigned>(v % 100);
    v /= 100;
    p -= 2;
    std::memcpy(p, detail::digit_pairs + 2 * r, 2);
  }
  if (v >= 10) {
    p -= 2;
    std::memcpy(p, detail::digit_pairs + 2 * v, 2);
  } else {
    *--p = static_cast<char>('0' + v);
  }
  const auto n = static_cast<std::size_t>(tmp + sizeof tmp - p);
  std::memcpy(out, p, n);
  return n;
}

std::size_t format_int64(std::int64_t v, char* out) noexcept {
  if (v >= 0) return format_uint64(static_cast<std::uint64_t>(v), out);
  *out = '-';
  // 0 - unsigned(v) is the magnitude even for INT64_MIN.
  return 1 + format_uint64(0 - static_cast<std::uint64_t>(v), out + 1);
}

namespace detail {

struct decimal {
  std::uint64_t f;  // significand, no trailing zeros required
  int e;            // value = f * 10^e
};

inline constexpr int k_min = -324;  // first row of json_pow10.inc
inline constexpr std::uint64_t pow10_g[][2] = {
#include "json_pow10.inc"
};

inline constexpr int q_min = -1074;                             // exponent of the least subnormal
inline constexpr std::uint64_t c_min = std::uint64_t{1} << 52;  // least normal significand
inline constexpr std::uint64_t mask63 = (std::uint64_t{1} << 63) - 1;

// floor(q * log10(2)), floor(log10(3/4 * 2^q)) and floor(e * log2(10)) by fixed-point
// multiplication; exact over the ranges used (|q| <= 1100, |e| <= 330). >> on negative values
// is an arithmetic shift (floor) in C++20.
inline int flog10_pow2(int q) noexcept {
  return static_cast<int>((static_cast<std::int64_t>(q) * 661971961083LL) >> 41);
}
inline int flog10_three_quarters_pow2(int q) noexcept {
  return static_cast<int>((static_cast<std::int64_t>(q) * 661971961083LL - 274743187321LL) >> 41);
}
inline int flog2_pow10(int e) noexcept {
  return static_cast<int>((static_cast<std::int64_t>(e) * 913124641741LL) >> 38);
}

// Round-to-odd of (g1 * 2^63 + g0) * cp / 2^127: the scaled interval bound, with its inexact
// low bits folded into the last bit so comparisons stay exact.
inline std::uint64_t round_to_odd(std::uint64_t g1, std::uint64_t g0, std::uint64_t cp) noexcept {
  const auto x1 = static_cast<std::uint64_t>((static_cast<unsigned __int128>(g0) * cp) >> 64);
  const unsigned __int128 y = static_cast<unsigned __int128>(g1) * cp;
  const auto y0 = static_cast<std::uint64_t>(y);
  const auto y1 = static_cast<std::uint64_t>(y >> 64);
  const std::uint64_t z = (y0 >> 1) + x1;
  const std::uint64_t vbp = y1 + (z >> 63);
  return vbp | (((z & mask63) + mask63) >> 63);
}

// The shortest decimal in the rounding interval of c * 2^q (closest to it if several).
// dk adjusts the exponent when the caller scaled c by a power of ten (unused: always 0).
inline decimal to_decimal(int q, std::uint64_t c, int dk) noexcept {
  const std::uint64_t out = c & 1;  // even significand: the interval bounds are included
  const std::uint64_t cb = c << 2;
  const std::uint64_t cbr = cb + 2;
  std::uint64_t cbl;
  int k;
  if (c != c_min || q == q_min) {
    cbl = cb - 2;
    k = flog10_pow2(q);
  } else {  // at a power of two the gap below is half the gap above
    cbl = cb - 1;
    k = flog10_three_quarters_pow2(q);
  }
  const int h = q + flog2_pow10(-k) + 2;
  const std::uint64_t* g = pow10_g[k - k_min];
  const std::uint64_t vb = round_to_odd(g[0], g[1], cb << h);
  const std::uint64_t vbl = round_to_odd(g[0], g[1], cbl << h);
  const std::uint64_t vbr = round_to_odd(g[0], g[1], cbr << h);
  const std::uint64_t s = vb >> 2;
  if (s >= 10) {  // one digit fewer, if a multiple of ten lies in the interval
    const std::uint64_t sp10 = s / 10 * 10;
    const std::uint64_t tp10 = sp10 + 10;
    const bool upin = vbl + out <= sp10 << 2;
    const bool wpin = (tp10 << 2) + out <= vbr;
    if (upin != wpin) return {upin ? sp10 : tp10, k + dk};
  }
  const std::uint64_t t = s + 1;
  const bool uin = vbl + out <= s << 2;
  const bool win = (t << 2) + out <= vbr;
  if (uin != win) return {uin ? s : t, k + dk};
  // Both s and s + 1 are in: take the closer, the even one on a tie.
  const auto cmp = static_cast<std::int64_t>(vb - ((s + t) << 1));
  return {(cmp < 0 || (cmp == 0 && (s & 1) == 0)) ? s : t, k + dk};
}

// The shortest decimal for a finite, nonzero, positive double given by its bits.
inline decimal shortest(std::uint64_t bits) noexcept {
  const auto biased = static_cast<int>(bits >> 52);
  const std::uint64_t fraction = bits & (c_min - 1);
  if (biased != 0) {
    const int mq = -q_min + 1 - biased;
    const std::uint64_t c = c_min | fraction;
    if (0 < mq && mq < 53) {  // an integer below 2^53 is its own shortest decimal
      const std::uint64_t f = c >> mq;
      if (f << mq == c) return {f, 0};
    }
    return to_decimal(-mq, c, 0);
  }
  // Subnormal. (Java's Double.toString scales the tiniest significands by 10 here to print
  // two digits, "4.9E-324"; shortest output wants "5e-324", so no scaling.)
  return to_decimal(q_min, fraction, 0);
}

}  // namespace detail

std::size_t format_double(double v, char* out) noexcept {
  std::uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  char* o = out;
  if (bits >> 63) *o++ = '-';
  bits &= ~(std::uint64_t{1} << 63);
  if (bits == 0) {
    std::memcpy(o, "0.0", 3);
    return static_cast<std::size_t>(o + 3 - out);
  }
  detail::decimal d = detail::shortest(bits);
  while (d.f % 10 == 0) {  // at most a few steps: the search prefers fewer digits already
    d.f /= 10;
    ++d.e;
  }
  // Digits of d.f (at most 17) right-aligned in `buf`, split at 10^8 so the two halves use
  // 32-bit arithmetic and independent dependency chains.
  char buf[48];  // digits end at 24; the 16-byte copies below may read up to buf + 40
  char* const buf_end = buf + 24;
  char* digits;
  if (d.f >= 100000000) {
    const auto hi = static_cast<std::uint32_t>(d.f / 100000000);
    detail::write_8_digits(static_cast<std::uint32_t>(d.f - std::uint64_t{hi} * 100000000),
                           buf_end);
    digits = detail::write_digits32(hi, buf_end - 8);
  } else {
    digits = detail::write_digits32(static_cast<std::uint32_t>(d.f), buf_end);
  }
  const auto ndigits = static_cast<int>(buf_end - digits);
  const int exp10 = d.e + ndigits - 1;  // v = d.ddd x 10^exp10

  // Python's repr switches to exponent notation outside [-4, 16); the same switch points keep
  // every fixed-notation number byte-identical to repr.
  if (exp10 < -4 || exp10 >= 16) {
    *o++ = digits[0];
    if (ndigits > 1) {
      *o++ = '.';
      std::memcpy(o, digits + 1, static_cast<std::size_t>(ndigits - 1));
      o += ndigits - 1;
    }
    *o++ = 'e';
    if (exp10 < 0) *o++ = '-';             // no '+' (orjson's spelling: "1e16", not "1e+16")
    int mag = exp10 < 0 ? -exp10 : exp10;  // here 5 <= mag <= 324
    if (mag >= 100) {
      *o++ = static_cast<char>('0' + mag / 100);
      mag %= 100;
      std::memcpy(o, detail::digit_pairs + 2 * mag, 2);  // inner zeros stay: "e308", "e-300"
      o += 2;
    } else if (mag >= 10) {
      std::memcpy(o, detail::digit_pairs + 2 * mag, 2);
      o += 2;
    } else {
      *o++ = static_cast<char>('0' + mag);  // no zero padding: "1e-5", not "1e-05"
    }
    return static_cast<std::size_t>(o - out);
  }
  const int decpt = exp10 + 1;  // digits before the decimal point
  if (decpt <= 0) {             // 0.000ddd
    *o++ = '0';
    *o++ = '.';
    for (int i = decpt; i < 0; ++i) *o++ = '0';
    std::memcpy(o, digits, static_cast<std::size_t>(ndigits));
    o += ndigits;
  } else if (decpt >= ndigits) {  // ddd000.0
    std::memcpy(o, digits, static_cast<std::size_t>(ndigits));
    o += ndigits;
    for (int i = ndigits; i < decpt; ++i) *o++ = '0';
    *o++ = '.';
    *o++ = '0';
  } else {  // dd.ddd: decpt and ndigits - decpt are both at most 16, so fixed 16-byte copies
    // (which inline) may over-write; max_number_chars leaves room for that.
    std::memcpy(o, digits, 16);
    o[decpt] = '.';
    std::memcpy(o + decpt + 1, digits + decpt, 16);
    o += ndigits + 1;
  }
  return static_cast<std::size_t>(o - out);
}

}  // namespace lapwise::parser::json

// The JSON writer: string escaping (SSE2 scan for the 1-byte case, scalar otherwise), number
// formatting and buffer growth. Every string writer reserves its worst case once, then writes
// without bounds checks, and commits pos_ only on success (a failed string leaves no trace).
#include "lapwise/parser/json_writer.h"

#include <array>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "lapwise/common/inject.h"
#include "lapwise/parser/json_number.h"
#include "lapwise/parser/percent.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace lapwise::parser::json {
namespace detail {

// For ASCII c: 0 = written as is; otherwise the letter after the backslash ('u' = \u00XX).
constexpr std::array<char, 128> make_escape_table() {
  std::array<char, 128> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = 'u';
  t['\b'] = 'b';
  t['\f'] = 'f';
  t['\n'] = 'n';
  t['\r'] = 'r';
  t['\t'] = 't';
  t['"'] = '"';
  t['\\'] = '\\';
  return t;
}
constexpr auto escape_letter = make_escape_table();
constexpr char hex_digits[] = "0123456789abcdef";

inline char* write_u_escape(char* o, std::uint32_t unit) noexcept {
  o[0] = '\\';
  o[1] = 'u';
  o[2] = hex_digits[(unit >> 12) & 0xF];
  o[3] = hex_digits[(unit >> 8) & 0xF];
  o[4] = hex_digits[(unit >> 4) & 0xF];
  o[5] = hex_digits[unit & 0xF];
  return o + 6;
}

// Writes one code point c (any value below 0x110000) escaped or encoded; nullptr when c is a
// surrogate that cannot be written (UTF-8 output).
inline char* write_code_point(char* o, std::uint32_t c, bool ensure_ascii) noexcept {
  if (c < 0x80) {
    const char e = escape_letter[c];
    if (e == 0 && !(ensure_ascii && c == 0x7F)) {
      *o++ = static_cast<char>(c);
    } else if (e == 'u' || e == 0) {
      o = write_u_escape(o, c);
    } else {
      *o++ = '\\';
      *o++ = e;
    }
    return o;
  }
  if (ensure_ascii) {
    if (c >= 0x10000) {
      const std::uint32_t v = c - 0x10000;
      o = write_u_escape(o, 0xD800 | (v >> 10));
      return write_u_escape(o, 0xDC00 | (v & 0x3FF));
    }
    return write_u_escape(o, c);
  }
  if (c < 0x800) {
    *o++ = static_cast<char>(0xC0 | (c >> 6));
    *o++ = static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    if (c >= 0xD800 && c <= 0xDFFF) return nullptr;
    *o++ = static_cast<char>(0xE0 | (c >> 12));
    *o++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    *o++ = static_cast<char>(0x80 | (c & 0x3F));
  } else {
    *o++ = static_cast<char>(0xF0 | (c >> 18));
    *o++ = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    *o++ = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    *o++ = static_cast<char>(0x80 | (c & 0x3F));
  }
  return o;
}

#if defined(__SSE2__)
// Bit i set when byte i of the 16 at p must leave the fast path: '"', '\\', below 0x20, 0x7F
// when escaping to ASCII, and bytes >= 0x80 unless `pass_high` (UTF-8 input written as UTF-8:
// validated already, so multi-byte sequences are copied as they are).
inline unsigned special_mask16(const void* p, bool ensure_ascii, bool pass_high) noexcept {
  const __m128i x = _mm_loadu_si128(static_cast<const __m128i*>(p));
  __m128i m =
      _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')));
  if (pass_high) {  // unsigned x <= 0x1F
    m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(0x1F)), x));
  } else {  // signed compare: below 0x20 or at/above 0x80
    m = _mm_or_si128(m, _mm_cmplt_epi8(x, _mm_set1_epi8(0x20)));
  }
  if (ensure_ascii) m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7F)));
  return static_cast<unsigned>(_mm_movemask_epi8(m));
}
#endif

// Copies the run of bytes at s[i..n) that need no escaping to o; advances both. Bytes >= 0x80
// end the run unless `pass_high`.
inline void copy_plain_run(const std::uint8_t* s, std::size_t n, std::size_t& i, char*& o,
                           bool ensure_ascii, bool pass_high = false) noexcept {
#if defined(__SSE2__)
  while (i + 16 <= n) {
    const unsigned mask = special_mask16(s + i, ensure_ascii, pass_high);
    std::memcpy(o, s + i, 16);  // reserve() covered 6 bytes per unit, so 16 is always in range
    if (mask == 0) {
      o += 16;
      i += 16;
      continue;
    }
    const auto k = static_cast<std::size_t>(__builtin_ctz(mask));
    o += k;
    i += k;
    return;
  }
#endif
  while (i < n) {
    const std::uint8_t c = s[i];
    if (c >= 0x80 ? !pass_high : (escape_letter[c] != 0 || (ensure_ascii && c == 0x7F))) return;
    *o++ = static_cast<char>(c);
    ++i;
  }
}

}  // namespace detail

writer::~writer() { std::free(begin_); }

writer::writer(writer&& other) noexcept
    : begin_(std::exchange(other.begin_, nullptr)),
      pos_(std::exchange(other.pos_, nullptr)),
      end_(std::exchange(other.end_, nullptr)) {}

writer& writer::operator=(writer&& other) noexcept {
  if (this != &other) {
    std::free(begin_);
    begin_ = std::exchange(other.begin_, nullptr);
    pos_ = std::exchange(other.pos_, nullptr);
    end_ = std::exchange(other.end_, nullptr);
  }
  return *this;
}

bool writer::grow(std::size_t n) noexcept {
  const std::size_t used = size();
  std::size_t cap = capacity() < 256 ? 256 : capacity();
  while (cap - used < n) {
    if (cap > (static_cast<std::size_t>(-1) >> 2)) return false;
    cap *= 2;
  }
  void* p = std::realloc(begin_, cap);
  if (p == nullptr) return false;
  begin_ = static_cast<char*>(p);
  pos_ = begin_ + used;
  end_ = begin_ + cap;
  return true;
}

bool writer::int_value(std::int64_t v) noexcept {
  if (!reserve(max_number_chars)) return false;
  pos_ += format_int64(v, pos_);
  return true;
}

bool writer::uint_value(std::uint64_t v) noexcept {
  if (!reserve(max_number_chars)) return false;
  pos_ += format_uint64(v, pos_);
  return true;
}

write_status writer::double_value(double v, bool allow_nan) noexcept {
  // The gates' injected slowdown (inject.h): a double of canada.json costs ~390 instructions
  // to format and store. The count is a constant here, so the loop unrolls to one instruction
  // per iteration: 400 units make a 3% build add 12.
  LAPWISE_INJECT_WORK(400);
  if (!std::isfinite(v)) {
    if (!allow_nan) return write_status::non_finite;
    const bool ok = std::isnan(v) ? append("NaN") : append(v > 0 ? "Infinity" : "-Infinity");
    return ok ? write_status::ok : write_status::out_of_memory;
  }
  if (!reserve(max_number_chars)) return write_status::out_of_memory;
  pos_ += format_double(v, pos_);
  return write_status::ok;
}

template <class Unit>
write_status writer::string_units(const Unit* s, std::size_t n, bool ensure_ascii) noexcept {
  LAPWISE_INJECT_WORK(n / 4 + 4);
  // Worst case per unit: an astral pair "\ud83d\ude00" (12) when escaping to ASCII, else
  // "\u001f" (6); UTF-8 needs at most 4 per unit. Plus quotes and 16 bytes of SIMD slack.
  const std::size_t per_unit = ensure_ascii ? 12 : 6;
  if (n > (static_cast<std::size_t>(-1) - 32) / per_unit) return write_status::out_of_memory;
  if (!reserve(n * per_unit + 2 + 16)) return write_status::out_of_memory;
  char* o = pos_;
  *o++ = '"';
  std::size_t i = 0;
  while (i < n) {
    if constexpr (sizeof(Unit) == 1) {
      detail::copy_plain_run(s, n, i, o, ensure_ascii);
      if (i == n) break;
    }
    o = detail::write_code_point(o, static_cast<std::uint32_t>(s[i]), ensure_ascii);
    if (o == nullptr) return write_status::lone_surrogate;
    ++i;
  }
  *o++ = '"';
  pos_ = o;
  return write_status::ok;
}

write_status writer::string_latin1(std::span<const std::uint8_t> s, bool ensure_ascii) noexcept {
  return string_units(s.data(), s.size(), ensure_ascii);
}

write_status writer::string_ucs2(std::span<const std::uint16_t> s, bool ensure_ascii) noexcept {
  return string_units(s.data(), s.size(), ensure_ascii);
}

write_status writer::string_ucs4(std::span<const std::uint32_t> s, bool ensure_ascii) noexcept {
  return string_units(s.data(), s.size(), ensure_ascii);
}

write_status writer::string_utf8(std::string_view s, bool ensure_ascii) noexcept {
  LAPWISE_INJECT_WORK(s.size() / 4 + 4);
  if (!parser::utf8_valid(s)) return write_status::invalid_utf8;
  const std::size_t n = s.size();
  // Per byte at most 6 ("\u001f"; a 3-byte sequence escapes to 6, a 4-byte one to 12).
  if (n > (static_cast<std::size_t>(-1) - 32) / 6) return write_status::out_of_memory;
  if (!reserve(n * 6 + 2 + 16)) return write_status::out_of_memory;
  auto p = reinterpret_cast<const std::uint8_t*>(s.data());
  char* o = pos_;
  *o++ = '"';
  std::size_t i = 0;
  while (i < n) {
    detail::copy_plain_run(p, n, i, o, ensure_ascii, /*pass_high=*/!ensure_ascii);
    if (i == n) break;
    const std::uint8_t c = p[i];
    if (c < 0x80) {
      o = detail::write_code_point(o, c, ensure_ascii);
      ++i;
      continue;
    }
    // A valid multi-byte sequence (checked above).
    const std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if (!ensure_ascii) {
      std::memcpy(o, p + i, len);
      o += len;
    } else {
      std::uint32_t cp = c & (0x7F >> len);
      for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (p[i + k] & 0x3F);
      o = detail::write_code_point(o, cp, true);
    }
    i += len;
  }
  *o++ = '"';
  pos_ = o;
  return write_status::ok;
}

}  // namespace lapwise::parser::json

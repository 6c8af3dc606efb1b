// lapwise::parser::json — the byte-level JSON writer behind lapwise's json.dumps.
//
// Contract:
// - Appends JSON tokens to a growable byte buffer; the caller emits structure ('[', ',', ':'...)
//   with put(). Output equals Python's json.dumps(..., separators=(",", ":")) token for token,
//   except for the spelling of float exponents (below):
//   - strings escape '"', '\\', and control characters U+0000..U+001F as \" \\ \n \r \t \b \f
//     or \u00XX (lowercase hex), like the stdlib. With ensure_ascii=false everything else is
//     written as UTF-8; with ensure_ascii=true, U+007F and every non-ASCII code point are
//     written as \uXXXX (lowercase), astral ones as a surrogate pair, exactly like the stdlib.
//   - a surrogate code point (U+D800..U+DFFF, i.e. a lone surrogate in a Python str) cannot be
//     UTF-8: string_* returns write_status::lone_surrogate with ensure_ascii=false, and writes
//     \udXXX with ensure_ascii=true (as the stdlib does).
//   - doubles are written by format_double (json_number.h): repr's digits and layout, but
//     exponents as orjson writes them ("1e16", "1e-5", "1.7976931348623157e308"; repr has
//     "1e+16", "1e-05", "1.7976931348623157e+308"). NaN and +-Infinity are
//     written as NaN, Infinity, -Infinity when allow_nan (the stdlib default), else
//     double_value returns write_status::non_finite and writes nothing.
// - Strings come in the four shapes a caller may hold: UTF-8 bytes (must be valid UTF-8,
//   else write_status::invalid_utf8), and the Latin-1 / UCS-2 / UCS-4 code unit arrays that
//   CPython's str uses internally (no conversion needed by the caller).
// - Memory: the buffer grows geometrically (malloc/realloc) and is reused across clear();
//   failures are write_status::out_of_memory / false, never exceptions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace lapwise::parser::json {

enum class write_status : std::uint8_t {
  ok,
  out_of_memory,
  non_finite,      // NaN or infinity with allow_nan = false
  lone_surrogate,  // U+D800..U+DFFF in a string with ensure_ascii = false
  invalid_utf8,    // string_utf8 given bytes that are not UTF-8
};

class writer {
 public:
  writer() noexcept = default;
  ~writer();
  writer(const writer&) = delete;
  writer& operator=(const writer&) = delete;
  writer(writer&& other) noexcept;
  writer& operator=(writer&& other) noexcept;

  // Drops the content, keeps the memory.
  void clear() noexcept { pos_ = begin_; }
  [[nodiscard]] std::string_view view() const noexcept {
    return {begin_, static_cast<std::size_t>(pos_ - begin_)};
  }
  [[nodiscard]] std::size_t size() const noexcept {
    return static_cast<std::size_t>(pos_ - begin_);
  }
  [[nodiscard]] std::size_t capacity() const noexcept {
    return static_cast<std::size_t>(end_ - begin_);
  }

  // Makes room for n more bytes; false when memory runs out.
  [[nodiscard]] bool reserve(std::size_t n) noexcept {
    return static_cast<std::size_t>(end_ - pos_) >= n || grow(n);
  }

  [[nodiscard]] bool put(char c) noexcept {
    if (!reserve(1)) return false;
    *pos_++ = c;
    return true;
  }
  [[nodiscard]] bool append(std::string_view s) noexcept {
    if (!reserve(s.size())) return false;
    std::memcpy(pos_, s.data(), s.size());
    pos_ += s.size();
    return true;
  }

  [[nodiscard]] bool null_value() noexcept { return append("null"); }
  [[nodiscard]] bool bool_value(bool b) noexcept { return append(b ? "true" : "false"); }
  [[nodiscard]] bool int_value(std::int64_t v) noexcept;
  [[nodiscard]] bool uint_value(std::uint64_t v) noexcept;
  // Appends the decimal text of an integer too large for 64 bits, as given (the caller
  // produced it, e.g. with int.__repr__).
  [[nodiscard]] bool integer_text(std::string_view digits) noexcept { return append(digits); }
  [[nodiscard]] write_status double_value(double v, bool allow_nan) noexcept;

  [[nodiscard]] write_status string_utf8(std::string_view s, bool ensure_ascii) noexcept;
  [[nodiscard]] write_status string_latin1(std::span<const std::uint8_t> s,
                                           bool ensure_ascii) noexcept;
  [[nodiscard]] write_status string_ucs2(std::span<const std::uint16_t> s,
                                         bool ensure_ascii) noexcept;
  [[nodiscard]] write_status string_ucs4(std::span<const std::uint32_t> s,
                                         bool ensure_ascii) noexcept;

 private:
  bool grow(std::size_t n) noexcept;
  template <class Unit>
  write_status string_units(const Unit* s, std::size_t n, bool ensure_ascii) noexcept;

  char* begin_ = nullptr;
  char* pos_ = nullptr;
  char* end_ = nullptr;
};

}  // namespace lapwise::parser::json

// lapwise::parser::json — JSON parsing through simdjson, reported as events.
//
// Contract:
// - reader::parse(text, handler) validates `text` (RFC 8259, UTF-8) and calls the handler for
//   every value in document order; the handler builds whatever it wants (lapwise's Python
//   binding builds dicts and lists). Keys and strings arrive unescaped as UTF-8 views valid
//   only during the call.
// - Numbers: integers that fit int64 arrive as int_value, larger ones up to 2^64-1 as
//   uint_value, floats as double_value (correctly rounded). Integers beyond 64 bits and floats
//   beyond double range (1e400) are not errors: their exact text arrives as number_text (after
//   a check against the JSON number grammar), so a caller can build a big integer or inf.
// - Depth is limited to max_depth nested arrays/objects (read_status::too_deep). Trailing
//   content after the root value is an error. Errors carry a byte offset and a message.
// - Differences from Python's json.loads, by design or inherited from simdjson 3.0.1: NaN,
//   Infinity and -Infinity literals are rejected (they are not JSON) unless the handler has
//   `bool allow_non_finite()` returning true (then they arrive as double_value NaN/+-inf, off
//   the fast path: what json.dumps writes with allow_nan=True reads back); escapes that
//   produce a lone surrogate ("\ud800") are rejected (UTF-8 cannot carry them).
// - How: simdjson's DOM parser (libsimdjson picks the best SIMD kernel at run time) builds a
//   tape, which is walked. simdjson's DOM rejects numbers beyond 64 bits/double range, so on
//   that error (and to locate any other error) the input is walked again with On Demand,
//   which exposes each number's raw text. Errors are rare, so this costs nothing on the fast
//   path. simdjson's stage-1 errors (bad UTF-8, unescaped control characters, unclosed
//   strings) carry no position: they report offset 0.
// - The input is copied once into a reused padded buffer (simdjson reads up to 64 bytes past
//   the end); a reader is reusable and not thread-safe (use one per thread).
//
// Handler interface (every bool return: false = the handler failed; parsing stops with
// read_status::handler_failed):
//   bool null_value();  bool bool_value(bool);  bool int_value(std::int64_t);
//   bool uint_value(std::uint64_t);  bool double_value(double);
//   bool number_text(std::string_view text, bool is_integer);
//   bool string_value(std::string_view);  bool key(std::string_view);
//   std::size_t begin_array();  bool end_array(std::size_t mark);     // mark from begin_*
//   std::size_t begin_object(); bool end_object(std::size_t mark);    // key, value, key, ...
//   bool allow_non_finite();   // optional: true accepts NaN, Infinity, -Infinity
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

namespace lapwise::parser::json {

enum class read_status : std::uint8_t { ok, syntax_error, too_deep, handler_failed, out_of_memory };

struct read_result {
  read_status status = read_status::ok;
  std::size_t offset = 0;    // byte offset of the error in the input
  std::string_view message;  // static text describing the error
};

inline constexpr std::size_t default_max_depth = 1024;

// True when `text` is a JSON number (-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?);
// *is_integer says whether it has neither fraction nor exponent.
[[nodiscard]] bool is_json_number(std::string_view text, bool* is_integer) noexcept;

namespace detail {
namespace od = simdjson::ondemand;
}  // namespace detail

class reader {
 public:
  explicit reader(std::size_t max_depth = default_max_depth) noexcept : max_depth_(max_depth) {}

  // Parses `text`, calling `handler` for each value. See the contract above.
  template <class Handler>
  read_result parse(std::string_view text, Handler& handler) noexcept;

 private:
  bool prepare(std::string_view text) noexcept;  // copies text into the padded buffer

  template <class Handler>
  read_result walk_on_demand(std::size_t size, Handler& handler) noexcept;

  std::size_t max_depth_;
  simdjson::dom::parser dom_;
  detail::od::parser on_demand_;
  std::unique_ptr<char[]> buffer_;
  std::size_t capacity_ = 0;  // bytes of buffer_ usable for text (padding excluded)
};

}  // namespace lapwise::parser::json

#include "lapwise/parser/json_reader_impl.h"  // IWYU pragma: export

// lapwise::parser — query strings and application/x-www-form-urlencoded bodies.
//
// Contract (urllib.parse.parse_qsl(qs, keep_blank_values=True) semantics, Python 3.11):
// - The input is split on '&' only (';' is an ordinary byte, as in modern parse_qsl). Empty
//   segments ("a=1&&b=2", a leading or trailing '&') are skipped. Each segment splits at its
//   first '=': "k=v" -> (k, v); "k" and "k=" -> (k, ""); "=v" -> ("", v); "=" -> ("", "").
//   Repeated keys are all kept, in input order.
// - Keys and values are decoded with '+' -> ' ' then percent-decoding (percent.h): invalid
//   escapes ("%zz", "%4", a trailing "%") stay literally, like unquote().
// - UTF-8: decoded bytes that are not well-formed UTF-8 are, by default, repaired like
//   bytes.decode("utf-8", errors="replace") (one U+FFFD per maximal invalid subpart); with
//   utf8_policy::reject the whole parse fails with query_status::invalid_utf8 instead. Raw
//   (undecoded) bytes of the input are checked the same way.
// - Limits: an input longer than max_length bytes fails with too_long before any work; more
//   than max_pairs pairs (empty segments are not pairs) fails with too_many_pairs. On failure
//   no pair may be used.
// - Zero-copy: a key or value with no '%', '+' or invalid UTF-8 is a view into the input.
//   Others are decoded into the caller's scratch buffer, which needs query_scratch_size(n)
//   bytes for an input of n bytes. Views stay valid while the input and scratch do.
// - No function here throws; parse_query() never allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace lapwise::parser {

struct query_pair {
  std::string_view key;
  std::string_view value;
};

enum class utf8_policy : std::uint8_t { replace, reject };

enum class query_status : std::uint8_t {
  ok,
  too_long,          // input over max_length bytes
  too_many_pairs,    // over max_pairs pairs, or over the capacity of the caller's pair span
  invalid_utf8,      // utf8_policy::reject and a key or value is not UTF-8 after decoding
  buffer_too_small,  // scratch smaller than query_scratch_size() and decoding was needed
  out_of_memory,     // query_parser could not grow its storage
};

struct query_options {
  std::size_t max_length = 64 * 1024;
  std::size_t max_pairs = 1000;
  utf8_policy utf8 = utf8_policy::replace;
};

struct query_result {
  query_status status = query_status::ok;
  std::size_t count = 0;  // pairs written (valid only when status == ok)
};

// A short English description of `s` ("query string longer than the limit", ...).
[[nodiscard]] const char* describe(query_status s) noexcept;

// Scratch bytes enough for any input of n bytes: decoding never grows text and UTF-8 repair
// at most triples it; one more n is the staging area repair reads from.
[[nodiscard]] constexpr std::size_t query_scratch_size(std::size_t n) noexcept { return 4 * n; }

// Parses `qs` into `pairs` (at most min(pairs.size(), options.max_pairs) pairs) using
// `scratch` for decoded text. Allocation-free. See the contract above.
[[nodiscard]] query_result parse_query(std::string_view qs, std::span<query_pair> pairs,
                                       std::span<char> scratch,
                                       const query_options& options) noexcept;

// Owns reusable storage, so repeated parses allocate only while the inputs grow.
class query_parser {
 public:
  explicit query_parser(query_options options = {}) noexcept : options_(options) {}

  // Parses `qs`; pairs() holds the result until the next parse (views into `qs` or into this
  // parser's scratch).
  query_status parse(std::string_view qs) noexcept;

  [[nodiscard]] std::span<const query_pair> pairs() const noexcept {
    return {pairs_.data(), count_};
  }
  [[nodiscard]] const query_options& options() const noexcept { return options_; }

 private:
  query_options options_;
  std::vector<query_pair> pairs_;
  std::vector<char> scratch_;
  std::size_t count_ = 0;
};

}  // namespace lapwise::parser

// Query-string parsing: split on '&', then '=', then decode each side only when it must be.
#include "lapwise/parser/query.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <new>

#include "lapwise/common/inject.h"
#include "lapwise/parser/percent.h"

namespace lapwise::parser {
namespace detail {

// Bit 1: the byte changes under form decoding ('%', '+'). Bit 2: non-ASCII (needs a UTF-8
// check). One table lookup per byte classifies a component in a single pass.
constexpr std::array<std::uint8_t, 256> make_class_table() {
  std::array<std::uint8_t, 256> t{};
  t['%'] = 1;
  t['+'] = 1;
  for (int c = 0x80; c < 0x100; ++c) t[c] = 2;
  return t;
}
constexpr auto byte_class = make_class_table();

// Where decoded text goes: [0, 3n) holds results back to back, [3n, 4n) stages a component
// that needs UTF-8 repair (repair reads the staging copy and writes at the cursor).
struct scratch_state {
  std::span<char> buf;
  std::size_t input_size;
  std::size_t cursor = 0;
};

query_status decode_component(std::string_view in, std::string_view* out, scratch_state& s,
                              utf8_policy policy) noexcept {
  std::uint8_t cls = 0;
  for (char c : in) cls |= byte_class[static_cast<unsigned char>(c)];
  if (cls == 0 || (cls == 2 && utf8_valid(in))) {
    *out = in;  // zero-copy: nothing to decode and already valid UTF-8
    return query_status::ok;
  }
  if (s.buf.size() < query_scratch_size(s.input_size)) return query_status::buffer_too_small;
  char* dst = s.buf.data() + s.cursor;
  std::string_view decoded = in;
  if (cls & 1) {
    decoded = {dst, percent_decode(in, dst, /*plus_as_space=*/true)};
    if (utf8_valid(decoded)) {
      s.cursor += decoded.size();
      *out = decoded;
      return query_status::ok;
    }
  }
  // Invalid UTF-8 (either raw input bytes or decoded escapes).
  if (policy == utf8_policy::reject) return query_status::invalid_utf8;
  char* staging = s.buf.data() + 3 * s.input_size;
  std::memcpy(staging, decoded.data(), decoded.size());
  const std::size_t n = utf8_replace({staging, decoded.size()}, dst);
  s.cursor += n;
  *out = {dst, n};
  return query_status::ok;
}

}  // namespace detail

const char* describe(query_status s) noexcept {
  switch (s) {
    case query_status::ok:
      return "ok";
    case query_status::too_long:
      return "query string longer than the limit";
    case query_status::too_many_pairs:
      return "query string has more pairs than the limit";
    case query_status::invalid_utf8:
      return "query string is not valid UTF-8 after percent-decoding";
    case query_status::buffer_too_small:
      return "scratch buffer smaller than query_scratch_size()";
    case query_status::out_of_memory:
      return "out of memory";
  }
  return "unknown query status";
}

query_result parse_query(std::string_view qs, std::span<query_pair> pairs, std::span<char> scratch,
                         const query_options& options) noexcept {
  if (qs.size() > options.max_length) return {query_status::too_long, 0};
  LAPWISE_INJECT_WORK(qs.size());
  const std::size_t limit = std::min(pairs.size(), options.max_pairs);
  detail::scratch_state s{scratch, qs.size()};
  std::size_t count = 0;
  const char* p = qs.data();
  const char* const end = p + qs.size();
  while (p < end) {
    auto amp = static_cast<const char*>(std::memchr(p, '&', static_cast<std::size_t>(end - p)));
    const char* seg_end = amp ? amp : end;
    if (seg_end != p) {  // empty segments are skipped, like parse_qsl
      if (count == limit) return {query_status::too_many_pairs, 0};
      const auto len = static_cast<std::size_t>(seg_end - p);
      auto eq = static_cast<const char*>(std::memchr(p, '=', len));
      std::string_view key(p, eq ? static_cast<std::size_t>(eq - p) : len);
      std::string_view value =
          eq ? std::string_view(eq + 1, static_cast<std::size_t>(seg_end - eq - 1))
             : std::string_view();
      query_pair& out = pairs[count];
      if (auto st = detail::decode_component(key, &out.key, s, options.utf8);
          st != query_status::ok) {
        return {st, 0};
      }
      if (auto st = detail::decode_component(value, &out.value, s, options.utf8);
          st != query_status::ok) {
        return {st, 0};
      }
      ++count;
    }
    p = seg_end + 1;
  }
  return {query_status::ok, count};
}

query_status query_parser::parse(std::string_view qs) noexcept {
  count_ = 0;
  if (qs.size() > options_.max_length) return query_status::too_long;
  // A pair takes at least one byte plus its '&', so (n + 1) / 2 pairs is a bound; one more
  // slot lets parse_query() see the limit being passed.
  const std::size_t want = std::min(options_.max_pairs, (qs.size() + 1) / 2);
  try {
    if (pairs_.size() < want) pairs_.resize(std::max(want, 2 * pairs_.size()));
    if (scratch_.size() < query_scratch_size(qs.size())) {
      scratch_.resize(std::max(query_scratch_size(qs.size()), 2 * scratch_.size()));
    }
  } catch (const std::bad_alloc&) {
    return query_status::out_of_memory;
  }
  query_result r = parse_query(qs, pairs_, scratch_, options_);
  count_ = r.status == query_status::ok ? r.count : 0;
  return r.status;
}

}  // namespace lapwise::parser

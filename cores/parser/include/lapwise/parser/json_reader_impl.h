// Template internals of json_reader.h (included by it; not a public header on its own):
// the DOM tape walk (fast path), the On Demand walk (big numbers, error locations) and the
// reader's member templates.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>
#include <utility>

#include "lapwise/parser/json_reader.h"

namespace lapwise::parser::json {

namespace detail {
namespace od = simdjson::ondemand;

// Turns a simdjson error into a read_result (offset filled in by the caller).
inline read_result syntax(simdjson::error_code e) noexcept {
  if (e == simdjson::DEPTH_ERROR) return {read_status::too_deep, 0, "nesting too deep"};
  if (e == simdjson::MEMALLOC) return {read_status::out_of_memory, 0, "out of memory"};
  return {read_status::syntax_error, 0, simdjson::error_message(e)};
}

inline constexpr read_result handler_failed{read_status::handler_failed, 0, "handler failed"};

// A number simdjson declined (beyond 64-bit or double range): hand over its exact text when it
// is grammatical JSON.
template <class Handler>
read_result big_number(std::string_view raw, simdjson::error_code e, Handler& h) noexcept {
  while (!raw.empty() &&
         (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\n' || raw.back() == '\r')) {
    raw.remove_suffix(1);
  }
  bool integer = false;
  if (e != simdjson::NUMBER_ERROR || !is_json_number(raw, &integer)) return syntax(e);
  return h.number_text(raw, integer) ? read_result{} : handler_failed;
}

// Python's json.dumps writes NaN, Infinity and -Infinity (allow_nan=True), so a handler may
// opt into reading them back (see json_reader.h); `raw` is the token simdjson declined.
// Returns false when the token is not one of them or the handler did not opt in.
template <class Handler>
bool non_finite(std::string_view raw, Handler& h, read_result& out) noexcept {
  if constexpr (requires { h.allow_non_finite(); }) {
    if (!h.allow_non_finite()) return false;
    while (!raw.empty() &&
           (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\n' || raw.back() == '\r')) {
      raw.remove_suffix(1);
    }
    double v = 0;
    if (raw == "NaN") {
      v = std::numeric_limits<double>::quiet_NaN();
    } else if (raw == "Infinity") {
      v = std::numeric_limits<double>::infinity();
    } else if (raw == "-Infinity") {
      v = -std::numeric_limits<double>::infinity();
    } else {
      return false;
    }
    out = h.double_value(v) ? read_result{} : handler_failed;
    return true;
  } else {
    (void)raw, (void)h, (void)out;
    return false;
  }
}

template <class Handler, class Number>
bool emit_number(const Number& n, Handler& h) noexcept {
  switch (n.get_number_type()) {
    case od::number_type::signed_integer:
      return h.int_value(n.get_int64());
    case od::number_type::unsigned_integer:
      return h.uint_value(n.get_uint64());
    default:
      return h.double_value(n.get_double());
  }
}

template <class Handler>
read_result walk(od::value v, Handler& h, std::size_t depth) noexcept;

inline constexpr read_result too_deep{read_status::too_deep, 0, "nesting too deep"};

template <class Handler>
read_result walk_array(od::array a, Handler& h, std::size_t depth) noexcept {
  if (depth == 0) return too_deep;  // this walk recurses: bound it like simdjson's DOM
  const std::size_t mark = h.begin_array();
  for (auto item : a) {
    od::value v;
    // get() is &&-qualified: the move selects it, it moves nothing.
    if (auto e = std::move(item).get(v)) return syntax(e);  // NOLINT(performance-move-const-arg)
    if (auto r = walk(v, h, depth - 1); r.status != read_status::ok) return r;
  }
  return h.end_array(mark) ? read_result{} : handler_failed;
}

template <class Handler>
read_result walk_object(od::object o, Handler& h, std::size_t depth) noexcept {
  if (depth == 0) return too_deep;
  const std::size_t mark = h.begin_object();
  for (auto item : o) {
    od::field f;
    if (auto e = std::move(item).get(f)) return syntax(e);
    std::string_view k;
    if (auto e = f.unescaped_key().get(k)) return syntax(e);
    if (!h.key(k)) return handler_failed;
    if (auto r = walk(f.value(), h, depth - 1); r.status != read_status::ok) return r;
  }
  return h.end_object(mark) ? read_result{} : handler_failed;
}

// One value below the root. Scalars and the root differ in simdjson (root scalars are
// checked against the end of input), hence the two copies of the switch.
template <class Handler>
read_result walk(od::value v, Handler& h, std::size_t depth) noexcept {
  od::json_type t;
  if (auto e = v.type().get(t)) {
    read_result r;
    return non_finite(v.raw_json_token(), h, r) ? r : syntax(e);
  }
  switch (t) {
    case od::json_type::array: {
      od::array a;
      if (auto e = v.get_array().get(a)) return syntax(e);
      return walk_array(a, h, depth);
    }
    case od::json_type::object: {
      od::object o;
      if (auto e = v.get_object().get(o)) return syntax(e);
      return walk_object(o, h, depth);
    }
    case od::json_type::number: {
      const std::string_view raw = v.raw_json_token();
      od::number n;
      if (auto e = v.get_number().get(n)) {
        read_result r;
        return non_finite(raw, h, r) ? r : big_number(raw, e, h);
      }
      return emit_number(n, h) ? read_result{} : handler_failed;
    }
    case od::json_type::string: {
      std::string_view s;
      if (auto e = v.get_string().get(s)) return syntax(e);
      return h.string_value(s) ? read_result{} : handler_failed;
    }
    case od::json_type::boolean: {
      bool b;
      if (auto e = v.get_bool().get(b)) return syntax(e);
      return h.bool_value(b) ? read_result{} : handler_failed;
    }
    case od::json_type::null: {
      bool is_null = false;
      if (auto e = v.is_null().get(is_null)) return syntax(e);
      if (!is_null) return syntax(simdjson::N_ATOM_ERROR);
      return h.null_value() ? read_result{} : handler_failed;
    }
  }
  return syntax(simdjson::TAPE_ERROR);
}

// True when nothing but whitespace follows the root scalar `raw` (its token stops at the next
// structural character) up to `end`.
inline bool only_space(std::string_view raw, const char* end) noexcept {
  for (const char* p = raw.data() + raw.size(); p < end; ++p) {
    if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') return false;
  }
  return true;
}

template <class Handler>
read_result walk_root(od::document& doc, Handler& h, std::size_t max_depth,
                      const char* end) noexcept {
  od::json_type t;
  if (auto e = doc.type().get(t)) {
    std::string_view raw;
    read_result r;
    if (doc.raw_json_token().get(raw) == simdjson::SUCCESS && only_space(raw, end) &&
        non_finite(raw, h, r)) {
      return r;
    }
    return syntax(e);
  }
  read_result r;
  switch (t) {
    case od::json_type::array: {
      od::array a;
      if (auto e = doc.get_array().get(a)) return syntax(e);
      r = walk_array(a, h, max_depth);
      break;
    }
    case od::json_type::object: {
      od::object o;
      if (auto e = doc.get_object().get(o)) return syntax(e);
      r = walk_object(o, h, max_depth);
      break;
    }
    case od::json_type::number: {
      std::string_view raw;
      if (auto e = doc.raw_json_token().get(raw)) return syntax(e);
      od::number n;
      if (auto e = doc.get_number().get(n)) {
        // The raw token stops at the next structural character; a root scalar must be
        // followed by nothing but whitespace.
        if (!only_space(raw, end)) return syntax(simdjson::TRAILING_CONTENT);
        if (!non_finite(raw, h, r)) r = big_number(raw, e, h);
      } else {
        r = emit_number(n, h) ? read_result{} : handler_failed;
      }
      break;
    }
    case od::json_type::string: {
      std::string_view s;
      if (auto e = doc.get_string().get(s)) return syntax(e);
      r = h.string_value(s) ? read_result{} : handler_failed;
      break;
    }
    case od::json_type::boolean: {
      bool b;
      if (auto e = doc.get_bool().get(b)) return syntax(e);
      r = h.bool_value(b) ? read_result{} : handler_failed;
      break;
    }
    case od::json_type::null: {
      bool is_null = false;
      if (auto e = doc.is_null().get(is_null)) return syntax(e);
      if (!is_null) return syntax(simdjson::N_ATOM_ERROR);
      r = h.null_value() ? read_result{} : handler_failed;
      break;
    }
  }
  // simdjson 3.0.1's document has no at_end(): a location past a root array/object means
  // more input. (Root scalars are checked by simdjson itself, and a big number's raw text
  // would include what follows it, failing the grammar check.)
  const bool container = t == od::json_type::array || t == od::json_type::object;
  const char* rest = nullptr;
  if (r.status == read_status::ok && container &&
      doc.current_location().get(rest) == simdjson::SUCCESS) {
    return syntax(simdjson::TRAILING_CONTENT);
  }
  return r;
}

// The fast path: a walk over simdjson's DOM tape (no errors are possible any more except
// the handler's own).
template <class Handler>
bool walk_dom(simdjson::dom::element e, Handler& h) noexcept {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::ARRAY: {
      const std::size_t mark = h.begin_array();
      for (simdjson::dom::element item : simdjson::dom::array(e)) {
        if (!walk_dom(item, h)) return false;
      }
      return h.end_array(mark);
    }
    case element_type::OBJECT: {
      const std::size_t mark = h.begin_object();
      for (simdjson::dom::key_value_pair kv : simdjson::dom::object(e)) {
        if (!h.key(kv.key) || !walk_dom(kv.value, h)) return false;
      }
      return h.end_object(mark);
    }
    case element_type::INT64:
      return h.int_value(e.get_int64().value_unsafe());
    case element_type::UINT64:
      return h.uint_value(e.get_uint64().value_unsafe());
    case element_type::DOUBLE:
      return h.double_value(e.get_double().value_unsafe());
    case element_type::STRING:
      return h.string_value(e.get_string().value_unsafe());
    case element_type::BOOL:
      return h.bool_value(e.get_bool().value_unsafe());
    case element_type::NULL_VALUE:
      return h.null_value();
  }
  return false;
}

// Accepts every event; used to locate an error with the On Demand walk.
struct null_handler {
  bool null_value() noexcept { return true; }
  bool bool_value(bool) noexcept { return true; }
  bool int_value(std::int64_t) noexcept { return true; }
  bool uint_value(std::uint64_t) noexcept { return true; }
  bool double_value(double) noexcept { return true; }
  bool number_text(std::string_view, bool) noexcept { return true; }
  bool string_value(std::string_view) noexcept { return true; }
  bool key(std::string_view) noexcept { return true; }
  std::size_t begin_array() noexcept { return 0; }
  bool end_array(std::size_t) noexcept { return true; }
  std::size_t begin_object() noexcept { return 0; }
  bool end_object(std::size_t) noexcept { return true; }
};

}  // namespace detail

template <class Handler>
read_result reader::parse(std::string_view text, Handler& handler) noexcept {
  if (!prepare(text)) return {read_status::out_of_memory, 0, "out of memory"};
  simdjson::dom::element root;
  const simdjson::error_code e = dom_.parse(buffer_.get(), text.size(), false).get(root);
  if (e == simdjson::SUCCESS) {
    return detail::walk_dom(root, handler) ? read_result{} : detail::handler_failed;
  }
  if (e == simdjson::NUMBER_ERROR) return walk_on_demand(text.size(), handler);
  if (e == simdjson::DEPTH_ERROR) return detail::too_deep;
  if constexpr (requires { handler.allow_non_finite(); }) {
    // The DOM rejects NaN/Infinity; the On Demand walk takes them when the handler allows.
    if (handler.allow_non_finite()) {
      read_result r = walk_on_demand(text.size(), handler);
      if (r.status != read_status::syntax_error) return r;
      read_result out = detail::syntax(e);
      out.offset = r.offset;
      return out;
    }
  }
  detail::null_handler locate;
  read_result r = walk_on_demand(text.size(), locate);
  read_result out = detail::syntax(e);  // simdjson's own verdict is the message
  out.offset = r.status != read_status::ok ? r.offset : 0;
  return out;
}

template <class Handler>
read_result reader::walk_on_demand(std::size_t size, Handler& handler) noexcept {
  detail::od::document doc;
  simdjson::padded_string_view view(buffer_.get(), size, size + simdjson::SIMDJSON_PADDING);
  if (auto e = on_demand_.iterate(view).get(doc)) return detail::syntax(e);
  read_result r = detail::walk_root(doc, handler, max_depth_, buffer_.get() + size);
  if (r.status != read_status::ok) {
    const char* at = nullptr;
    if (doc.current_location().get(at) == simdjson::SUCCESS && at >= buffer_.get() &&
        at <= buffer_.get() + size) {
      r.offset = static_cast<std::size_t>(at - buffer_.get());
    } else {
      r.offset = size;
    }
  }
  return r;
}

}  // namespace lapwise::parser::json

#include "pattern.h"

#include "lapwise/common/http_token.h"

namespace lapwise::router::detail {
namespace {

bool is_name(std::string_view name) noexcept {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string at(std::size_t pos) { return concat(" at position ", std::to_string(pos)); }

template <class... T>
insert_error syntax_error(const parsed_route& r, const T&... what) {
  return {insert_error_code::syntax, concat("syntax: \"", r.label, "\": ", what...)};
}

insert_error too_long(std::string_view what, std::size_t size, std::size_t max) {
  return {insert_error_code::too_long, concat("too long: ", what, " of ", std::to_string(size),
                                              " bytes (max ", std::to_string(max), ")")};
}

// The grammar proper; `out.label` is already set.
std::optional<insert_error> check_pattern(std::string_view pattern, parsed_route& out) {
  if (pattern.empty() || pattern[0] != '/') return syntax_error(out, "a pattern starts with '/'");
  std::size_t literal_start = 0;
  auto flush_literal = [&](std::size_t end) {
    if (end > literal_start) {
      out.parts.push_back(
          {part_kind::literal, pattern.substr(literal_start, end - literal_start), literal_start});
    }
  };
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '}') return syntax_error(out, "unbalanced '}'", at(i));
    if (c != '{') continue;
    std::size_t close = pattern.find_first_of("{}/", i + 1);
    if (close == std::string_view::npos || pattern[close] != '}') {
      return syntax_error(out, "unbalanced '{'", at(i));
    }
    std::string_view inner = pattern.substr(i + 1, close - i - 1);
    std::size_t colon = inner.find(':');
    std::string_view name = inner.substr(0, colon);
    part_kind kind = part_kind::param;
    if (colon != std::string_view::npos) {
      std::string_view conv = inner.substr(colon + 1);
      if (conv == "int") {
        kind = part_kind::int_param;
      } else if (conv == "path") {
        kind = part_kind::catch_all;
      } else {
        return syntax_error(out, "unknown converter \"", conv, "\"", at(i),
                            " (use {name}, {name:int} or {name:path})");
      }
    }
    if (name.empty()) return syntax_error(out, "empty parameter name", at(i));
    if (!is_name(name)) {
      return syntax_error(out, "invalid parameter name \"", name, "\"", at(i),
                          " (letters, digits and '_', not starting with a digit)");
    }
    // Whole segments only: "/a{id}" or "/{id}.json" would need sub-segment matching, which
    // neither router does (and which makes conflicts much harder to define).
    bool after_ok = close + 1 == pattern.size() || pattern[close + 1] == '/';
    if (pattern[i - 1] != '/' || !after_ok) {
      return syntax_error(out, "parameter ", spell(kind, name), at(i),
                          " must fill a whole segment");
    }
    if (kind == part_kind::catch_all && close + 1 != pattern.size()) {
      return syntax_error(out, "catch-all ", spell(kind, name), at(i), " must be the last part");
    }
    for (const part& p : out.parts) {
      if (p.kind != part_kind::literal && p.text == name) {
        return syntax_error(out, "parameter name \"", name, "\" used twice");
      }
    }
    flush_literal(i);
    out.parts.push_back({kind, name, i});
    ++out.param_count;
    literal_start = close + 1;
    i = close;
  }
  flush_literal(pattern.size());
  if (out.param_count > max_params) {
    return insert_error{
        insert_error_code::too_many_params,
        concat("too many parameters: \"", out.label, "\" has ", std::to_string(out.param_count),
               " (max ", std::to_string(max_params), ")")};
  }
  return std::nullopt;
}

}  // namespace

std::string spell(part_kind kind, std::string_view name) {
  std::string_view suffix = kind == part_kind::int_param   ? ":int"
                            : kind == part_kind::catch_all ? ":path"
                                                           : "";
  return concat("{", name, suffix, "}");
}

insert_error conflict_error(std::string_view new_label, const part& new_param,
                            std::string_view existing_label, part_kind existing_kind,
                            std::string_view existing_name) {
  return {insert_error_code::conflict,
          concat("conflict: \"", new_label, "\" vs existing \"", existing_label, "\": parameter ",
                 spell(new_param.kind, new_param.text), at(new_param.offset), " conflicts with ",
                 spell(existing_kind, existing_name))};
}

insert_error duplicate_error(std::string_view new_label, std::string_view existing_label,
                             std::uint32_t existing_value) {
  return {insert_error_code::duplicate,
          concat("duplicate: \"", new_label, "\" vs existing \"", existing_label, "\" (value ",
                 std::to_string(existing_value), ")")};
}

std::optional<insert_error> parse_route(std::string_view method, std::string_view pattern,
                                        parsed_route& out) {
  out = parsed_route{};
  // Lengths first, so that a huge input is never copied into a message.
  if (method.size() > max_method_length)
    return too_long("method", method.size(), max_method_length);
  if (pattern.size() > max_pattern_length) {
    return too_long("pattern", pattern.size(), max_pattern_length);
  }
  out.label = concat(method, " ", pattern);
  if (method.empty()) return syntax_error(out, "empty method");
  // Methods are tokens (RFC 9110 §9.1).
  if (!common::is_token(method)) return syntax_error(out, "method is not an HTTP token");
  return check_pattern(pattern, out);
}

std::optional<insert_error> parse_pattern(std::string_view pattern, parsed_route& out) {
  out = parsed_route{};
  if (pattern.size() > max_pattern_length) {
    return too_long("pattern", pattern.size(), max_pattern_length);
  }
  out.label = pattern;
  return check_pattern(pattern, out);
}

}  // namespace lapwise::router::detail

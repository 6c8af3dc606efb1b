// Importers from httprouter and Werkzeug syntax. Each rewrites the wildcards it knows and then
// runs the canonical validator over the result, so the output is always a valid pattern.
#include <string>

#include "lapwise/router/router.h"
#include "pattern.h"

namespace lapwise::router {
namespace {

struct failure {
  std::string message;
};

using detail::concat;

std::string quoted(std::string_view s) { return concat("\"", s, "\""); }
std::string at(std::size_t pos) { return concat(" at position ", std::to_string(pos)); }

bool is_segment_start(std::string_view p, std::size_t i) { return i > 0 && p[i - 1] == '/'; }

std::optional<failure> reject_braces(std::string_view p) {
  std::size_t brace = p.find_first_of("{}");
  if (brace == std::string_view::npos) return std::nullopt;
  return failure{concat(quoted(p), ": literal '", p.substr(brace, 1), "'", at(brace),
                        " cannot be expressed in canonical syntax")};
}

// `:name` -> `{name}`, `*name` -> `{name:path}`, `*` -> `{wildcard:path}`.
std::optional<failure> from_httprouter(std::string_view p, std::string& out) {
  if (auto f = reject_braces(p)) return f;
  for (std::size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c != ':' && c != '*') {
      out += c;
      continue;
    }
    if (!is_segment_start(p, i)) {
      return failure{
          concat(quoted(p), ": wildcard '", p.substr(i, 1), "'", at(i), " must start a segment")};
    }
    std::size_t end = detail::segment_end(p, i);
    std::string_view name = p.substr(i + 1, end - i - 1);
    if (c == '*') {
      if (end != p.size()) {
        return failure{concat(quoted(p), ": catch-all", at(i), " must be the last part")};
      }
      out.append("{").append(name.empty() ? "wildcard" : name).append(":path}");
    } else {
      if (name.empty()) return failure{concat(quoted(p), ": empty parameter name", at(i))};
      out.append("{").append(name).append("}");
    }
    i = end - 1;
  }
  return std::nullopt;
}

// `<name>`, `<string:name>` -> `{name}`; `<int:name>` -> `{name:int}`; `<path:name>` ->
// `{name:path}`.
std::optional<failure> from_werkzeug(std::string_view p, std::string& out) {
  if (auto f = reject_braces(p)) return f;
  for (std::size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '>') return failure{concat(quoted(p), ": unbalanced '>'", at(i))};
    if (c != '<') {
      out += c;
      continue;
    }
    std::size_t close = p.find_first_of("<>", i + 1);
    if (close == std::string_view::npos || p[close] != '>') {
      return failure{concat(quoted(p), ": unbalanced '<'", at(i))};
    }
    std::string_view inner = p.substr(i + 1, close - i - 1);
    std::size_t colon = inner.find(':');
    std::string_view conv = colon == std::string_view::npos ? "" : inner.substr(0, colon);
    std::string_view name = colon == std::string_view::npos ? inner : inner.substr(colon + 1);
    std::string_view suffix;
    if (conv == "int") {
      suffix = ":int";
    } else if (conv == "path") {
      suffix = ":path";
    } else if (!conv.empty() && conv != "string" && conv != "default") {
      return failure{concat(quoted(p), ": unsupported converter ", quoted(conv), at(i),
                            " (string, int and path are)")};
    }
    if (!is_segment_start(p, i) || (close + 1 != p.size() && p[close + 1] != '/')) {
      return failure{
          concat(quoted(p), ": variable ", quoted(inner), at(i), " must fill a whole segment")};
    }
    out.append("{").append(name).append(suffix).append("}");
    i = close;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> to_canonical(std::string_view pattern, syntax from, std::string* error) {
  auto fail = [&](std::string message) -> std::optional<std::string> {
    if (error) *error = std::move(message);
    return std::nullopt;
  };
  if (pattern.size() > max_pattern_length) {
    return fail(concat("too long: pattern of ", std::to_string(pattern.size()), " bytes (max ",
                       std::to_string(max_pattern_length), ")"));
  }
  std::string out;
  out.reserve(pattern.size() + 16);
  std::optional<failure> f;
  switch (from) {
    case syntax::canonical:
      out = pattern;
      break;
    case syntax::httprouter:
      f = from_httprouter(pattern, out);
      break;
    case syntax::werkzeug:
      f = from_werkzeug(pattern, out);
      break;
  }
  if (f) return fail(std::move(f->message));
  detail::parsed_route parsed;
  if (auto e = detail::parse_pattern(out, parsed)) {
    if (from != syntax::canonical)
      e->message.append(" (imported from ").append(quoted(pattern)).append(")");
    return fail(std::move(e->message));
  }
  return out;
}

}  // namespace lapwise::router

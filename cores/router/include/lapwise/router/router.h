// lapwise::router — HTTP request routing: the vocabulary both routers share (limits, results,
// errors, pattern import) and their one contract. The routers themselves: radix_router
// (radix_router.h, a compressed radix tree: the one to use) and linear_router (linear_router.h,
// the hash map + linear scan design kept for comparison).
//
// Contract of both routers (the whole of it; the adapters and the conformance tables rely on
// each line):
// - Patterns use the canonical syntax `{name}` (one non-empty segment, no '/'), `{name:int}`
//   (one segment of ASCII digits [0-9]+) and `{name:path}` (the rest of the path, '/' included,
//   possibly empty; only as the last part of a pattern). `to_canonical()` imports httprouter
//   (`:name`, `*name`) and Werkzeug (`<name>`, `<int:name>`, `<path:name>`) syntax.
// - Priority at each position: static text > `{name:int}`/`{name}` > `{name:path}`. When a
//   higher-priority branch fails further down, the lookup backtracks to the next one.
// - add() rejects, with a message naming both routes: a duplicate (same method, same pattern),
//   two different parameters at the same position (`{id}` vs `{name}`, `{id}` vs `{id:int}`,
//   also across methods; a pattern that differs only in parameter names is reported as this
//   conflict), malformed patterns or methods (RFC 9110 tokens), more than `max_params`
//   parameters, and patterns/methods over `max_pattern_length`/`max_method_length` bytes.
// - Paths are matched byte for byte, as given: the router does not percent-decode (the caller
//   passes the decoded path, like ASGI's scope["path"]), so "%2F" is three literal bytes.
//   Trailing slashes are significant: "/users/" does not match "/users" (no redirect here).
//   Empty segments are not collapsed: "/a//b" does not match "/a/{x}/b" ({name} needs one or more
//   bytes). Non-ASCII (UTF-8) bytes are ordinary bytes; `{name:int}` is ASCII [0-9]+ (no sign).
// - Parameters fill whole segments ("/a{id}" and "/{id}.json" are syntax errors); names are
//   [A-Za-z_][A-Za-z0-9_]*, unique within a pattern. There is no escape for a literal '{' or '}'.
//   `/static/{p:path}` matches "/static/" (p = "") but not "/static".
// - A request that matches several routes gets the highest-priority one registered for its
//   method; only if none has the method is it a 405, whose allowed list is the one of the
//   highest-priority route matching the path. HEAD is not mapped to GET.
// - Methods are case-sensitive tokens; a path that matches a route under other methods only
//   gives `status::method_not_allowed` with the allowed list ("GET, POST", in insertion order).
// - match() never allocates; parameter values are views into the caller's path and names are
//   views into the router, valid until the router is modified or destroyed. When found, params
//   [0, param_count) are the pattern's parameters in pattern order; otherwise param_count is 0.
// - const members may run concurrently; add() needs exclusive access. A moved-from router is
//   empty and reusable. Only the cost differs: radix_router's lookup follows the path (tree
//   depth), linear_router's grows with the number of patterned routes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lapwise::router {

inline constexpr std::size_t max_params = 16;
inline constexpr std::size_t max_pattern_length = 4096;
inline constexpr std::size_t max_method_length = 32;

struct param {
  std::string_view name;
  std::string_view value;
};

enum class status : std::uint8_t { found, not_found, method_not_allowed };

struct match_result {
  status kind = status::not_found;
  std::uint32_t value = 0;   // the route's value when kind == found
  std::string_view allowed;  // "GET, POST" when kind == method_not_allowed (else empty)
  std::array<param, max_params> params{};
  std::size_t param_count = 0;

  [[nodiscard]] bool found() const noexcept { return kind == status::found; }
};

enum class insert_error_code : std::uint8_t {
  syntax,
  duplicate,
  conflict,
  too_many_params,
  too_long
};

struct insert_error {
  insert_error_code code;
  std::string message;  // names the new route and, for duplicate/conflict, the existing one
};

enum class syntax : std::uint8_t { canonical, httprouter, werkzeug };

// Rewrites a pattern from `from` syntax to canonical syntax, or returns std::nullopt and (if
// `error` is given) a message naming the offending part. Canonical input is validated and
// returned unchanged. The output is always a valid canonical pattern.
// - httprouter: `:name` -> `{name}`, `*name` -> `{name:path}`, a bare `*` -> `{wildcard:path}`.
//   Wildcards must start a segment, and `*` must be last. Note httprouter's catch-all value
//   keeps the leading '/' ("/static/*fp" on "/static/a.css" gives fp = "/a.css"), while the
//   canonical import `/static/{fp:path}` gives fp = "a.css": the '/' stays in the static part.
// - Werkzeug: `<name>`, `<string:name>` -> `{name}`, `<int:name>` -> `{name:int}`,
//   `<path:name>` -> `{name:path}` (last part only); other converters and converter
//   arguments (`<string(length=2):x>`) are errors.
// - Literal '{' or '}' in non-canonical input cannot be expressed and is an error.
[[nodiscard]] std::optional<std::string> to_canonical(std::string_view pattern, syntax from,
                                                      std::string* error = nullptr);

}  // namespace lapwise::router

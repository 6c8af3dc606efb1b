// Internal: the canonical pattern grammar and the route vocabulary both routers share, so that
// they accept, reject, order and describe routes identically (the fuzzer checks they agree).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bytes.h"
#include "lapwise/router/router.h"

namespace lapwise::router::detail {

// Joins strings by appending (messages are built this way: `"x" + std::string` trips GCC 12's
// -Wrestrict false positive).
template <class... T>
[[nodiscard]] std::string concat(const T&... pieces) {
  std::string s;
  (s.append(std::string_view(pieces)), ...);
  return s;
}

enum class part_kind : std::uint8_t { literal, param, int_param, catch_all };

// One piece of a pattern: a run of literal bytes, or one parameter. Parameters always fill a
// whole segment, so a literal before a parameter ends with '/' and one after it starts with '/'.
struct part {
  part_kind kind = part_kind::literal;
  std::string_view text;   // the literal bytes, or the parameter's name
  std::size_t offset = 0;  // byte offset in the pattern (of '{' for a parameter)
};

// A validated `method pattern`. `parts` view into the caller's pattern.
struct parsed_route {
  std::string label;  // `GET /u/{id}`: how error messages name the route
  std::vector<part> parts;
  std::size_t param_count = 0;
};

// Validates `method` (an RFC 9110 token of at most max_method_length bytes) and the canonical
// `pattern`; fills `out` or returns the error add() reports. Checks, in order: lengths, method,
// pattern syntax (first problem from the left), parameter count.
[[nodiscard]] std::optional<insert_error> parse_route(std::string_view method,
                                                      std::string_view pattern, parsed_route& out);

// The same checks for a pattern alone (to_canonical); `out.label` is the pattern.
[[nodiscard]] std::optional<insert_error> parse_pattern(std::string_view pattern,
                                                        parsed_route& out);

// Two parameters at the same position are compatible only if kind and name are equal.
[[nodiscard]] inline bool same_param(part_kind ka, std::string_view na, part_kind kb,
                                     std::string_view nb) noexcept {
  return ka == kb && na == nb;
}

// `{id}`, `{id:int}`, `{rest:path}`.
[[nodiscard]] std::string spell(part_kind kind, std::string_view name);

// `conflict: "GET /u/{name}" vs existing "GET /u/{id}": parameter {name} at position 3
// conflicts with {id}`.
[[nodiscard]] insert_error conflict_error(std::string_view new_label, const part& new_param,
                                          std::string_view existing_label, part_kind existing_kind,
                                          std::string_view existing_name);

// `duplicate: "GET /a" vs existing "GET /a" (value 3)`.
[[nodiscard]] insert_error duplicate_error(std::string_view new_label,
                                           std::string_view existing_label,
                                           std::uint32_t existing_value);

// True if `seg` (one non-empty segment) is accepted by a parameter of `kind`.
[[nodiscard]] inline bool param_accepts(part_kind kind, std::string_view seg) noexcept {
  if (kind != part_kind::int_param) return true;
  for (char c : seg) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Where the segment starting at `pos` ends: the next '/' or the end of `path`.
[[nodiscard]] inline std::size_t segment_end(std::string_view path, std::size_t pos) noexcept {
  return pos + find_slash(path.data() + pos, path.size() - pos);
}

}  // namespace lapwise::router::detail

// Longest match against the 2,231 names: the only names a ';' can end are the whole run of
// alphanumerics before it, and names without ';' are the 106 legacy ones of at most six bytes,
// so a lookup is one binary search for "run;" and at most six for the run's prefixes.
#include "named_refs.h"

#include <algorithm>

namespace lapwise::html::detail {
namespace {

struct named_entity {
  std::uint16_t name_offset;
  std::uint8_t name_length;
  std::uint8_t value_length;
  std::uint16_t value_offset;
};

#include "entities.inc"

std::string_view name_of(const named_entity& e) noexcept {
  return {entity_name_bytes + e.name_offset, e.name_length};
}

// Where the names starting with each byte begin (sorted table), so a search covers one letter.
struct first_byte_index {
  std::uint16_t begin[257];
};
constexpr first_byte_index make_index() {
  first_byte_index x{};
  std::size_t i = 0;
  for (int b = 0; b < 256; ++b) {
    x.begin[b] = static_cast<std::uint16_t>(i);
    while (i < named_entity_count &&
           static_cast<unsigned char>(entity_name_bytes[named_entities[i].name_offset]) == b) {
      ++i;
    }
  }
  x.begin[256] = static_cast<std::uint16_t>(i);
  return x;
}
constexpr first_byte_index by_first_byte = make_index();

const named_entity* find_exact(std::string_view name) noexcept {
  auto b = static_cast<unsigned char>(name[0]);
  const named_entity* first = named_entities + by_first_byte.begin[b];
  const named_entity* last = named_entities + by_first_byte.begin[b + 1];
  const named_entity* it = std::lower_bound(
      first, last, name, [](const named_entity& e, std::string_view n) { return name_of(e) < n; });
  return it != last && name_of(*it) == name ? it : nullptr;
}

bool is_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

named_ref_match make(const named_entity& e) noexcept {
  return {e.name_length,
          {entity_value_bytes + e.value_offset, e.value_length},
          entity_name_bytes[e.name_offset + e.name_length - 1] == ';'};
}

}  // namespace

named_ref_match match_named_ref(const char* p, const char* end) noexcept {
  std::size_t avail = static_cast<std::size_t>(end - p);
  std::size_t run = 0;
  while (run < avail && run < longest_entity_name && is_alnum(p[run])) ++run;
  if (run == 0) return {};
  if (run < avail && p[run] == ';' && run + 1 <= longest_entity_name) {
    if (const named_entity* e = find_exact({p, run + 1})) return make(*e);
  }
  for (std::size_t n = std::min(run, longest_legacy_entity_name); n > 0; --n) {
    if (const named_entity* e = find_exact({p, n})) return make(*e);
  }
  return {};
}

}  // namespace lapwise::html::detail

// The named character reference table and its longest-match lookup (tokenizer internals).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lapwise::html::detail {

struct named_ref_match {
  std::size_t length = 0;  // input bytes the name takes (with its ';'), 0 when nothing matched
  std::string_view value;  // the replacement, UTF-8
  bool ends_with_semicolon = false;
};

// The longest name of the table that [p, end) starts with; p is just past the '&'.
named_ref_match match_named_ref(const char* p, const char* end) noexcept;

}  // namespace lapwise::html::detail

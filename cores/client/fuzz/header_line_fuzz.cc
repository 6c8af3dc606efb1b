// Header-line classification on arbitrary bytes: no crash, views stay inside the input, and a
// field's value carries no CR/LF/NUL and no outer blanks.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "lapwise/client/header_line.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto got = lapwise::client::parse_header_line(line);
  using kind = lapwise::client::header_line::kind;
  auto inside = [&](std::string_view v) {
    return v.empty() ||
           (v.data() >= line.data() && v.data() + v.size() <= line.data() + line.size());
  };
  if (!inside(got.name) || !inside(got.value)) std::abort();
  if (got.type == kind::status && (got.status < 0 || got.status > 999)) std::abort();
  if (got.type == kind::field) {
    if (got.name.empty()) std::abort();
    for (char c : got.value) {
      if (c == '\r' || c == '\n' || c == '\0') std::abort();
    }
    if (!got.value.empty() && (got.value.front() == ' ' || got.value.back() == ' ')) std::abort();
  }
  return 0;
}

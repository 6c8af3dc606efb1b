// Internal seams of the HTTP parser: the per-instruction-set entry points (one table per
// scanner, see http_head_impl.h) and the scanner-independent semantic checks.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include "lapwise/parser/http.h"
#include "lapwise/parser/http_scan.h"

namespace lapwise::parser::detail {

// Header fields up to and including the empty line, as in a head or a chunked trailer section.
struct fields_result {
  parse_result result;  // consumed = bytes up to and including the empty line's CRLF
  std::size_t count = 0;
};

struct http_entry_points {
  parse_result (*request_head)(std::string_view, request&, std::span<header>,
                               const limits&) noexcept;
  parse_result (*response_head)(std::string_view, std::string_view, response&, std::span<header>,
                                const limits&) noexcept;
  // At most `max_count` fields into storage; more than `max_bytes` without the end is 431.
  fields_result (*fields)(std::string_view, std::span<header>, std::size_t max_count,
                          std::size_t max_bytes) noexcept;
};

extern const http_entry_points scalar_entry_points;
extern const http_entry_points sse42_entry_points;
extern const http_entry_points avx2_entry_points;
extern const http_entry_points avx512_entry_points;

// The table of the active scanner (chosen on first use, see http_scan.h).
const http_entry_points& entry_points() noexcept;

// After the syntax pass: target form, Host, framing, keep-alive. Reads out.headers etc.
error_code finish_request(request& out, const limits& lim) noexcept;
error_code finish_response(response& out, std::string_view request_method,
                           const limits& lim) noexcept;

}  // namespace lapwise::parser::detail

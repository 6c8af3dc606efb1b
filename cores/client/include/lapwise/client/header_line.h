// One line of a response head as libcurl hands it over (status line or field line, with its
// CRLF). Input is untrusted bytes: anything that is not a well-formed line is `invalid`.
#pragma once

#include <string_view>

namespace lapwise::client {

struct header_line {
  enum class kind { status, field, end, invalid };
  kind type = kind::invalid;
  int status = 0;          // kind::status: the three-digit code
  std::string_view name;   // kind::field: RFC 9110 token, as sent (not lower-cased)
  std::string_view value;  // kind::field: without leading/trailing spaces and tabs
};

// Classifies `line`: "HTTP/1.1 200 OK\r\n" and "HTTP/2 200\r\n" are status lines; "\r\n" ends
// the head; "Name: value\r\n" is a field. Obsolete line folding (a line starting with a space)
// and names with non-token bytes are invalid; so are CR, LF or NUL inside a value.
header_line parse_header_line(std::string_view line) noexcept;

}  // namespace lapwise::client

#include "lapwise/client/header_line.h"

#include "lapwise/common/http_token.h"

namespace lapwise::client {
namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

std::string_view strip_eol(std::string_view s) noexcept {
  if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

// "HTTP/1.1 200 OK", "HTTP/2 200": version, one space, three digits, then end or a space.
header_line status_line(std::string_view s) noexcept {
  std::size_t sp = s.find(' ');
  if (sp == std::string_view::npos || sp < 6) return {};
  std::string_view version = s.substr(5, sp - 5);
  for (char c : version) {
    if (!is_digit(c) && c != '.') return {};
  }
  std::string_view rest = s.substr(sp + 1);
  if (rest.size() < 3 || !is_digit(rest[0]) || !is_digit(rest[1]) || !is_digit(rest[2])) return {};
  if (rest.size() > 3 && rest[3] != ' ') return {};
  header_line out;
  out.type = header_line::kind::status;
  out.status = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
  return out;
}

}  // namespace

header_line parse_header_line(std::string_view line) noexcept {
  std::string_view s = strip_eol(line);
  if (s.empty()) {
    header_line end;
    end.type = header_line::kind::end;
    return end;
  }
  if (s.substr(0, 5) == "HTTP/") return status_line(s);
  std::size_t colon = s.find(':');
  if (colon == 0 || colon == std::string_view::npos) return {};
  std::string_view name = s.substr(0, colon);
  if (!common::is_token(name)) return {};
  std::string_view value = s.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (common::contains_cr_lf_nul(value)) return {};
  header_line out;
  out.type = header_line::kind::field;
  out.name = name;
  out.value = value;
  return out;
}

}  // namespace lapwise::client

#include "lapwise/load/request_set.h"

#include <charconv>

#include "lapwise/common/http_token.h"

namespace lapwise::load {
namespace {

bool is_target(std::string_view s) {
  if (s.empty() || s[0] != '/') return false;
  for (unsigned char c : s)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Splits off the next space-separated word of s.
std::string_view next_word(std::string_view& s) {
  s = trim(s);
  const auto end = s.find_first_of(" \t");
  std::string_view word = s.substr(0, end);
  s = end == std::string_view::npos ? std::string_view{} : s.substr(end);
  return word;
}

template <class T>
bool parse_int(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// "STATUS [LENGTH]" into spec; false with a message on error.
bool parse_expect(std::string_view rest, request_spec& spec, std::string& error) {
  std::string_view status = next_word(rest);
  std::string_view length = next_word(rest);
  if (!trim(rest).empty()) {
    error = "expected at most STATUS LENGTH";
    return false;
  }
  if (!status.empty() && (!parse_int(status, spec.expect_status) || spec.expect_status < 100 ||
                          spec.expect_status > 999)) {
    error = "status must be 100..999, got '" + std::string(status) + "'";
    return false;
  }
  if (!length.empty() && (!parse_int(length, spec.expect_length) || spec.expect_length < -1)) {
    error = "length must be >= 0 (or -1 for any), got '" + std::string(length) + "'";
    return false;
  }
  return true;
}

bool has_header(const request_spec& spec, std::string_view name) {
  for (const auto& [n, v] : spec.headers) {
    if (n.size() != name.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < n.size() && same; ++i) same = (n[i] | 0x20) == (name[i] | 0x20);
    if (same) return true;
  }
  return false;
}

}  // namespace

parsed_requests parse_request_line(std::string_view line) {
  parsed_requests out;
  request_spec spec;
  std::string_view rest = line;
  std::string_view method = next_word(rest);
  std::string_view target = next_word(rest);
  if (!common::is_token(method)) {
    out.error = "bad method '" + std::string(method) + "' in '" + std::string(line) + "'";
    return out;
  }
  if (!is_target(target)) {
    out.error = "bad target '" + std::string(target) + "' (origin form: '/', then 0x21-0x7E)";
    return out;
  }
  spec.method = method;
  spec.target = target;
  if (!parse_expect(rest, spec, out.error)) {
    out.error = "'" + std::string(line) + "': " + out.error;
    return out;
  }
  out.requests.push_back(std::move(spec));
  return out;
}

bool parse_header_line(std::string_view line, std::pair<std::string, std::string>& out,
                       std::string& error) {
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || !common::is_token(line.substr(0, colon))) {
    error = "bad header '" + std::string(line) + "' (want 'Name: value')";
    return false;
  }
  std::string_view value = trim(line.substr(colon + 1));
  if (!common::is_field_value(value)) {
    error = "control byte in the value of header '" + std::string(line.substr(0, colon)) + "'";
    return false;
  }
  out = {std::string(line.substr(0, colon)), std::string(value)};
  return true;
}

parsed_requests parse_request_file(std::string_view text, std::string_view where) {
  parsed_requests out;
  std::size_t lineno = 0;
  auto fail = [&](const std::string& msg) {
    out.requests.clear();
    out.error = std::string(where) + ":" + std::to_string(lineno) + ": " + msg;
    return out;
  };
  while (!text.empty()) {
    ++lineno;
    const auto nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    std::string_view rest = line;
    std::string_view word = next_word(rest);
    if (word == "header" || word == "body" || word == "expect") {
      if (out.requests.empty()) {
        std::string msg(word);  // built in steps: GCC 12 warns (falsely) on "'" + string
        msg.insert(0, 1, '\'');
        msg += "' before any request";
        return fail(msg);
      }
      request_spec& spec = out.requests.back();
      std::string error;
      if (word == "header") {
        std::pair<std::string, std::string> h;
        if (!parse_header_line(trim(rest), h, error)) return fail(error);
        spec.headers.push_back(std::move(h));
      } else if (word == "body") {
        // Verbatim after the single separating space (trailing blanks are the body's own).
        std::string_view body = raw.substr(raw.find("body") + 4);
        if (!body.empty() && body.front() == ' ') body.remove_prefix(1);
        spec.body.assign(body);
      } else if (!parse_expect(rest, spec, error)) {
        return fail(error);
      }
      continue;
    }
    parsed_requests one = parse_request_line(line);
    if (!one.error.empty()) return fail(one.error);
    out.requests.push_back(std::move(one.requests.front()));
  }
  if (out.requests.empty()) {
    out.error = std::string(where) + ": no requests";
  }
  return out;
}

std::string serialize(const request_spec& spec, std::string_view host_port, std::string& error) {
  error.clear();
  if (!common::is_token(spec.method)) {
    error = "bad method '" + spec.method + "'";
    return {};
  }
  if (!is_target(spec.target)) {
    error = "bad target '" + spec.target + "'";
    return {};
  }
  std::string out;
  out.append(spec.method).append(" ").append(spec.target).append(" HTTP/1.1\r\n");
  if (!has_header(spec, "host")) out += "Host: " + std::string(host_port) + "\r\n";
  for (const auto& [name, value] : spec.headers) {
    if (!common::is_token(name) || !common::is_field_value(value)) {
      error = "bad header '" + name + "'";
      return {};
    }
    out.append(name).append(": ").append(value).append("\r\n");
  }
  const bool body_method = spec.method == "POST" || spec.method == "PUT" || spec.method == "PATCH";
  if ((!spec.body.empty() || body_method) && !has_header(spec, "content-length") &&
      !has_header(spec, "transfer-encoding")) {
    out += "Content-Length: " + std::to_string(spec.body.size()) + "\r\n";
  }
  out += "\r\n";
  out += spec.body;
  return out;
}

}  // namespace lapwise::load

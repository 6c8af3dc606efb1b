// Response heads, the Date text, the route table and the pre-rendered const responses.
#include "lapwise/server/render.h"

#include <charconv>
#include <cstring>
#include <ctime>
#include <utility>

#include "access_log.h"
#include "lapwise/common/http_token.h"
#include "lapwise/server/session.h"

namespace lapwise::server {

namespace detail {

void format_http_date(std::int64_t unix_seconds, char* out) noexcept {
  static constexpr char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  auto two = [](char* p, int v) {
    p[0] = static_cast<char>('0' + v / 10);
    p[1] = static_cast<char>('0' + v % 10);
  };
  std::memcpy(out, days[tm.tm_wday % 7], 3);
  out[3] = ',';
  out[4] = ' ';
  two(out + 5, tm.tm_mday);
  out[7] = ' ';
  std::memcpy(out + 8, months[tm.tm_mon % 12], 3);
  out[11] = ' ';
  const int year = (tm.tm_year + 1900) % 10000;
  two(out + 12, year / 100);
  two(out + 14, year % 100);
  out[16] = ' ';
  two(out + 17, tm.tm_hour);
  out[19] = ':';
  two(out + 20, tm.tm_min);
  out[22] = ':';
  two(out + 23, tm.tm_sec);
  std::memcpy(out + 25, " GMT", 4);
}

std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::size_t render_response(std::string& out, const head_fields& h, std::string_view body,
                            bool with_body) {
  int status = h.status;
  if (status < 200 || status > 999) status = 500;  // 1xx is never a final response
  // RFC 9110 §8.6: no Content-Length (and no body) with 204 and 304.
  const bool bodyless = status == 204 || status == 304;
  if (bodyless) body = {};
  char num[24];
  out.reserve(out.size() + 160 + h.server_name.size() + h.content_type.size() + h.headers.size() +
              (with_body ? body.size() : 0));
  out += "HTTP/1.1 ";
  auto [p, ec] = std::to_chars(num, num + sizeof num, status);
  out.append(num, p);
  out += ' ';
  out += reason_phrase(status);
  out += "\r\nServer: ";
  out += h.server_name;
  out += "\r\nDate: ";
  const std::size_t date_at = out.size();
  out.append(h.date, date_length);
  out += "\r\n";
  if (!h.content_type.empty()) {
    out += "Content-Type: ";
    out += h.content_type;
    out += "\r\n";
  }
  if (!bodyless) {
    if (h.frame == head_fields::framing::length) {
      out += "Content-Length: ";
      auto [q, ec2] = std::to_chars(num, num + sizeof num, body.size() + h.extra_length);
      out.append(num, q);
      out += "\r\n";
    } else if (h.frame == head_fields::framing::chunked) {
      out += "Transfer-Encoding: chunked\r\n";
    }
  }
  out += h.headers;
  if (h.close) {
    out += "Connection: close\r\n";
  } else if (h.keep_alive10) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  if (with_body) out += body;
  return date_at;
}

}  // namespace detail

// ------------------------------------------------------------------------ response checking

namespace {

bool iequals(std::string_view a, std::string_view lower) noexcept {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if ((a[i] | 0x20) != lower[i]) return false;
  }
  return true;
}

// Quoted for a message: at most 60 bytes, control bytes as \xNN, so that the message itself
// cannot carry what it complains about into a log line.
std::string quoted(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string q = "'";
  for (char c : s.substr(0, 60)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      q.append("\\x").push_back(hex[u >> 4]);
      q.push_back(hex[u & 15]);
    } else {
      q.push_back(c);
    }
  }
  if (s.size() > 60) q += "...";
  return q + "'";
}

}  // namespace

std::optional<std::string> validate_header(std::string_view name, std::string_view value) {
  if (!common::is_token(name)) {
    return "response header name " + quoted(name) + ": not a token";
  }
  // A CR or LF would end the header line early and let the rest of the value become headers,
  // or a whole response, of its author's choosing (response splitting).
  if (!common::is_field_value(value)) {
    return "response header " + quoted(name) +
           ": CR, LF and NUL (and other control bytes) are not allowed in values";
  }
  // The server frames the message and names itself: a second copy of these would contradict
  // it (two Content-Lengths are a smuggling vector). Content-Type has its own field.
  for (std::string_view own :
       {"content-length", "transfer-encoding", "connection", "date", "server", "content-type"}) {
    if (iequals(name, own)) {
      return "response header " + quoted(name) +
             (own == "content-type" ? " goes in response::content_type" : " is set by the server");
    }
  }
  return std::nullopt;
}

std::optional<std::string> validate_response(const response& r) {
  if (!common::is_field_value(r.content_type)) {
    return "response content type " + quoted(r.content_type) +
           ": CR, LF and NUL (and other control bytes) are not allowed in values";
  }
  std::string_view rest = r.headers;
  while (!rest.empty()) {
    const std::size_t end = rest.find("\r\n");
    if (end == std::string_view::npos) {
      return "response headers " + quoted(rest) + ": each line must end with CRLF";
    }
    const std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return "response header line " + quoted(line) + ": no ':' after the name";
    }
    if (auto err = validate_header(line.substr(0, colon), line.substr(colon + 1))) return err;
  }
  return std::nullopt;
}

// ------------------------------------------------------------------------------ route_table

route_table::route_table() = default;
route_table::~route_table() = default;
route_table::route_table(route_table&&) noexcept = default;
route_table& route_table::operator=(route_table&&) noexcept = default;

std::optional<std::string> route_table::add(std::string_view method, std::string_view pattern,
                                            entry e) {
  const auto value = static_cast<std::uint32_t>(entries_.size());
  if (auto err = router_.add(method, pattern, value)) return std::move(err->message);
  entries_.push_back(std::move(e));
  return std::nullopt;
}

std::optional<std::string> route_table::add_const(std::string_view method, std::string_view pattern,
                                                  response r) {
  if (auto err = validate_response(r)) return err;
  return add(method, pattern, entry{true, 0, std::move(r)});
}

std::optional<std::string> route_table::add_dynamic(std::string_view method,
                                                    std::string_view pattern, std::uint32_t id,
                                                    std::uint64_t max_body) {
  if (max_body == 0) return "a route's max_body must be positive";
  auto err = add(method, pattern, entry{false, id, {}, max_body});
  if (!err && max_body != server_body_limit) largest_body_ = std::max(largest_body_, max_body);
  return err;
}

void route_table::set_unmatched(std::uint32_t id) {
  unmatched_ = static_cast<std::uint32_t>(entries_.size());
  entries_.push_back(entry{false, id, {}});  // reached through unmatched(), not the router
}

// ---------------------------------------------------------------------------------- service

service::service(config cfg, route_table routes)
    : cfg_(std::move(cfg)), routes_(std::move(routes)), server_max_body_(cfg_.limits.max_body) {
  if (!cfg_.access_log.empty()) access_ = std::make_shared<detail::access_log>(cfg_.access_log);
  // The parser lets through the largest limit any route has; the session holds each request
  // to its own route's (session::body_limit).
  if (routes_.has_body_limits()) {
    cfg_.limits.max_body = std::max(cfg_.limits.max_body, routes_.largest_body_limit());
  }
  expected_ = std::make_unique<std::atomic<std::size_t>[]>(routes_.entries().size());
  for (std::size_t i = 0; i < routes_.entries().size(); ++i) expected_[i] = cfg_.max_output;
  static constexpr char placeholder[detail::date_length + 1] = "Thu, 01 Jan 1970 00:00:00 GMT";
  rendered_.resize(routes_.entries().size());
  for (std::size_t i = 0; i < rendered_.size(); ++i) {
    const route_table::entry& e = routes_.entries()[i];
    if (!e.is_const) continue;
    for (int v = 0; v < 3; ++v) {
      detail::head_fields h{e.fixed.status,  cfg_.server_name, placeholder, e.fixed.content_type,
                            e.fixed.headers, v == 1,           v == 2};
      rendered_[i].date_at[v] = detail::render_response(rendered_[i].bytes[v], h, e.fixed.body);
    }
  }
}

}  // namespace lapwise::server

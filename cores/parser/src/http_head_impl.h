// The syntax pass of the head parsers, written once over a scanner policy and compiled once per
// instruction set: http_scan_{scalar,sse42,avx2}.cc include this file inside their own target
// region, so the vector scans inline into the loops. Everything here has internal linkage
// (anonymous namespace): the three copies never meet at link time.
//
// A Scan policy is default-constructed once per parse (a vector scanner keeps its constants in
// it, so they stay in registers across the loops) and provides three functions; each returns the
// first byte in [p, end) outside its class, or end, and never reads at or past end:
//   name_end(p, end):   not a tchar (':' ends a field name)
//   value_end(p, end):  not field-vchar/SP/HTAB/obs-text, i.e. a CTL or DEL (CR ends a line)
//   target_end(p, end): outside 0x21-0x7E, or '#' (SP ends the request-target; a fragment is
//                       never sent, RFC 9112 §3.2)
//
// Limits are enforced by bounding the scan: the request line is parsed in at most
// max_request_line + 2 bytes and the header section in at most max_header_bytes, so running out
// of bytes before the real end of the buffer means "too long", and no scan is unbounded.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

#include "http_chars.h"
#include "http_impl.h"

namespace lapwise::parser::detail {
namespace {

// Pointer past what a step parsed, or nullptr with err (error_code::none: need more bytes).
struct step {
  const char* next;
  error_code err;
};

constexpr step more_step{nullptr, error_code::none};
constexpr step fail(error_code e) { return {nullptr, e}; }

constexpr parse_result need_more_result{parse_status::need_more, 0, error_code::none};
constexpr parse_result error_result(error_code e) { return {parse_status::error, 0, e}; }

// When a step stopped short: its error, or "need more" unless the scan was cut by a limit.
inline parse_result stopped(step s, const char* bound, const char* end, error_code too_long) {
  if (s.err != error_code::none) return error_result(s.err);
  return bound != end ? error_result(too_long) : need_more_result;
}

inline std::uint64_t load8(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// CRLF at p; `other` names what a byte other than CR or LF breaks.
inline step expect_crlf(const char* p, const char* end, error_code other) {
  if (p == end) return more_step;
  if (*p != '\r') return fail(*p == '\n' ? error_code::bad_line_ending : other);
  if (p + 1 == end) return more_step;
  if (p[1] != '\n') return fail(error_code::bad_line_ending);
  return {p + 2, error_code::none};
}

// HTTP-version = "HTTP/" DIGIT "." DIGIT; only 1.0 and 1.1 are accepted (others: 505).
inline step parse_version(const char* p, const char* end, int& minor) {
  if (end - p >= 8) {  // the common case in one compare
    std::uint64_t v = load8(p);
    if (v == load8("HTTP/1.1")) return minor = 1, step{p + 8, error_code::none};
    if (v == load8("HTTP/1.0")) return minor = 0, step{p + 8, error_code::none};
  }
  constexpr std::string_view shape = "HTTP/0.0";
  for (int i = 0; i < 8; ++i) {
    if (p + i == end) return more_step;
    bool ok = (i == 5 || i == 7) ? is_digit(p[i]) : p[i] == shape[i];
    if (!ok) return fail(error_code::bad_version);
  }
  return fail(error_code::unsupported_version);
}

// field-line = field-name ":" OWS field-value OWS CRLF, repeated until an empty line. The count
// lives in a local until the end: stores into `out` (string_view sizes) could alias a
// std::size_t&, which would otherwise force a reload and a store of it per field.
// A Scan policy may also read whole lines at once (see http_scan_block.h):
//   field_lines(lo, p, end, out, cap, n): lines from p while plainly valid; returns the start of
//                       the first line left to this loop, with n updated; reads only [lo, end).
template <class Scan>
step parse_fields(const Scan& scan_in, const char* lo, const char* p, const char* end, header* out,
                  std::size_t cap, std::size_t& count) {
  // A local copy: stores to `out` cannot alias it, so it stays in registers (GCC rebuilds a
  // freshly constructed one at each use instead).
  const Scan scan = scan_in;
  std::size_t n = count;
  auto done = [&](step s) {
    count = n;
    return s;
  };
  if constexpr (requires { scan.field_lines(lo, p, end, out, cap, n); }) {
    p = scan.field_lines(lo, p, end, out, cap, n);
  }
  for (;;) {
    if (p == end) return done(more_step);
    if (*p == '\r') return done(expect_crlf(p, end, error_code::bad_line_ending));  // empty line
    const char* name = p;
    p = scan.name_end(p, end);
    if (p == end) return done(more_step);
    if (*p != ':' || p == name) [[unlikely]] {
      bool ws = *p == ' ' || *p == '\t';
      if (p != name) {
        return done(fail(ws ? error_code::space_before_colon : error_code::bad_header_name));
      }
      if (ws) return done(fail(error_code::obs_fold));  // a line starting with whitespace
      return done(fail(*p == '\n' ? error_code::bad_line_ending : error_code::bad_header_name));
    }
    if (n == cap) return done(fail(error_code::too_many_headers));
    std::size_t name_len = static_cast<std::size_t>(p - name);
    ++p;
    // The value scan runs from just after the colon (SP and HTAB do not stop it); OWS is
    // trimmed afterwards, within a line known to end in CRLF, so without bound checks.
    const char* q = scan.value_end(p, end);
    if (end - q < 2) [[unlikely]] {  // no room for CRLF: cut short, or a bad byte at the end
      if (q == end || *q == '\r') return done(more_step);
      return done(fail(*q == '\n' ? error_code::bad_line_ending : error_code::bad_header_value));
    }
    if (q[0] != '\r' || q[1] != '\n') [[unlikely]] {
      if (*q == '\r') return done(fail(error_code::bad_line_ending));
      return done(fail(*q == '\n' ? error_code::bad_line_ending : error_code::bad_header_value));
    }
    const char* value = p;
    value += *value == ' ';  // the usual single SP; *q (CR) ends every skip
    if (static_cast<unsigned char>(*value) <= ' ') [[unlikely]] {  // more OWS, or no value
      while (*value == ' ' || *value == '\t') ++value;
    }
    const char* value_end = q;
    // OWS at the end; q[-1] is at worst the colon.
    if (static_cast<unsigned char>(q[-1]) <= ' ') [[unlikely]] {
      while (value_end != value && (value_end[-1] == ' ' || value_end[-1] == '\t')) --value_end;
    }
    out[n++] = header{{name, name_len}, {value, static_cast<std::size_t>(value_end - value)}};
    p = q + 2;
  }
}

inline const char* bound(const char* p, const char* end, std::size_t limit) {
  return p + std::min<std::size_t>(static_cast<std::size_t>(end - p), limit);
}

template <class Scan>
parse_result request_head(std::string_view buf, request& out, std::span<header> storage,
                          const limits& lim) noexcept {
  const Scan scan{};
  out = request{};
  const char* const begin = buf.data();
  const char* const end = begin + buf.size();
  const char* const line_end = bound(begin, end, lim.max_request_line + 2);
  auto line_stopped = [&](step s) {
    return stopped(s, line_end, end, error_code::request_line_too_long);
  };
  const char* p = begin;
  while (p != line_end && *p == '\r') {  // empty lines before the request line (§2.2)
    step s = expect_crlf(p, line_end, error_code::bad_line_ending);
    if (!s.next) return line_stopped(s);
    p = s.next;
  }
  const char* method = p;
  while (p != line_end && in(tchar_table, *p)) ++p;
  if (p == line_end) return line_stopped(more_step);
  if (*p != ' ' || p == method) {
    return error_result(*p == '\n' ? error_code::bad_line_ending : error_code::bad_request_line);
  }
  out.method = {method, static_cast<std::size_t>(p - method)};
  const char* target = ++p;
  p = scan.target_end(p, line_end);
  if (p == line_end) return line_stopped(more_step);
  if (*p != ' ' || p == target) return error_result(error_code::bad_request_line);
  out.target = {target, static_cast<std::size_t>(p - target)};
  step s = parse_version(p + 1, line_end, out.version_minor);
  if (s.next) s = expect_crlf(s.next, line_end, error_code::bad_version);
  if (!s.next) return line_stopped(s);
  p = s.next;

  const char* const fields_end = bound(p, end, lim.max_header_bytes);
  std::size_t count = 0;
  s = parse_fields(scan, begin, p, fields_end, storage.data(),
                   std::min(storage.size(), lim.max_headers), count);
  if (!s.next) return stopped(s, fields_end, end, error_code::headers_too_large);
  out.headers = {storage.data(), count};
  out.head_size = static_cast<std::size_t>(s.next - begin);
  if (error_code e = finish_request(out, lim); e != error_code::none) return error_result(e);
  return {parse_status::complete, out.head_size, error_code::none};
}

// status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF; "200\r\n" (no SP) is
// accepted too, as many servers send it.
template <class Scan>
parse_result response_head(std::string_view buf, std::string_view request_method, response& out,
                           std::span<header> storage, const limits& lim) noexcept {
  const Scan scan{};
  out = response{};
  const char* const begin = buf.data();
  const char* const end = begin + buf.size();
  const char* const line_end = bound(begin, end, lim.max_request_line + 2);
  auto line_stopped = [&](step s) {
    return stopped(s, line_end, end, error_code::request_line_too_long);
  };
  step s = parse_version(begin, line_end, out.version_minor);
  if (!s.next) return line_stopped(s);
  const char* p = s.next;
  if (p == line_end) return line_stopped(more_step);
  if (*p++ != ' ') return error_result(error_code::bad_status_line);
  int status = 0;
  for (int i = 0; i < 3; ++i, ++p) {
    if (p == line_end) return line_stopped(more_step);
    if (!is_digit(*p)) return error_result(error_code::bad_status_line);
    status = status * 10 + (*p - '0');
  }
  if (status < 100) return error_result(error_code::bad_status_line);
  out.status = status;
  if (p == line_end) return line_stopped(more_step);
  if (*p == ' ') {
    const char* reason = ++p;
    p = scan.value_end(p, line_end);
    out.reason = {reason, static_cast<std::size_t>(p - reason)};
  }
  s = expect_crlf(p, line_end, error_code::bad_status_line);
  if (!s.next) return line_stopped(s);
  p = s.next;

  const char* const fields_end = bound(p, end, lim.max_header_bytes);
  std::size_t count = 0;
  s = parse_fields(scan, begin, p, fields_end, storage.data(),
                   std::min(storage.size(), lim.max_headers), count);
  if (!s.next) return stopped(s, fields_end, end, error_code::headers_too_large);
  out.headers = {storage.data(), count};
  out.head_size = static_cast<std::size_t>(s.next - begin);
  if (error_code e = finish_response(out, request_method, lim); e != error_code::none) {
    return error_result(e);
  }
  return {parse_status::complete, out.head_size, error_code::none};
}

template <class Scan>
fields_result fields(std::string_view buf, std::span<header> storage, std::size_t max_count,
                     std::size_t max_bytes) noexcept {
  const Scan scan{};
  const char* const begin = buf.data();
  const char* const end = begin + buf.size();
  const char* const fields_end = bound(begin, end, max_bytes);
  fields_result r;
  step s = parse_fields(scan, begin, begin, fields_end, storage.data(),
                        std::min(storage.size(), max_count), r.count);
  if (!s.next) {
    r.result = stopped(s, fields_end, end, error_code::headers_too_large);
  } else {
    r.result = {parse_status::complete, static_cast<std::size_t>(s.next - begin), error_code::none};
  }
  return r;
}

template <class Scan>
constexpr http_entry_points make_entry_points() {
  return {&request_head<Scan>, &response_head<Scan>, &fields<Scan>};
}

}  // namespace
}  // namespace lapwise::parser::detail

// The scanner-independent half of the head parsers: what the fields mean for framing (RFC 9112
// §6), Host (RFC 9112 §3.2), the request-target forms (§3.2.1-4) and persistence (§9.3).
#include <array>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <string_view>

#include "http_chars.h"
#include "http_impl.h"

namespace lapwise::parser::detail {
namespace {

// ASCII case-insensitive equality with a lowercase literal of N >= 4 bytes, a word at a time:
// OR-ing 0x20 lowercases the letters and leaves '-' and digits alone. Safe for names and values
// alike: the only other bytes whose `| 0x20` hits a letter, '-' or a digit are CTLs, which
// neither tokens nor field values contain (HTAB becomes ')', in no literal).
template <std::size_t N>
bool iequals(std::string_view s, const char (&lower)[N]) noexcept {
  constexpr std::size_t n = N - 1;
  static_assert(n >= 4);
  if (s.size() != n) return false;
  auto word = [](const char* p, auto zero) {
    decltype(zero) v;
    std::memcpy(&v, p, sizeof v);
    return v;
  };
  if constexpr (n < 8) {
    constexpr std::uint32_t m = 0x20202020u;
    return ((word(s.data(), 0u) | m) == word(lower, 0u)) &&
           ((word(s.data() + n - 4, 0u) | m) == word(lower + n - 4, 0u));
  } else {
    constexpr std::uint64_t m = 0x2020202020202020ull;
    std::uint64_t diff = 0;
    for (std::size_t i = 0; i + 8 < n; i += 8) {
      diff |= (word(s.data() + i, std::uint64_t{}) | m) ^ word(lower + i, std::uint64_t{});
    }
    diff |= (word(s.data() + n - 8, std::uint64_t{}) | m) ^ word(lower + n - 8, std::uint64_t{});
    return diff == 0;
  }
}

std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls fn(element) for each comma-separated element of a list field, OWS trimmed; empty
// elements are passed too (callers decide). Stops early when fn returns false.
template <class Fn>
bool for_each_element(std::string_view list, Fn fn) {
  for (;;) {
    std::size_t comma = list.find(',');
    if (!fn(trim_ows(list.substr(0, comma)))) return false;
    if (comma == std::string_view::npos) return true;
    list.remove_prefix(comma + 1);
  }
}

// What the fields say, gathered in one pass over them.
struct field_facts {
  int host_count = 0;
  std::string_view host;
  bool has_content_length = false;
  std::uint64_t content_length = 0;
  bool has_transfer_encoding = false;
  bool chunked_seen = false;
  bool chunked_last = false;
  bool other_coding = false;
  bool close = false;
  bool keep_alive = false;
  bool connection_upgrade = false;
  bool has_upgrade = false;
  bool expect_continue = false;
};

// Content-Length = 1*DIGIT; a list of identical values ("5, 5") and identical repeats collapse
// to one (RFC 9110 §8.6); anything else is an error (a classic smuggling vector).
error_code add_content_length(std::string_view value, field_facts& f) noexcept {
  bool ok = for_each_element(value, [&](std::string_view e) {
    if (e.empty()) return false;
    std::uint64_t v = 0;
    for (char c : e) {
      if (!is_digit(c)) return false;
      unsigned d = static_cast<unsigned>(c - '0');
      if (v > (UINT64_MAX - d) / 10) return false;
      v = v * 10 + d;
    }
    if (f.has_content_length && v != f.content_length) return false;
    f.has_content_length = true;
    f.content_length = v;
    return true;
  });
  return ok ? error_code::none : error_code::bad_content_length;
}

// transfer-coding = token *( OWS ";" OWS transfer-parameter ). Only chunked is implemented, and
// it takes no parameters; other codings are noted (501 for requests) with their parameters
// ignored. Empty list elements are skipped (RFC 9110 §5.6.1.2) but the list must name one.
error_code add_transfer_encoding(std::string_view value, field_facts& f) noexcept {
  f.has_transfer_encoding = true;
  if (iequals(value, "chunked")) {  // the usual value (trimmed, so no comma): no list walk
    if (f.chunked_seen) return error_code::bad_transfer_encoding;  // chunked twice
    f.chunked_seen = f.chunked_last = true;
    return error_code::none;
  }
  bool named = false;
  bool ok = for_each_element(value, [&](std::string_view e) {
    if (e.empty()) return true;
    std::size_t n = 0;
    while (n < e.size() && in(tchar_table, e[n])) ++n;
    if (n == 0) return false;
    std::string_view rest = e.substr(n);
    if (!rest.empty() && rest.front() != ';' && rest.front() != ' ' && rest.front() != '\t') {
      return false;
    }
    named = true;
    if (iequals(e.substr(0, n), "chunked")) {
      if (f.chunked_seen || !rest.empty()) return false;  // chunked twice, or with parameters
      f.chunked_seen = f.chunked_last = true;
    } else {
      f.other_coding = true;
      f.chunked_last = false;
    }
    return true;
  });
  return ok && named ? error_code::none : error_code::bad_transfer_encoding;
}

void add_connection(std::string_view value, field_facts& f) noexcept {
  if (iequals(value, "keep-alive")) {  // the usual values (trimmed, so no comma): no list walk
    f.keep_alive = true;
    return;
  }
  if (iequals(value, "close")) {
    f.close = true;
    return;
  }
  for_each_element(value, [&](std::string_view e) {
    if (iequals(e, "close")) f.close = true;
    if (iequals(e, "keep-alive")) f.keep_alive = true;
    if (iequals(e, "upgrade")) f.connection_upgrade = true;
    return true;
  });
}

// The fields acted on are Host, Expect, Upgrade, Connection, Content-Length and
// Transfer-Encoding: no two share a length. By name length (< 32), the lowercase first letter of
// the one with that length, or 0 (no letter is 0).
constexpr std::string_view known_field_names[] = {
    "host", "expect", "upgrade", "connection", "content-length", "transfer-encoding"};
constexpr std::array<unsigned char, 32> known_field_initial = [] {
  std::array<unsigned char, 32> t{};
  for (std::string_view n : known_field_names) t[n.size()] = static_cast<unsigned char>(n[0]);
  return t;
}();
static_assert(
    [] {
      std::size_t set = 0;
      for (unsigned char c : known_field_initial) set += c != 0;
      return set == std::size(known_field_names);
    }(),
    "two known field names share a length: maybe_known_field would miss one");

// A filter true for those names in any case (and for a few others): most fields of a request
// (Accept-*, User-Agent, Cookie...) are passed over with one load and a compare.
bool maybe_known_field(std::string_view name) noexcept {
  return name.size() < known_field_initial.size() &&
         known_field_initial[name.size()] == (static_cast<unsigned char>(name[0]) | 0x20);
}

// One switch on the name's length keeps this to a compare or two per field looked at.
error_code add_field(const header& h, field_facts& f) noexcept {
  switch (h.name.size()) {
    case 4:
      if (iequals(h.name, "host")) {
        ++f.host_count;
        f.host = h.value;
      }
      break;
    case 6:
      if (iequals(h.name, "expect") && iequals(h.value, "100-continue")) f.expect_continue = true;
      break;
    case 7:
      if (iequals(h.name, "upgrade")) f.has_upgrade = true;
      break;
    case 10:
      if (iequals(h.name, "connection")) add_connection(h.value, f);
      break;
    case 14:
      if (iequals(h.name, "content-length")) return add_content_length(h.value, f);
      break;
    case 17:
      if (iequals(h.name, "transfer-encoding")) return add_transfer_encoding(h.value, f);
      break;
    default:
      break;
  }
  return error_code::none;
}

error_code collect(std::span<const header> fields, field_facts& f) noexcept {
  for (const header& h : fields) {
    if (!maybe_known_field(h.name)) continue;  // names are never empty
    if (error_code e = add_field(h, f); e != error_code::none) return e;
  }
  return error_code::none;
}

// The forms of request-target (RFC 9112 §3.2): origin "/p?q", absolute "http://h/p?q",
// authority "h:443" (CONNECT only) and asterisk "*" (OPTIONS only).
error_code split_target(request& out) noexcept {
  std::string_view t = out.target;  // no '#': the target scan stops there
  std::size_t q = t.find('?');
  if (out.method == "CONNECT") {
    if (q != std::string_view::npos || t.find('/') != std::string_view::npos) {
      return error_code::bad_request_line;
    }
    return error_code::none;  // authority-form: no path, no query
  }
  if (q != std::string_view::npos) out.query = t.substr(q + 1);
  std::string_view path = t.substr(0, q);
  if (t.front() == '/') {
    out.path = path;
  } else if (t == "*") {
    if (out.method != "OPTIONS") return error_code::bad_request_line;
    out.path = t;
  } else {
    // absolute-form: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" hier-part
    std::size_t colon = path.find(':');
    if (colon == 0 || colon == std::string_view::npos || !is_alpha(path.front())) {
      return error_code::bad_request_line;
    }
    for (char c : path.substr(0, colon)) {
      if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') {
        return error_code::bad_request_line;
      }
    }
    path.remove_prefix(colon + 1);
    if (path.substr(0, 2) == "//") {  // skip the authority
      std::size_t slash = path.find('/', 2);
      path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
    }
    out.path = path.empty() ? std::string_view("/") : path;
  }
  return error_code::none;
}

// Branch-free: a valid Host is the rule, so AND the table bits of 4 bytes per step.
bool valid_host(std::string_view host) noexcept {
  auto bit = [](char c) { return static_cast<unsigned>(in(host_table, c)); };
  const char* p = host.data();
  const char* const end = p + host.size();
  unsigned ok = 1;
  for (; end - p >= 4; p += 4) ok &= bit(p[0]) & bit(p[1]) & bit(p[2]) & bit(p[3]);
  for (; p != end; ++p) ok &= bit(*p);
  return ok != 0;
}

}  // namespace

error_code finish_request(request& out, const limits& lim) noexcept {
  if (error_code e = split_target(out); e != error_code::none) return e;
  field_facts f;
  if (error_code e = collect(out.headers, f); e != error_code::none) return e;
  if (f.host_count > 1) return error_code::duplicate_host;
  if (f.host_count == 0 && out.version_minor == 1) return error_code::missing_host;
  if (!valid_host(f.host)) return error_code::bad_host;
  out.host = f.host;
  if (f.has_transfer_encoding) {
    if (out.version_minor == 0) return error_code::transfer_encoding_http10;
    if (f.has_content_length) return error_code::content_length_with_transfer_encoding;
    if (!f.chunked_last) return error_code::chunked_not_last;
    if (f.other_coding) return error_code::unknown_transfer_coding;
    out.framing = body_framing::chunked;
  } else if (f.has_content_length) {
    if (f.content_length > lim.max_body) return error_code::body_too_large;
    out.framing = body_framing::content_length;
    out.content_length = f.content_length;
  }
  out.keep_alive = out.version_minor == 1 ? !f.close : f.keep_alive && !f.close;
  out.expect_continue = out.version_minor == 1 && f.expect_continue;
  out.upgrade = f.connection_upgrade && f.has_upgrade;
  return error_code::none;
}

error_code finish_response(response& out, std::string_view request_method,
                           const limits& lim) noexcept {
  field_facts f;
  if (error_code e = collect(out.headers, f); e != error_code::none) return e;
  bool no_body = request_method == "HEAD" || out.status < 200 || out.status == 204 ||
                 out.status == 304 || (request_method == "CONNECT" && out.status / 100 == 2);
  if (f.has_transfer_encoding) {
    if (out.version_minor == 0) return error_code::transfer_encoding_http10;
    if (f.has_content_length) return error_code::content_length_with_transfer_encoding;
    if (f.chunked_last && f.other_coding) return error_code::unknown_transfer_coding;
    out.framing = f.chunked_last ? body_framing::chunked : body_framing::until_close;
  } else if (f.has_content_length) {
    out.content_length = f.content_length;
    out.framing = body_framing::content_length;
    if (!no_body && f.content_length > lim.max_body) return error_code::body_too_large;
  } else {
    out.framing = body_framing::until_close;
  }
  if (no_body) out.framing = body_framing::none;
  bool persistent = out.version_minor == 1 ? !f.close : f.keep_alive && !f.close;
  out.keep_alive = persistent && out.framing != body_framing::until_close;
  return error_code::none;
}

}  // namespace lapwise::parser::detail

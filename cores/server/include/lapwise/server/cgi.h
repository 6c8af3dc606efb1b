// lapwise::server::cgi — the CGI names a WSGI (PEP 3333) environ gives a request's headers, and
// the code of a WSGI status line. Header-only: the Python binding builds its environ with these
// in one native call, and fuzz/cgi_environ_fuzz.cc checks them on whatever the parser accepts.
//
// Contract:
// - Content-Type and Content-Length (any case) are CONTENT_TYPE and CONTENT_LENGTH; every other
//   header is HTTP_ then its name with ASCII letters upper-cased and '-' as '_' (CGI, RFC 3875
//   §4.1.18). Any bytes are taken (the parser has refused non-token names already); the key is
//   always the name's length plus 5 at most, and for_each_variable() holds names of any length.
// - status_code(): three ASCII digits followed by a space or the end ("200 OK", "204"): their
//   value; anything else -1 (the caller then applies its own, slower rule).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "lapwise/parser/http.h"

namespace lapwise::server::cgi {

enum class header_kind : std::uint8_t { content_type, content_length, other };

struct written_key {
  std::size_t size;
  header_kind kind;
};

// Writes the environ key of a header named `name` to `out`, which has room for
// name.size() + 5 bytes.
inline written_key write_key(std::string_view name, char* out) noexcept {
  const auto lower_is = [name](std::string_view lower) {
    if (name.size() != lower.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
      const char c = name[i];
      if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c) != lower[i]) return false;
    }
    return true;
  };
  std::size_t at = 0;
  header_kind kind = header_kind::other;
  if (lower_is("content-type")) {
    kind = header_kind::content_type;
  } else if (lower_is("content-length")) {
    kind = header_kind::content_length;
  } else {
    for (char c : std::string_view("HTTP_")) out[at++] = c;
  }
  for (char c : name) {
    out[at++] = c == '-' ? '_' : (c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c);
  }
  return {at, kind};
}

// Calls put(key, value, kind) for each header in order; `key` is valid during the call. Stops
// early, returning false, when put does.
template <class Put>
bool for_each_variable(std::span<const parser::header> headers, Put&& put) {
  char small[96];
  std::string large;  // a name too long for `small` (the parser bounds it by max_header_bytes)
  for (const parser::header& h : headers) {
    char* out = small;
    if (h.name.size() + 5 > sizeof small) {
      large.resize(h.name.size() + 5);
      out = large.data();
    }
    const written_key k = write_key(h.name, out);
    if (!put(std::string_view(out, k.size), h.value, k.kind)) return false;
  }
  return true;
}

inline int status_code(std::string_view status) noexcept {
  if (status.size() < 3 || (status.size() > 3 && status[3] != ' ')) return -1;
  int code = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    if (status[i] < '0' || status[i] > '9') return -1;
    code = code * 10 + (status[i] - '0');
  }
  return code;
}

}  // namespace lapwise::server::cgi

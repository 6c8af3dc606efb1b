// Fuzzes the CGI names a WSGI environ gives request headers (cgi.h), on what the server's parser
// accepts and on raw bytes: the first byte picks the mode. Parsed requests: every header's key
// must be the reference transform of its name (CONTENT_TYPE / CONTENT_LENGTH, else HTTP_ and the
// name upper-cased with '-' as '_'), in order, whatever the name's length. Raw bytes: lines
// "name:value" go through for_each_variable unparsed, and the rest of each line through
// status_code(), checked against a reference parse. Runs under ASan/UBSan.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "lapwise/parser/http.h"
#include "lapwise/server/cgi.h"

using namespace lapwise;

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "cgi_environ_fuzz: %s\n", what);
    std::abort();
  }
}

char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

std::string reference_key(std::string_view name) {
  std::string lower;
  for (char c : name) lower += c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
  std::string out = lower == "content-type" || lower == "content-length" ? "" : "HTTP_";
  for (char c : name) out += c == '-' ? '_' : upper(c);
  return out;
}

int reference_status(std::string_view s) {
  const std::size_t space = s.find(' ');
  const std::string_view code = s.substr(0, space);
  if (code.size() != 3) return -1;
  int n = 0;
  for (char c : code) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

void check_headers(std::span<const parser::header> hs) {
  std::size_t i = 0;
  server::cgi::for_each_variable(
      hs, [&](std::string_view key, std::string_view value, server::cgi::header_kind kind) {
        check(i < hs.size(), "more variables than headers");
        check(key == reference_key(hs[i].name), "key differs from the reference");
        check(value.data() == hs[i].value.data() && value.size() == hs[i].value.size(),
              "value is not the header's");
        check((kind == server::cgi::header_kind::other) == key.starts_with("HTTP_") ||
                  hs[i].name.size() == 0,
              "kind and prefix disagree");
        ++i;
        return true;
      });
  check(i == hs.size(), "a header was skipped");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    parser::request req;
    std::vector<parser::header> storage(64);
    parser::limits lim;
    lim.max_header_bytes = 8192;
    const auto res = parser::parse_request_head(in, req, storage, lim);
    if (res.status == parser::parse_status::complete) check_headers(req.headers);
    return 0;
  }
  std::vector<parser::header> hs;
  std::size_t at = 0;
  while (at < in.size()) {
    std::size_t end = in.find('\n', at);
    if (end == std::string_view::npos) end = in.size();
    const std::string_view line = in.substr(at, end - at);
    const std::size_t colon = line.find(':');
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
    hs.push_back({name, value});
    check(server::cgi::status_code(value) ==
              (reference_status(value) >= 0 && (value.size() == 3 || value[3] == ' ')
                   ? reference_status(value)
                   : -1),
          "status_code differs from the reference");
    at = end + 1;
  }
  check_headers(hs);
  return 0;
}

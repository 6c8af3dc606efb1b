// Fuzzes parse_response: the first byte picks the request method and whether the input ends
// the connection (eof); the rest is a buffer of responses. No crash or over-read, views inside
// the input, and all scanners agree with the scalar one.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "http_fuzz_util.h"

using namespace lapwise::parser;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const char* const methods[] = {"GET", "HEAD", "CONNECT", "POST"};
  const char* method = methods[data[0] & 3];
  const bool eof = (data[0] & 4) != 0;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  limits lim;
  lim.max_request_line = 512;
  lim.max_header_bytes = 2048;
  lim.max_headers = 24;
  lim.max_body = 4096;
  fuzz::differential([&] {
    std::array<header, 32> storage;
    std::vector<char> body(1024);
    std::string s;
    std::string_view rest = input;
    for (int n = 0; n < 16 && !rest.empty(); ++n) {
      response r;
      parse_result res = parse_response(rest, method, r, storage, body, eof, lim);
      fuzz::describe_result(s, res);
      if (res.status != parse_status::complete) break;
      fuzz::check(res.consumed > 0 && res.consumed <= rest.size(), "consumed out of range");
      fuzz::check(r.status >= 100 && r.status <= 999, "status out of range");
      fuzz::check(fuzz::within(r.reason, rest.data(), r.head_size), "reason outside the head");
      fuzz::check(fuzz::within(r.body, rest.data(), res.consumed) ||
                      fuzz::within(r.body, body.data(), body.size()),
                  "body outside input and body storage");
      if (r.framing == body_framing::until_close) {
        fuzz::check(eof && res.consumed == rest.size(), "close-delimited body before eof");
      }
      s += std::to_string(r.status) + " " + std::string(r.reason) +
           " v=" + std::to_string(r.version_minor) +
           " framing=" + std::to_string(static_cast<int>(r.framing)) +
           " cl=" + std::to_string(r.content_length) + " ka=" + std::to_string(r.keep_alive) + "\n";
      fuzz::describe_fields(s, r.headers);
      fuzz::describe_fields(s, r.trailers);
      s += "body=" + std::string(r.body) + "\n";
      rest.remove_prefix(res.consumed);
    }
    return s;
  });
  return 0;
}

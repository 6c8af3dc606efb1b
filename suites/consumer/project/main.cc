// Uses lapwise through the installed headers and libraries; exits non-zero on a wrong answer.
// Always the router (and common, which comes with it); the parser too when it was found.
#include <lapwise/common/http_token.h>
#include <lapwise/router/radix_router.h>

#include <cstdio>
#include <span>

#if LAPWISE_CONSUMER_PARSER
#include <lapwise/parser/http.h>

#include <array>
#endif

int main() {
  lapwise::router::radix_router r;
  if (auto err = r.add("GET", "/users/{id:int}", 7)) {
    std::fprintf(stderr, "add failed: %s\n", err->message.c_str());
    return 1;
  }
  auto m = r.match("GET", "/users/42");
  if (!m.found() || m.value != 7 || m.param_count != 1 || m.params[0].value != "42") {
    std::fprintf(stderr, "wrong match\n");
    return 1;
  }
  auto not_allowed = r.match("POST", "/users/42");
  if (not_allowed.kind != lapwise::router::status::method_not_allowed) {
    std::fprintf(stderr, "expected 405\n");
    return 1;
  }
  if (!lapwise::common::is_token("GET") || lapwise::common::is_token("G T")) {
    std::fprintf(stderr, "wrong token check\n");
    return 1;
  }
  std::printf("lapwise consumer: GET /users/42 -> %u, id=%.*s; POST -> 405 (allow %.*s)\n", m.value,
              static_cast<int>(m.params[0].value.size()), m.params[0].value.data(),
              static_cast<int>(not_allowed.allowed.size()), not_allowed.allowed.data());
#if LAPWISE_CONSUMER_PARSER
  std::array<lapwise::parser::header, 8> headers;
  lapwise::parser::request req;
  auto res = lapwise::parser::parse_request_head("GET /users/42 HTTP/1.1\r\nHost: h\r\n\r\n", req,
                                                 headers);
  if (res.status != lapwise::parser::parse_status::complete || req.path != "/users/42") {
    std::fprintf(stderr, "wrong parse\n");
    return 1;
  }
  std::printf("lapwise consumer: parsed %.*s %.*s\n", static_cast<int>(req.method.size()),
              req.method.data(), static_cast<int>(req.path.size()), req.path.data());
#endif
  return 0;
}

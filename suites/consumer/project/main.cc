// Uses lapwise::router through the installed headers and library; exits non-zero on a wrong answer.
#include <lapwise/router/router.h>

#include <cstdio>

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
  std::printf("lapwise consumer: GET /users/42 -> %u, id=%.*s; POST -> 405 (allow %.*s)\n", m.value,
              static_cast<int>(m.params[0].value.size()), m.params[0].value.data(),
              static_cast<int>(not_allowed.allowed.size()), not_allowed.allowed.data());
  return 0;
}

// Fuzzes the sans-IO connection core: arbitrary bytes, fed in pieces whose sizes come from the
// input, through a session with const and dynamic routes (dynamic ones answered at once or in
// reverse order). Checks: no crash (ASan/UBSan), the output is a sequence of well-formed
// HTTP/1.1 responses, at most one per request plus 100 Continue, nothing after a
// Connection: close, and a closed session stays closed. The access log is on.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "lapwise/server/session.h"

using namespace lapwise;
using namespace lapwise::server;

namespace {

// "HTTP/1.1 NNN ": the start of a response.
bool status_line(std::string_view s) {
  return s.size() >= 13 && s.substr(0, 9) == "HTTP/1.1 " && std::isdigit(s[9]) != 0 &&
         std::isdigit(s[10]) != 0 && std::isdigit(s[11]) != 0 && s[12] == ' ';
}

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "connection_fuzz: %s\n", what);
    std::abort();
  }
}

struct harness : detail::responder {
  harness() {
    config cfg;
    cfg.limits.max_request_line = 256;  // small limits so the fuzzer reaches them
    cfg.limits.max_header_bytes = 1024;
    cfg.limits.max_headers = 16;
    cfg.limits.max_body = 2048;
    cfg.max_pipelined = 4;
    // On, into /dev/null: its formatting of every request line and header the fuzzer makes
    // runs under the sanitizers.
    cfg.access_log = "/dev/null";
    route_table t;
    (void)t.add_const("GET", "/plaintext", {200, "text/plain", {}, "Hello, World!"});
    (void)t.add_dynamic("GET", "/users/{id:int}", 1);
    (void)t.add_dynamic("POST", "/echo", 2);
    (void)t.add_dynamic("GET", "/f/{p:path}", 3);
    svc = std::make_unique<service>(std::move(cfg), std::move(t));
    s = std::make_unique<session>(*svc, *this, ready, "Tue, 01 Jan 2030 00:00:00 GMT");
  }
  void complete(request& r, response&& resp) noexcept override { s->complete(r, std::move(resp)); }
  void answer(bool reverse) {
    std::vector<request*> batch;
    batch.swap(ready);
    if (reverse) std::reverse(batch.begin(), batch.end());
    for (request* r : batch) {
      std::string body(r->path());
      body += r->body();
      for (const auto& p : r->params()) body += p.value;
      for (const auto& h : r->headers()) body += h.name;
      r->respond({200, "text/plain", {}, std::move(body)});
    }
  }
  std::unique_ptr<service> svc;
  std::unique_ptr<session> s;
  std::vector<request*> ready;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t step = 1 + data[0] % 64;
  const bool reverse = data[1] & 1;
  std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);
  harness h;
  std::string out;
  while (!in.empty() && !h.s->done()) {
    const std::string_view piece = in.substr(0, step);
    in.remove_prefix(piece.size());
    h.s->receive(piece);
    h.answer(reverse);
    while (!h.s->output().empty()) {  // piece after piece, as a transport writes
      out += h.s->output();
      h.s->consume(h.s->output().size());
    }
    h.answer(reverse);
  }
  if (data[1] & 2) h.s->timeout();
  if (data[1] & 4) h.s->drain();
  h.s->end_of_input();
  h.answer(reverse);
  while (!h.s->output().empty()) {
    out += h.s->output();
    h.s->consume(h.s->output().size());
  }
  check(h.s->unanswered() == 0, "a request was left unanswered");
  std::string_view rest = out;
  bool closed = false;
  while (!rest.empty()) {
    check(!closed, "bytes after a Connection: close response");
    std::array<parser::header, 16> hs;
    std::array<char, 1> none{};
    parser::response r;
    // An answer to HEAD declares its GET's length and sends no body: read as one when its head
    // is followed by nothing or by a status line (no body in this harness starts with one).
    auto res = parser::parse_response(rest, "HEAD", r, hs, none, false);
    const std::string_view after =
        res.status == parser::parse_status::complete ? rest.substr(res.consumed) : rest;
    if (res.status != parser::parse_status::complete || !(after.empty() || status_line(after))) {
      res = parser::parse_response(rest, "GET", r, hs, none, false);
    }
    check(res.status == parser::parse_status::complete, "malformed response bytes");
    for (const auto& hd : r.headers) {
      if (hd.name == "Connection" && hd.value == "close") closed = true;
    }
    rest.remove_prefix(res.consumed);
  }
  return 0;
}

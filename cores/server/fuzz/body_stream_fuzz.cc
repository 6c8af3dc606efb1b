// Fuzzes streamed request bodies: the same bytes go through a session that reads every body
// whole and through one that streams them (window and threshold from the input), fed in
// pieces whose sizes come from the input. When the streaming handler reads each body to its
// end before answering, both must answer the same bytes (100 Continue aside, and one extra
// 400/408 for a body cut by the end of input or a timeout); a handler that answers after
// reading only some pieces must still leave well-formed responses, nothing after a close.
// Checks run under ASan/UBSan: every piece within the window, no request left unanswered.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lapwise/server/session.h"

using namespace lapwise;
using namespace lapwise::server;

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "body_stream_fuzz: %s\n", what);
    std::abort();
  }
}

struct rig : detail::responder {
  // `over` npos: bodies whole. `patience`: pieces read before answering (0: to the end).
  rig(std::size_t over, std::size_t window, unsigned patience) : patience_(patience) {
    config cfg;
    cfg.limits.max_request_line = 256;
    cfg.limits.max_header_bytes = 1024;
    cfg.limits.max_headers = 16;
    cfg.limits.max_body = 2048;
    cfg.max_pipelined = 4;
    cfg.stream_body_over = over;
    cfg.body_window = window;
    route_table t;
    (void)t.add_const("POST", "/const", {200, "text/plain", {}, "const"});
    (void)t.add_dynamic("POST", "/echo", 2);
    (void)t.add_dynamic("GET", "/users/{id:int}", 1);
    // Routes with limits of their own, below and above the server's: the same 413s either way.
    (void)t.add_dynamic("POST", "/tiny", 3, 8);
    (void)t.add_dynamic("POST", "/roomy", 4, 4096);
    svc = std::make_unique<service>(std::move(cfg), std::move(t));
    s = std::make_unique<session>(*svc, *this, ready, "Tue, 01 Jan 2030 00:00:00 GMT");
  }
  void complete(request& r, response&& resp) noexcept override { s->complete(r, std::move(resp)); }
  void read_body(request& r) noexcept override { s->read_body(r); }
  void answer(request& r, std::string body) {
    got.erase(&r);
    pieces.erase(&r);
    r.respond({200, "text/plain", {}, std::move(body)});
  }
  void settle() {
    for (int turns = 0; !ready.empty() && turns < 100000; ++turns) {
      std::vector<request*> batch;
      batch.swap(ready);
      for (request* r : batch) {
        if (!r->body_streamed()) {
          answer(*r, std::string(r->path()) + ":" + std::string(r->body()));
          continue;
        }
        if (!r->take_piece()) {  // new: ask for the first piece
          r->read_body();
          continue;
        }
        check(r->body().size() <= svc->cfg().body_window, "a piece larger than the window");
        got[r] += r->body();
        const unsigned n = ++pieces[r];
        if (r->body_end() || (patience_ != 0 && n >= patience_)) {
          answer(*r, std::string(r->path()) + ":" + got[r]);
        } else {
          r->read_body();
        }
      }
    }
  }
  std::string run(std::string_view in, std::size_t step, bool timeout, bool drain) {
    std::string out;
    auto flush = [&] {
      while (!s->output().empty()) {
        out += s->output();
        s->consume(s->output().size());
      }
    };
    while (!in.empty() && !s->done()) {
      const std::string_view piece = in.substr(0, step);
      in.remove_prefix(piece.size());
      s->receive(piece);
      settle();
      flush();
      settle();
    }
    if (timeout) s->timeout();
    if (drain) s->drain();
    settle();
    s->end_of_input();
    settle();
    flush();
    check(s->unanswered() == 0, "a request was left unanswered");
    return out;
  }
  unsigned patience_;
  std::unique_ptr<service> svc;
  std::unique_ptr<session> s;
  std::vector<request*> ready;
  std::map<request*, std::string> got;
  std::map<request*, unsigned> pieces;
};

// The responses without the interim 100 Continue ones (found at response boundaries only: a
// body may hold the same bytes).
std::string without_continues(std::string_view rest) {
  constexpr std::string_view interim = "HTTP/1.1 100 Continue\r\n\r\n";
  std::string kept;
  while (!rest.empty()) {
    if (rest.substr(0, interim.size()) == interim) {
      rest.remove_prefix(interim.size());
      continue;
    }
    std::array<parser::header, 16> hs;
    std::array<char, 4096> body{};
    parser::response r;
    const auto res = parser::parse_response(rest, "GET", r, hs, body, false);
    check(res.status == parser::parse_status::complete, "malformed response bytes");
    kept.append(rest.substr(0, res.consumed));
    rest.remove_prefix(res.consumed);
  }
  return kept;
}

// Well-formed responses, nothing after a Connection: close; returns their statuses.
std::vector<int> statuses(std::string_view rest) {
  std::vector<int> got;
  bool closed = false;
  while (!rest.empty()) {
    check(!closed, "bytes after a Connection: close response");
    std::array<parser::header, 16> hs;
    std::array<char, 4096> body{};
    parser::response r;
    const auto res = parser::parse_response(rest, "GET", r, hs, body, false);
    check(res.status == parser::parse_status::complete, "malformed response bytes");
    for (const auto& hd : r.headers) {
      if (hd.name == "Connection" && hd.value == "close") closed = true;
    }
    got.push_back(r.status);
    rest.remove_prefix(res.consumed);
  }
  return got;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  const std::size_t step = 1 + data[0] % 64;
  const std::size_t window = 1 + data[1] % 100;
  const std::size_t over = data[2] % 4 == 0 ? 0 : data[2] % 200;
  const bool timeout = data[3] & 1, drain = data[3] & 2;
  const unsigned patience = (data[3] >> 2) % 4;  // 0: read each body to its end
  std::string_view in(reinterpret_cast<const char*>(data) + 4, size - 4);

  rig whole(config::never_stream, 64 << 10, 0);
  const std::string a = without_continues(whole.run(in, step, timeout, drain));
  rig streamed(over, window, patience);
  const std::string b = without_continues(streamed.run(in, step, timeout, drain));
  statuses(a);
  const std::vector<int> bs = statuses(b);
  if (patience != 0) return 0;
  // Read to the end: the same answers, plus at most the cut body's own.
  if (b.compare(0, a.size(), a) != 0) {
    std::fprintf(stderr, "whole:\n%s\nstreamed:\n%s\n", a.c_str(), b.c_str());
    check(false, "a streamed body changed the answers");
  }
  const std::vector<int> extra = statuses(std::string_view(b).substr(a.size()));
  check(extra.size() <= 1, "more than one extra answer");
  check(extra.empty() || extra[0] == 400 || extra[0] == 408, "an extra answer other than 400/408");
  return 0;
}

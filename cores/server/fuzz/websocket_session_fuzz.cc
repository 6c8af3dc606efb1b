// Fuzzes a session in WebSocket mode: an upgrade request (with or without permessage-deflate,
// picked by byte 0), then the rest of the input as the client's bytes, fed in pieces whose
// sizes come from byte 1, with an app that echoes every message and closes after a few.
// Checks: no crash (ASan/UBSan); the output starts with the 101; once the session is done
// it takes no input and writes nothing more.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "lapwise/server/session.h"
#include "lapwise/server/websocket_app.h"
#include "lapwise/server/websocket_sender.h"

using namespace lapwise::server;

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "websocket_session_fuzz: %s\n", what);
    std::abort();
  }
}

struct echo final : ws::app {
  int messages = 0;
  std::optional<ws::handshake_options> upgrade(std::string_view) override {
    return ws::handshake_options{};
  }
  void on_event(ws::channel& ch, const ws::event& ev) noexcept override {
    if (ev.kind != ws::event_kind::text && ev.kind != ws::event_kind::binary) return;
    ch.send(ev.kind == ws::event_kind::text, ev.payload);
    if (++messages == 5) ch.close(1000, "enough");
  }
};

struct harness : detail::responder {
  echo app;
  std::unique_ptr<service> svc;
  std::vector<request*> ready;
  std::unique_ptr<session> s;
  harness() {
    config cfg;
    cfg.websocket = &app;
    cfg.max_output = 4096;  // small, so back-pressure is reached
    app.lim = {.max_frame = 2048, .max_message = 4096};
    svc = std::make_unique<service>(std::move(cfg), route_table{});
    s = std::make_unique<session>(*svc, *this, ready, "Tue, 01 Jan 2030 00:00:00 GMT");
  }
  void complete(request& r, response&& resp) noexcept override { s->complete(r, std::move(resp)); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  harness h;
  std::string head =
      "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
  if (data[0] & 1) head += "Sec-WebSocket-Extensions: permessage-deflate\r\n";
  head += "\r\n";
  h.s->receive(head);
  std::string out(h.s->output());
  h.s->consume(out.size());
  check(out.rfind("HTTP/1.1 101 ", 0) == 0, "no 101");
  std::string_view in(reinterpret_cast<const char*>(data + 2), size - 2);
  std::uint32_t seed = data[1];
  for (int turn = 0; !in.empty() && !h.s->done(); ++turn) {
    check(turn < 1000000, "no progress");
    seed = seed * 1103515245u + 12345u;
    const std::size_t step = std::min<std::size_t>(in.size(), 1 + (seed >> 16) % 300);
    if (h.s->wants_read()) {
      h.s->receive(in.substr(0, step));
      in.remove_prefix(step);
    }
    // The client reads part of what was written (all of it on alternate turns).
    const std::string_view o = h.s->output();
    h.s->consume((seed & 1) ? o.size() : o.size() / 2);
  }
  while (!h.s->output().empty()) h.s->consume(h.s->output().size());
  if (h.s->done()) {
    h.s->receive("\x81\x80\0\0\0\0");
    check(h.s->output().empty(), "output after done");
  }
  return 0;
}

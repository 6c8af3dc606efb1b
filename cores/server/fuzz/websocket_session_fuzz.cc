// Fuzzes a session in WebSocket mode: an upgrade request (byte 0 picks permessage-deflate, a
// handshake deferred to the handler and accepted later, echoes sent later through the channel
// as another thread would, a graceful stop midway, and the app closing after a protocol error
// instead of the server), then the rest of the input as the
// client's bytes, fed in pieces whose sizes come from byte 1, with an app that echoes every
// message and closes after a few. The fuzzer drives the session's clock: each turn moves it on
// (0 to 1.5 s) and plays the transport's sweep, so the keep-alive Pings, the 1011 for an
// unanswered one and the idle timeout's 1001 (byte 0 picks which timers are on) meet every
// input state. Checks: no crash (ASan/UBSan); the output starts with the 101; once the session
// is done it takes no input and writes nothing more; a timer that ran is not due again at once;
// the end is reported at most once, and exactly once by the time the session is gone.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
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
  int messages = 0, closed = 0;
  bool deferred = false, later = false;
  std::vector<std::pair<bool, std::string>> queued;  // echoes to send later
  std::shared_ptr<ws::channel> ch;
  std::optional<ws::handshake_options> upgrade(std::string_view) override {
    ws::handshake_options o;
    o.deferred = deferred;
    return o;
  }
  // The close code of a protocol error, when app_closes_on_error has the app close for it.
  std::uint16_t protocol_close = 0;
  void on_event(ws::channel& c, const ws::event& ev) noexcept override {
    ch = c.shared_from_this();
    if (ev.kind == ws::event_kind::error) protocol_close = ev.code;
    if (ev.kind != ws::event_kind::text && ev.kind != ws::event_kind::binary) return;
    if (later) {
      queued.emplace_back(ev.kind == ws::event_kind::text, std::string(ev.payload));
    } else {
      c.send(ev.kind == ws::event_kind::text, ev.payload);
    }
    if (++messages == 5) c.close(1000, "enough");
  }
  void on_closed(ws::channel&, std::uint16_t) noexcept override {
    ++closed;
    check(closed == 1, "closed reported twice");
  }
  void send_later() {
    for (auto& [text, m] : queued) ch->send(text, m);
    queued.clear();
    if (protocol_close != 0) ch->close(protocol_close, "after the replies");
  }
};

struct harness : detail::responder {
  echo app;
  std::unique_ptr<service> svc;
  std::vector<request*> ready;
  std::unique_ptr<session> s;
  session::time_point now = session::time_point{} + std::chrono::hours(1);
  explicit harness(std::uint8_t timers) {
    config cfg;
    cfg.websocket = &app;
    cfg.max_output = 4096;  // small, so back-pressure is reached
    using std::chrono::milliseconds;
    cfg.websocket_ping_interval = milliseconds((timers & 1) ? 1000 : 0);
    cfg.websocket_ping_timeout = milliseconds((timers & 2) ? 1000 : 0);
    cfg.websocket_idle_timeout = milliseconds((timers & 4) ? 3000 : 0);
    app.lim = {.max_frame = 2048, .max_message = 4096};
    route_table routes;  // where a deferred handshake goes
    check(!routes.add_dynamic("GET", "/ws", 1), "route");
    svc = std::make_unique<service>(std::move(cfg), std::move(routes));
    s = std::make_unique<session>(*svc, *this, ready, "Tue, 01 Jan 2030 00:00:00 GMT", &now);
  }
  // The transport's sweep: a WebSocket's timers once their deadline passed, and now and then
  // a header_timeout (the wait for a Close) or a timeout() that comes early.
  void sweep(std::uint32_t seed) {
    const bool ws = s->current_phase() == session::phase::websocket;
    if ((ws && now >= s->websocket_deadline()) || (seed >> 20) % 64 == 0) {
      s->timeout();
      if (ws && s->current_phase() == session::phase::websocket) {
        check(s->websocket_deadline() > now, "a timer that ran is due again at once");
      }
    }
  }
  void complete(request& r, response&& resp) noexcept override { s->complete(r, std::move(resp)); }
  std::vector<std::function<void()>> posted;
  void post(std::function<void()> f) noexcept override { posted.push_back(std::move(f)); }
  void run_posted() {
    std::vector<std::function<void()>> fs;
    fs.swap(posted);
    for (auto& f : fs) f();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  harness h(static_cast<std::uint8_t>(data[0] >> 5));
  h.app.deferred = (data[0] & 2) != 0;
  h.app.later = (data[0] & 4) != 0;
  h.app.app_closes_on_error = (data[0] & 16) != 0;
  const bool stop = (data[0] & 8) != 0;
  std::string head =
      "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
  if (data[0] & 1) head += "Sec-WebSocket-Extensions: permessage-deflate\r\n";
  head += "\r\n";
  h.s->receive(head);
  if (h.app.deferred) {
    check(h.ready.size() == 1 && h.ready[0]->websocket() != nullptr, "no deferred handshake");
    h.ready[0]->respond({101, "", "", ""});
    h.ready.clear();
  }
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
    if ((h.app.later || h.app.protocol_close != 0) && h.app.ch) h.app.send_later();
    h.run_posted();
    h.now += std::chrono::milliseconds((seed >> 8) % 1500);
    h.sweep(seed);
    if (stop && turn == 3) h.s->drain();
    // The client reads part of what was written (all of it on alternate turns).
    const std::string_view o = h.s->output();
    h.s->consume((seed & 1) ? o.size() : o.size() / 2);
  }
  // The client falls silent: the timers run on (a Ping, its 1011, the wait for the Close).
  for (int turn = 0; turn < 16 && !h.s->done(); ++turn) {
    seed = seed * 1103515245u + 12345u;
    h.now += std::chrono::milliseconds((seed >> 8) % 1500);
    h.sweep(seed);
    h.s->consume(h.s->output().size());
  }
  while (!h.s->output().empty()) h.s->consume(h.s->output().size());
  if (h.s->done()) {
    h.s->receive("\x81\x80\0\0\0\0");
    check(h.s->output().empty(), "output after done");
  }
  h.s.reset();
  check(h.app.closed == 1, "the end was not reported");
  h.run_posted();  // flushes posted before the end find no session
  return 0;
}

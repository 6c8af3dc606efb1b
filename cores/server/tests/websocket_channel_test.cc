// The WebSocket channel, sans I/O: sends from another thread and after on_event(), the
// bounded outgoing queue (ok / wait / full, on_writable once), deferred handshakes accepted or
// refused by the handler, Close 1001 on a drain, and on_closed exactly once however the
// connection ends.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lapwise/server/session.h"
#include "lapwise/server/websocket_app.h"
#include "lapwise/server/websocket_sender.h"
#include "websocket_test_frames.h"

namespace lapwise::server {
namespace {

constexpr char kDate[] = "Tue, 01 Jan 2030 00:00:00 GMT";
using ws_test::client_frame;
using ws_test::server_frame;
const std::string& k101 = ws_test::accept_head;

std::string upgrade(std::string_view path, std::string_view extra = {}) {
  return ws_test::upgrade_request(path, extra);
}

// Keeps every channel and what it was told; echoes text unless told to keep quiet.
struct recorder final : ws::app {
  bool deferred = false;
  bool echo = true;
  std::vector<std::shared_ptr<ws::channel>> channels;
  std::vector<std::string> events;
  std::vector<int> closed;
  int writable = 0;
  std::optional<ws::handshake_options> upgrade(std::string_view path) override {
    if (path == "/plain") return std::nullopt;
    ws::handshake_options o;
    o.deferred = deferred;
    return o;
  }
  void on_event(ws::channel& ch, const ws::event& ev) noexcept override {
    events.push_back(std::to_string(static_cast<int>(ev.kind)) + ":" + std::string(ev.payload));
    if (channels.empty() || channels.back().get() != &ch) channels.push_back(ch.shared_from_this());
    if (echo && ev.kind == ws::event_kind::text) ch.send(true, ev.payload);
  }
  void on_writable(ws::channel&) noexcept override { ++writable; }
  void on_closed(ws::channel&, std::uint16_t code) noexcept override { closed.push_back(code); }
};

// A sans-I/O owner whose post() queues (as a loop would), run by run_posted().
struct owner : detail::responder {
  recorder app;
  std::unique_ptr<service> svc;
  std::vector<request*> ready;
  std::unique_ptr<session> s;
  std::mutex mu;
  std::vector<std::function<void()>> posted;
  int pokes = 0;
  explicit owner(std::size_t max_output = 1 << 20, bool deferred = false) {
    app.deferred = deferred;
    app.lim.max_message = 1000;
    config cfg;
    cfg.websocket = &app;
    cfg.max_output = max_output;
    route_table t;
    EXPECT_FALSE(t.add_dynamic("GET", "/ws", 1));
    EXPECT_FALSE(t.add_dynamic("GET", "/ws2", 2));
    svc = std::make_unique<service>(std::move(cfg), std::move(t));
    s = std::make_unique<session>(*svc, *this, ready, kDate);
  }
  void complete(request& r, response&& resp) noexcept override { s->complete(r, std::move(resp)); }
  void post(std::function<void()> f) noexcept override {
    std::lock_guard lock(mu);
    posted.push_back(std::move(f));
  }
  void poke() noexcept override { ++pokes; }
  void run_posted() {
    std::vector<std::function<void()>> fs;
    {
      std::lock_guard lock(mu);
      fs.swap(posted);
    }
    for (auto& f : fs) f();
  }
  std::string take() {
    std::string out(s->output());
    s->consume(out.size());
    return out;
  }
  // The channel of an immediate upgrade (its first message shows it to the recorder).
  ws::channel& open(std::string_view path = "/ws") {
    s->receive(upgrade(path));
    s->receive(client_frame(ws::opcode::text, "hi"));
    take();
    return *app.channels.back();
  }
};

TEST(WebSocketChannel, SendsFromAnotherThreadKeepTheirOrder) {
  owner o;
  ws::channel& ch = o.open();
  std::thread t([&] {
    for (int i = 0; i < 100; ++i) EXPECT_EQ(ch.send(true, std::to_string(i)), ws::send_result::ok);
  });
  t.join();
  EXPECT_EQ(o.take(), "");  // nothing until the io thread runs the flush
  o.run_posted();
  std::string want;
  for (int i = 0; i < 100; ++i) want += server_frame(ws::opcode::text, std::to_string(i));
  EXPECT_EQ(o.take(), want);
  EXPECT_GE(o.pokes, 1);  // the owner was told to write
}

TEST(WebSocketChannel, BoundedQueueSaysWaitThenFullThenRoomOnce) {
  owner o(1000);
  ws::channel& ch = o.open();
  const std::string part(600, 'x');
  EXPECT_EQ(ch.send(false, part), ws::send_result::ok);
  EXPECT_EQ(ch.send(false, part), ws::send_result::wait);  // queued: the bound is reached
  EXPECT_EQ(ch.send(false, part), ws::send_result::full);  // not queued
  EXPECT_EQ(ch.ping("p"), ws::send_result::wait);          // control frames always go
  o.run_posted();
  EXPECT_FALSE(o.s->wants_read());  // reading pauses while the output is over the bound
  EXPECT_EQ(o.app.writable, 0);
  const std::string out = o.take();
  EXPECT_EQ(out, server_frame(ws::opcode::binary, part) + server_frame(ws::opcode::binary, part) +
                     server_frame(ws::opcode::ping, "p"));
  EXPECT_EQ(o.app.writable, 1);
  EXPECT_TRUE(o.s->wants_read());
  EXPECT_EQ(ch.send(false, part), ws::send_result::ok);
  o.run_posted();
  o.take();
  EXPECT_EQ(o.app.writable, 1);  // told once per wait
}

TEST(WebSocketChannel, ClosedOnceHoweverItEnds) {
  struct ending {
    const char* name;
    std::function<void(owner&, ws::channel&)> end;
    int code;
    bool close_frame_sent;  // our Close is in the output
  };
  const std::vector<ending> table = {
      {"peer_close_1000",
       [](owner& o, ws::channel&) { o.s->receive(client_frame(ws::opcode::close, "\x03\xe8")); },
       1000, true},
      {"peer_close_without_code",
       [](owner& o, ws::channel&) { o.s->receive(client_frame(ws::opcode::close, "")); }, 1005,
       true},
      {"protocol_error_1002", [](owner& o, ws::channel&) { o.s->receive("\x81\x01x"); }, 1002,
       true},
      {"message_over_limit_1009",
       [](owner& o, ws::channel&) {
         o.s->receive(client_frame(ws::opcode::binary, std::string(1001, 'b')));
       },
       1009, true},
      {"we_close_then_peer_echoes",
       [](owner& o, ws::channel& ch) {
         EXPECT_TRUE(ch.close(4000, "bye"));
         EXPECT_FALSE(ch.close(4001));
         o.run_posted();
         o.s->receive(client_frame(ws::opcode::close, "\x0f\xa0"));
       },
       4000, true},
      {"drain_sends_1001_peer_echoes",
       [](owner& o, ws::channel&) {
         o.s->drain();
         EXPECT_FALSE(o.s->done());  // waits for the peer's Close
         EXPECT_TRUE(o.s->wants_read());
         EXPECT_EQ(o.take(), server_frame(ws::opcode::close, "\x03\xe9server stopping"));
         o.s->receive(client_frame(ws::opcode::close, "\x03\xe9"));
       },
       1001, false},
      {"peer_vanishes",
       [](owner& o, ws::channel&) {
         o.s->end_of_input();
         o.s->closed();
       },
       1006, false},
      {"session_destroyed_open", [](owner& o, ws::channel&) { o.s.reset(); }, 1006, false},
      {"keepalive_timer_early_then_peer_vanishes",
       [](owner& o, ws::channel&) {
         // The WebSocket's own timers, never the HTTP idle_timeout (websocket_keepalive_test).
         EXPECT_EQ(o.s->current_phase(), session::phase::websocket);
         o.s->timeout();  // nothing is due yet: nothing sent, still open
         EXPECT_EQ(o.take(), "");
         EXPECT_FALSE(o.s->done());
         o.s->end_of_input();
         o.s->closed();
       },
       1006, false},
      {"peer_never_answers_our_close",
       [](owner& o, ws::channel& ch) {
         ch.close(1000);
         o.run_posted();
         // Bounded like a request head (header_timeout), then the connection just ends.
         EXPECT_EQ(o.s->current_phase(), session::phase::head);
         o.s->timeout();
         EXPECT_EQ(o.take(), server_frame(ws::opcode::close, "\x03\xe8"));  // no 408
         o.s->closed();
       },
       1006, false},
  };
  for (const auto& c : table) {
    SCOPED_TRACE(c.name);
    owner o;
    ws::channel& ch = o.open();
    const auto keep = ch.shared_from_this();
    c.end(o, ch);
    if (o.s) {
      const std::string out = o.take();
      if (c.close_frame_sent) EXPECT_NE(out.find('\x88'), std::string::npos);
      EXPECT_TRUE(o.s->done());
      o.s->closed();  // the transport closes: no second report
    }
    EXPECT_EQ(o.app.closed, std::vector<int>{c.code});
    EXPECT_TRUE(keep->ended());
    EXPECT_EQ(keep->send(true, "late"), ws::send_result::closed);
    o.run_posted();  // a flush posted before the end finds nothing to do
  }
}

TEST(WebSocketChannel, AfterAProtocolErrorTheAppClosesOnceItsRepliesAreOut) {
  owner o;
  o.app.echo = false;
  o.app.app_closes_on_error = true;
  ws::channel& ch = o.open();
  o.s->receive(client_frame(ws::opcode::text, "ok") + "\x81\x01x");  // then an unmasked frame
  EXPECT_EQ(o.take(), "");  // no Close yet: the app answers "ok" first
  EXPECT_EQ(o.s->current_phase(), session::phase::head);  // bounded by header_timeout
  EXPECT_EQ(ch.send(true, "ok"), ws::send_result::ok);
  EXPECT_TRUE(ch.close(1002, "bad frame"));
  o.run_posted();
  EXPECT_EQ(o.take(), server_frame(ws::opcode::text, "ok") + server_frame(ws::opcode::close,
                                                                          "\x03\xea"
                                                                          "bad frame"));
  EXPECT_TRUE(o.s->done());
  EXPECT_EQ(o.app.closed, std::vector<int>{1002});
}

TEST(WebSocketChannel, AProtocolErrorTheAppNeverClosesEndsAtTheTimeout) {
  owner o;
  o.app.app_closes_on_error = true;
  o.open();
  o.s->receive("\x81\x01x");
  o.s->timeout();
  EXPECT_TRUE(o.s->done());
  o.s->closed();
  EXPECT_EQ(o.app.closed, std::vector<int>{1002});  // why it ended, though no Close went out
}

TEST(WebSocketChannel, DeferredHandshakeAcceptedOrRefusedByTheHandler) {
  struct deferred_case {
    const char* name;
    std::string request;
    response answer;
    std::string output_starts;
    bool live;
  };
  const std::vector<deferred_case> table = {
      {"accepted_plain", upgrade("/ws"), {101, "", "", ""}, k101 + "\r\n", true},
      {"accepted_with_subprotocol_and_header",
       upgrade("/ws", "Sec-WebSocket-Protocol: a, b\r\n"),
       {101, "", "X-Room: 7\r\n", "b"},
       k101 + "Sec-WebSocket-Protocol: b\r\nX-Room: 7\r\n\r\n",
       true},
      {"subprotocol_not_offered_is_500",
       upgrade("/ws", "Sec-WebSocket-Protocol: a\r\n"),
       {101, "", "", "c"},
       "HTTP/1.1 500 ",
       false},
      {"refused_with_403", upgrade("/ws"), {403, "text/plain", "", "no"}, "HTTP/1.1 403 ", false},
  };
  for (const auto& c : table) {
    SCOPED_TRACE(c.name);
    owner o(1 << 20, true);
    o.s->receive(c.request + client_frame(ws::opcode::text, "early"));
    ASSERT_EQ(o.ready.size(), 1u);
    request* r = o.ready[0];
    ASSERT_TRUE(r->websocket());
    const auto ch = r->websocket();
    EXPECT_EQ(ch->path(), "/ws");
    EXPECT_EQ(ch->send(true, "queued before the 101"), ws::send_result::ok);
    EXPECT_EQ(o.take(), "");  // the handshake waits for the handler
    r->respond(c.answer);
    o.run_posted();
    const std::string out = o.take();
    EXPECT_EQ(out.substr(0, c.output_starts.size()), c.output_starts);
    if (c.live) {
      EXPECT_EQ(ch->subprotocol(), c.answer.body);
      // What was sent before the accept follows the 101; the early frame is read after it.
      EXPECT_EQ(out.substr(c.output_starts.size()),
                server_frame(ws::opcode::text, "queued before the 101") +
                    server_frame(ws::opcode::text, "early"));
      EXPECT_TRUE(o.app.closed.empty());
      EXPECT_FALSE(o.s->done());
    } else {
      EXPECT_EQ(o.app.closed, std::vector<int>{1006});
      EXPECT_TRUE(o.s->done());
      EXPECT_EQ(ch->send(true, "x"), ws::send_result::closed);
    }
  }
}

TEST(WebSocketChannel, DeferredHandshakeWhoseClientLeftIsClosedOnce) {
  owner o(1 << 20, true);
  o.s->receive(upgrade("/ws"));
  ASSERT_EQ(o.ready.size(), 1u);
  request* r = o.ready[0];
  const auto ch = r->websocket();
  o.s->end_of_input();
  o.s->closed();
  EXPECT_EQ(o.app.closed, std::vector<int>{1006});
  r->respond({101, "", "", ""});  // too late: nothing is sent, nothing reported again
  EXPECT_EQ(o.app.closed, std::vector<int>{1006});
  EXPECT_TRUE(ch->ended());
}

TEST(WebSocketChannel, DeferredHandshakeOnAPathWithoutAHandlerIsRefused) {
  owner o(1 << 20, true);
  o.s->receive(upgrade("/nowhere"));
  EXPECT_TRUE(o.ready.empty());
  EXPECT_EQ(o.take().substr(0, 13), "HTTP/1.1 404 ");
  EXPECT_TRUE(o.s->done());
  EXPECT_EQ(o.app.closed, std::vector<int>{1006});
}

}  // namespace
}  // namespace lapwise::server

// A WebSocket's keep-alive and idle timers, sans I/O, with the clock driven by the test: a
// Ping after websocket_ping_interval of silence, Close 1011 when nothing answers it within
// websocket_ping_timeout, Close 1001 after websocket_idle_timeout without a message either
// way, and the peer's traffic (any bytes) or the application's messages putting them off.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "lapwise/server/session.h"
#include "lapwise/server/websocket_app.h"
#include "lapwise/server/websocket_sender.h"
#include "websocket_test_frames.h"

namespace lapwise::server {
namespace {

using namespace std::chrono_literals;
using ws_test::client_frame;
using ws_test::server_frame;
constexpr char kDate[] = "Tue, 01 Jan 2030 00:00:00 GMT";

struct quiet_app final : ws::app {
  std::shared_ptr<ws::channel> ch;
  std::vector<int> closed;
  std::optional<ws::handshake_options> upgrade(std::string_view) override {
    return ws::handshake_options{};
  }
  void on_event(ws::channel& c, const ws::event&) noexcept override { ch = c.shared_from_this(); }
  void on_closed(ws::channel&, std::uint16_t code) noexcept override { closed.push_back(code); }
};

// The owner keeps the clock; the sweep is played by tick(): timeout() once the deadline passed.
struct clocked : detail::responder {
  quiet_app app;
  std::unique_ptr<service> svc;
  std::vector<request*> ready;
  session::time_point now = session::time_point{} + 1000h;
  std::unique_ptr<session> s;
  clocked(std::chrono::milliseconds interval, std::chrono::milliseconds timeout,
          std::chrono::milliseconds idle) {
    config cfg;
    cfg.websocket = &app;
    cfg.websocket_ping_interval = interval;
    cfg.websocket_ping_timeout = timeout;
    cfg.websocket_idle_timeout = idle;
    svc = std::make_unique<service>(std::move(cfg), route_table{});
    s = std::make_unique<session>(*svc, *this, ready, kDate, &now);
    s->receive(ws_test::upgrade_request("/ws"));
    s->receive(client_frame(ws::opcode::text, "hello"));  // the app keeps the channel
    take();
  }
  void complete(request& r, response&& resp) noexcept override { s->complete(r, std::move(resp)); }
  std::string take() {
    std::string out(s->output());
    s->consume(out.size());
    return out;
  }
  void tick() {
    if (s->current_phase() == session::phase::websocket && now >= s->websocket_deadline()) {
      s->timeout();
    }
  }
};

struct step {
  std::chrono::milliseconds advance;  // the clock moves on first
  std::string client;                 // then these bytes come from the peer
  bool app_sends = false;             // then the application sends a message
  std::string out;                    // what the server writes after the sweep
};

const std::string ping = server_frame(ws::opcode::ping, "");
const std::string pong = client_frame(ws::opcode::pong, "");
const std::string close_1011 = server_frame(ws::opcode::close, "\x03\xf3keepalive ping timeout");
const std::string close_1001 = server_frame(ws::opcode::close, "\x03\xe9idle timeout");
const std::string app_message = server_frame(ws::opcode::text, "tick");

TEST(WebSocketKeepalive, Table) {
  struct row {
    const char* name;
    std::chrono::milliseconds interval, timeout, idle;
    std::vector<step> steps;
    int closed;  // on_closed's code, 0: still open
  };
  const std::vector<row> table = {
      {"ping_after_silence_then_pong_keeps_it_open",
       20s,
       20s,
       0s,
       {{19s, {}, false, {}},
        {1s, {}, false, ping},
        {5s, pong, false, {}},
        {15s, {}, false, {}},  // the ping's deadline: answered, the next one 20 s after the pong
        {5s, {}, false, ping}},
       0},
      {"unanswered_ping_closes_1011_and_waits_for_the_peers_close",
       20s,
       20s,
       0s,
       {{20s, {}, false, ping},
        {19s, {}, false, {}},
        {1s, {}, false, close_1011},
        {1s, client_frame(ws::opcode::close, "\x03\xf3"), false, {}}},
       1011},
      {"any_frame_answers_the_ping",
       20s,
       20s,
       0s,
       {{20s, {}, false, ping},
        {10s, client_frame(ws::opcode::text, "x"), false, {}},
        {10s, {}, false, {}},
        {20s, {}, false, ping}},
       0},
      {"part_of_a_frame_answers_it_too",
       20s,
       20s,
       0s,
       {{20s, {}, false, ping},
        {10s, client_frame(ws::opcode::text, "long message").substr(0, 3), false, {}},
        {10s, {}, false, {}}},
       0},
      {"traffic_puts_the_ping_off",
       20s,
       20s,
       0s,
       {{15s, client_frame(ws::opcode::text, "x"), false, {}},
        {15s, {}, false, {}},
        {5s, {}, false, ping}},
       0},
      {"the_applications_messages_do_not_put_the_ping_off",
       20s,
       20s,
       0s,
       {{15s, {}, true, app_message}, {5s, {}, false, ping}},
       0},
      {"interval_0_never_pings", 0s, 20s, 0s, {{1h, {}, false, {}}, {24h, {}, false, {}}}, 0},
      {"ping_timeout_0_pings_again_and_never_closes",
       10s,
       0s,
       0s,
       {{10s, {}, false, ping},
        {10s, {}, false, ping},
        {10s, {}, false, ping},
        {1h, {}, false, ping}},
       0},
      {"idle_timeout_closes_1001",
       0s,
       0s,
       30s,
       {{29s, {}, false, {}},
        {1s, {}, false, close_1001},
        {0s, client_frame(ws::opcode::close, "\x03\xe9"), false, {}}},
       1001},
      {"the_applications_messages_put_idle_off",
       0s,
       0s,
       30s,
       {{20s, {}, true, app_message}, {20s, {}, false, {}}, {10s, {}, false, close_1001}},
       0},
      {"the_peers_messages_put_idle_off",
       0s,
       0s,
       30s,
       {{20s, client_frame(ws::opcode::text, "x"), false, {}},
        {29s, {}, false, {}},
        {1s, {}, false, close_1001}},
       0},
      {"pongs_keep_it_alive_but_not_from_idle",
       10s,
       10s,
       30s,
       {{10s, {}, false, ping},
        {1s, pong, false, {}},
        {10s, {}, false, ping},
        {1s, pong, false, {}},
        {8s, {}, false, close_1001}},
       0},
  };
  for (const row& r : table) {
    SCOPED_TRACE(r.name);
    clocked c(r.interval, r.timeout, r.idle);
    ASSERT_NE(c.app.ch, nullptr);
    EXPECT_EQ(c.s->current_phase(), session::phase::websocket);
    for (std::size_t i = 0; i < r.steps.size(); ++i) {
      SCOPED_TRACE("step " + std::to_string(i));
      const step& st = r.steps[i];
      c.now += st.advance;
      if (!st.client.empty()) c.s->receive(st.client);
      if (st.app_sends) c.app.ch->send(true, "tick");
      c.tick();
      EXPECT_EQ(c.take(), st.out);
    }
    if (r.closed != 0) {
      EXPECT_TRUE(c.s->done());
      EXPECT_EQ(c.app.closed, std::vector<int>{r.closed});
    } else {
      EXPECT_FALSE(c.s->done());
      EXPECT_TRUE(c.app.closed.empty());
    }
  }
}

// A peer that never sends its Close after ours: the wait is header_timeout's (phase head),
// then the connection just ends and the application hears 1006.
TEST(WebSocketKeepalive, PeerThatNeverAnswersOurCloseEndsAt1006) {
  clocked c(10s, 10s, 0s);
  c.now += 10s;
  c.tick();
  EXPECT_EQ(c.take(), ping);
  c.now += 10s;
  c.tick();
  EXPECT_EQ(c.take(), close_1011);
  EXPECT_EQ(c.s->current_phase(), session::phase::head);
  c.s->timeout();  // the transport's header_timeout passed
  EXPECT_TRUE(c.s->done());
  c.s->closed();
  EXPECT_EQ(c.app.closed, std::vector<int>{1006});
}

// Plain HTTP connections never see the WebSocket phase, whatever the timers say.
TEST(WebSocketKeepalive, HttpConnectionsKeepTheirPhases) {
  clocked c(10ms, 10ms, 10ms);
  session plain(*c.svc, c, c.ready, kDate, &c.now);
  EXPECT_EQ(plain.current_phase(), session::phase::idle);
  plain.receive("GET /x HTTP/1.1\r\n");
  EXPECT_EQ(plain.current_phase(), session::phase::head);
}

}  // namespace
}  // namespace lapwise::server

// The session's WebSocket mode, sans I/O: the upgrade, frames to the app and back, the close
// handshake, refusals, and requests that stay HTTP.
#include <gtest/gtest.h>

#include <memory>
#include <string>
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
using ws_test::upgrade_request;

struct echo final : ws::app {
  std::vector<std::string> seen;
  std::optional<ws::handshake_options> upgrade(std::string_view path) override {
    if (path != "/ws") return std::nullopt;
    return ws::handshake_options{};
  }
  void on_event(ws::channel& ch, const ws::event& ev) noexcept override {
    seen.push_back(std::to_string(static_cast<int>(ev.kind)) + ":" + std::string(ev.payload));
    if (ev.kind == ws::event_kind::text) ch.send(true, ev.payload);
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
    route_table t;
    EXPECT_FALSE(t.add_const("GET", "/ws", {200, "text/plain", {}, "plain"}));
    svc = std::make_unique<service>(std::move(cfg), std::move(t));
    s = std::make_unique<session>(*svc, *this, ready, kDate);
  }
  void complete(request& r, response&& resp) noexcept override { s->complete(r, std::move(resp)); }
  std::string take() {
    std::string out(s->output());
    s->consume(out.size());
    return out;
  }
};

const std::string k101 = ws_test::accept_head + "\r\n";

TEST(WebSocketSession, Cases) {
  struct ws_session_case {
    const char* name;
    std::vector<std::string> pieces;  // fed one after another
    std::string output_starts;        // what the session wrote, from the start
    bool done;
  };
  const std::string hello = client_frame(ws::opcode::text, "hello");
  const std::string close = client_frame(ws::opcode::close, "\x03\xe8");
  const std::vector<ws_session_case> table = {
      {"ws_session_upgrade_and_echo",
       {upgrade_request("/ws"), hello},
       k101 + server_frame(ws::opcode::text, "hello"),
       false},
      {"ws_session_frames_in_the_same_read",
       {upgrade_request("/ws") + hello + close},
       k101 + server_frame(ws::opcode::text, "hello") + server_frame(ws::opcode::close, "\x03\xe8"),
       true},
      {"ws_session_byte_by_byte_frame",
       {upgrade_request("/ws"), hello.substr(0, 1), hello.substr(1, 3), hello.substr(4)},
       k101 + server_frame(ws::opcode::text, "hello"),
       false},
      {"ws_session_ping_answered",
       {upgrade_request("/ws"), client_frame(ws::opcode::ping, "p")},
       k101 + server_frame(ws::opcode::pong, "p"),
       false},
      {"ws_session_protocol_error_closes",
       {upgrade_request("/ws"), "\x83\x80\0\0\0\0"},
       k101,
       true},
      {"ws_session_bad_version_refused",
       {"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 7\r\n\r\n"},
       "HTTP/1.1 426 Upgrade Required\r\n",
       true},
      {"ws_session_app_declines_path_stays_http",
       {"GET /other HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"},
       "HTTP/1.1 404",
       false},
      {"ws_session_no_upgrade_header_stays_http",
       {"GET /ws HTTP/1.1\r\nHost: x\r\n\r\n"},
       "HTTP/1.1 200",
       false},
  };
  for (const auto& c : table) {
    SCOPED_TRACE(c.name);
    harness h;
    std::string out;
    for (const auto& p : c.pieces) {
      h.s->receive(p);
      out += h.take();
    }
    EXPECT_EQ(out.substr(0, c.output_starts.size()), c.output_starts);
    EXPECT_EQ(h.s->done(), c.done);
  }
}

TEST(WebSocketSession, FootprintCountsTheCodec) {
  harness plain, deflate;
  plain.s->receive(upgrade_request("/ws"));
  deflate.s->receive(upgrade_request("/ws", "Sec-WebSocket-Extensions: permessage-deflate\r\n"));
  plain.take();
  deflate.take();
  // Negotiated but idle: zlib's state is not made yet.
  EXPECT_LT(deflate.s->footprint(), plain.s->footprint() + 1024);
  // The first message worth compressing (echoed) makes it: the compressor alone holds 256 KiB
  // at 15 window bits.
  deflate.s->receive(client_frame(ws::opcode::text, std::string(200, 'x')));
  deflate.take();
  EXPECT_GE(deflate.s->footprint(), plain.s->footprint() + (256u << 10));
}

}  // namespace
}  // namespace lapwise::server

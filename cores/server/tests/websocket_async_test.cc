// WebSocket channels through the server on both transports: replies sent later from other
// threads (with back-pressure against a client that reads late), deferred handshakes answered
// from another thread, Close 1001 on stop, and on_closed exactly once when a client vanishes.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lapwise/server/server.h"
#include "lapwise/server/websocket_app.h"
#include "lapwise/server/websocket_sender.h"

namespace lapwise::server {
namespace {

using namespace std::chrono_literals;
constexpr unsigned char kMask[4] = {1, 2, 3, 4};
constexpr int kReplies = 2000;  // per "flood" message, 4 KiB each: 8 MB
constexpr std::size_t kReplySize = 4096;

// "flood": a thread sends kReplies binary messages, waiting for on_writable when told to;
// any other text: echoed from another thread. Records closes by channel.
struct async_app final : ws::app {
  std::mutex mu;
  std::condition_variable cv;
  std::map<const ws::channel*, std::vector<int>> closed;
  std::map<const ws::channel*, bool> room;
  int waits = 0;
  std::vector<std::thread> threads;
  bool deferred = false;

  std::optional<ws::handshake_options> upgrade(std::string_view) override {
    ws::handshake_options o;
    o.deferred = deferred;
    return o;
  }
  void on_event(ws::channel& ch, const ws::event& ev) noexcept override {
    if (ev.kind != ws::event_kind::text) return;
    auto c = ch.shared_from_this();
    std::string text(ev.payload);
    std::lock_guard lock(mu);
    threads.emplace_back([this, c, text] {
      if (text != "flood") {
        c->send(true, "later:" + text);
        return;
      }
      const std::string block(kReplySize, 'r');
      for (int i = 0; i < kReplies;) {
        std::string m = std::to_string(i) + ":" + block;
        const ws::send_result r = c->send(false, m);
        if (r == ws::send_result::closed) return;
        if (r != ws::send_result::full) ++i;
        if (r == ws::send_result::ok) continue;
        std::unique_lock lk(mu);
        ++waits;
        cv.wait_for(lk, 5s, [&] { return room[c.get()] || closed.count(c.get()) != 0; });
        room[c.get()] = false;
      }
      c->send(true, "done");
    });
  }
  void on_writable(ws::channel& ch) noexcept override {
    std::lock_guard lock(mu);
    room[&ch] = true;
    cv.notify_all();
  }
  void on_closed(ws::channel& ch, std::uint16_t code) noexcept override {
    std::lock_guard lock(mu);
    closed[&ch].push_back(code);
    cv.notify_all();
  }
  bool wait_closed(std::size_t n, std::chrono::milliseconds t = 10s) {
    std::unique_lock lk(mu);
    return cv.wait_for(lk, t, [&] { return closed.size() >= n; });
  }
  ~async_app() override {
    for (auto& t : threads) t.join();
  }
};

// Answers deferred handshakes from another thread: 101 with the subprotocol "chat".
struct accepting_handler : handler {
  std::vector<std::thread> threads;
  void handle(std::span<request* const> batch) noexcept override {
    for (request* r : batch) {
      threads.emplace_back([r] {
        std::this_thread::sleep_for(20ms);
        r->respond({101, "", "", r->websocket() ? "chat" : ""});
      });
    }
  }
  ~accepting_handler() override {
    for (auto& t : threads) t.join();
  }
};

struct client {
  int fd = -1;
  ws::receiver rx{ws::limits{}, std::nullopt, ws::role::client};
  std::string head, pending;
  explicit client(std::uint16_t port, std::string_view path = "/ws") {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    const int small = 32 << 10;  // so that a client that does not read soon holds the sender
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    write("GET " + std::string(path) +
          " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
          "Sec-WebSocket-Protocol: chat\r\n\r\n");
    char c;
    while (head.find("\r\n\r\n") == std::string::npos && ::recv(fd, &c, 1, 0) == 1) head += c;
  }
  ~client() {
    if (fd >= 0) ::close(fd);
  }
  void write(const std::string& s) const {
    EXPECT_EQ(::send(fd, s.data(), s.size(), MSG_NOSIGNAL), static_cast<ssize_t>(s.size()));
  }
  void send(ws::opcode op, std::string_view payload) const {
    std::string f;
    ws::write_frame(f, op, payload, true, false, kMask);
    write(f);
  }
  // The next event (kind none: the connection ended or timed out).
  ws::event next(std::string& payload) {
    for (;;) {
      const auto r = rx.receive(pending);
      pending.erase(0, r.consumed);
      if (r.ev.kind != ws::event_kind::none) {
        payload.assign(r.ev.payload);
        ws::event ev = r.ev;
        ev.payload = payload;
        return ev;
      }
      char buf[65536];
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return {};
      pending.append(buf, static_cast<std::size_t>(n));
    }
  }
};

struct served {
  async_app app;
  accepting_handler h;
  std::unique_ptr<server> srv;
  served(io_mode io, bool deferred, std::size_t max_output = 64 << 10,
         const std::function<void(config&)>& tune = {}) {
    app.deferred = deferred;
    config cfg;
    cfg.io = io;
    cfg.websocket = &app;
    cfg.max_output = max_output;
    if (tune) tune(cfg);
    route_table routes;
    EXPECT_FALSE(routes.add_dynamic("GET", "/ws", 1));
    srv = std::make_unique<server>(cfg, std::move(routes), &h);
    EXPECT_FALSE(srv->start());
  }
};

class WebSocketAsync : public ::testing::TestWithParam<io_mode> {};

TEST_P(WebSocketAsync, RepliesFromOtherThreadsWithBackPressure) {
  for (const bool deferred : {false, true}) {
    SCOPED_TRACE(deferred ? "deferred handshake" : "immediate handshake");
    served s(GetParam(), deferred);
    client c(s.srv->port());
    ASSERT_EQ(c.head.substr(0, 13), "HTTP/1.1 101 ");
    if (deferred) EXPECT_NE(c.head.find("Sec-WebSocket-Protocol: chat\r\n"), std::string::npos);
    c.send(ws::opcode::text, "one");
    std::string p;
    EXPECT_EQ(c.next(p).kind, ws::event_kind::text);
    EXPECT_EQ(p, "later:one");
    c.send(ws::opcode::text, "flood");
    std::this_thread::sleep_for(200ms);  // not reading: the sender meets the bound
    for (int i = 0; i < kReplies; ++i) {
      ASSERT_EQ(c.next(p).kind, ws::event_kind::binary) << i;
      ASSERT_EQ(p.substr(0, p.find(':')), std::to_string(i));
      ASSERT_EQ(p.size(), p.find(':') + 1 + kReplySize);
    }
    EXPECT_EQ(c.next(p).kind, ws::event_kind::text);
    EXPECT_EQ(p, "done");
    {
      std::lock_guard lock(s.app.mu);
      EXPECT_GT(s.app.waits, 0);  // the bound held the sender at least once
    }
    c.send(ws::opcode::close, "\x03\xe8");
    EXPECT_EQ(c.next(p).kind, ws::event_kind::close);
    ASSERT_TRUE(s.app.wait_closed(1));
    std::lock_guard lock(s.app.mu);
    EXPECT_EQ(s.app.closed.begin()->second, std::vector<int>{1000});
  }
}

TEST_P(WebSocketAsync, StopSendsGoingAwayAndWaitsForTheClose) {
  served s(GetParam(), true);
  client a(s.srv->port()), b(s.srv->port());
  ASSERT_EQ(a.head.substr(0, 13), "HTTP/1.1 101 ");
  ASSERT_EQ(b.head.substr(0, 13), "HTTP/1.1 101 ");
  s.srv->stop();
  std::string p;
  for (client* c : {&a, &b}) {
    const ws::event ev = c->next(p);
    EXPECT_EQ(ev.kind, ws::event_kind::close);
    EXPECT_EQ(ev.code, 1001);
    EXPECT_EQ(p, "server stopping");
    c->send(ws::opcode::close, "\x03\xe9");
  }
  EXPECT_TRUE(s.srv->wait(10000ms));
  ASSERT_TRUE(s.app.wait_closed(2));
  std::lock_guard lock(s.app.mu);
  for (const auto& [ch, codes] : s.app.closed) EXPECT_EQ(codes, std::vector<int>{1001});
}

TEST_P(WebSocketAsync, VanishedClientIsClosedOnce) {
  served s(GetParam(), false);
  {
    client c(s.srv->port());
    ASSERT_EQ(c.head.substr(0, 13), "HTTP/1.1 101 ");
    c.send(ws::opcode::text, "x");
    std::string p;
    EXPECT_EQ(c.next(p).kind, ws::event_kind::text);
  }  // closed without a Close frame
  ASSERT_TRUE(s.app.wait_closed(1));
  s.srv->stop();
  EXPECT_TRUE(s.srv->wait(10000ms));
  std::lock_guard lock(s.app.mu);
  EXPECT_EQ(s.app.closed.begin()->second, std::vector<int>{1006});
}

// Keep-alive through the server: a client that answers the server's Pings stays open across
// several of them; one that never answers gets Close 1011 (and the app hears 1011 once it
// echoes the Close). The HTTP idle_timeout, shorter than both, never applies.
TEST_P(WebSocketAsync, KeepalivePingsAndClosesAPeerThatNeverAnswers) {
  served s(GetParam(), false, 64 << 10, [](config& c) {
    c.websocket_ping_interval = 100ms;
    c.websocket_ping_timeout = 150ms;
    c.idle_timeout = 50ms;
  });
  client quiet(s.srv->port()), lively(s.srv->port());
  ASSERT_EQ(quiet.head.substr(0, 13), "HTTP/1.1 101 ");
  ASSERT_EQ(lively.head.substr(0, 13), "HTTP/1.1 101 ");
  std::string p;
  for (int pings = 0; pings < 4;) {
    const ws::event ev = lively.next(p);
    ASSERT_EQ(ev.kind, ws::event_kind::ping) << pings;
    lively.send(ws::opcode::pong, p);
    ++pings;
  }
  ws::event ev = quiet.next(p);
  EXPECT_EQ(ev.kind, ws::event_kind::ping);
  ev = quiet.next(p);
  ASSERT_EQ(ev.kind, ws::event_kind::close);
  EXPECT_EQ(ev.code, 1011);
  EXPECT_EQ(p, "keepalive ping timeout");
  quiet.send(ws::opcode::close, "\x03\xf3");
  ASSERT_TRUE(s.app.wait_closed(1));
  lively.send(ws::opcode::text, "still here");
  for (ev = lively.next(p); ev.kind == ws::event_kind::ping; ev = lively.next(p)) {
    lively.send(ws::opcode::pong, p);
  }
  EXPECT_EQ(ev.kind, ws::event_kind::text);
  EXPECT_EQ(p, "later:still here");
  std::lock_guard lock(s.app.mu);
  ASSERT_EQ(s.app.closed.size(), 1u);
  EXPECT_EQ(s.app.closed.begin()->second, std::vector<int>{1011});
}

// Holds each channel (as the Python bindings do, through the channel's context) until the
// turn_end() after its on_closed(): the batch that hands the end to the application's owner.
struct holding_app final : ws::app {
  std::mutex mu;
  std::map<const ws::channel*, std::shared_ptr<ws::channel>> open;
  std::vector<std::shared_ptr<ws::channel>> ending;  // closed, not handed over yet
  std::vector<std::weak_ptr<ws::channel>> seen;
  int closed = 0;
  std::optional<ws::handshake_options> upgrade(std::string_view) override {
    return ws::handshake_options{};
  }
  void on_event(ws::channel& ch, const ws::event&) noexcept override {
    std::lock_guard lock(mu);
    if (open.count(&ch) != 0) return;
    open[&ch] = ch.shared_from_this();
    seen.push_back(ch.weak_from_this());
  }
  void on_closed(ws::channel& ch, std::uint16_t) noexcept override {
    std::lock_guard lock(mu);
    ++closed;
    auto it = open.find(&ch);
    if (it == open.end()) return;
    ending.push_back(std::move(it->second));
    open.erase(it);
  }
  void turn_end() noexcept override {
    std::lock_guard lock(mu);
    ending.clear();
  }
};

// A server destroyed without stop() while its WebSockets are open and their clients never
// answer the Close: every channel ends (on_closed once), the application's owner is handed
// every end (a turn_end() after the last on_closed), and no channel outlives the server
// (ASan's leak check in the sanitizer build).
TEST_P(WebSocketAsync, ServerDestroyedWithoutStopReleasesItsChannels) {
  holding_app app;
  std::vector<std::unique_ptr<client>> clients;
  {
    config cfg;
    cfg.io = GetParam();
    cfg.websocket = &app;
    cfg.shutdown_timeout = 200ms;  // the silent clients are cut after it
    route_table routes;
    server srv(cfg, std::move(routes), nullptr);
    ASSERT_FALSE(srv.start());
    for (int i = 0; i < 4; ++i) {
      clients.push_back(std::make_unique<client>(srv.port()));
      ASSERT_EQ(clients.back()->head.substr(0, 13), "HTTP/1.1 101 ");
      clients.back()->send(ws::opcode::text, "hello");
    }
    for (int i = 0; i < 500; ++i) {  // bounded: the server has seen every channel
      {
        std::lock_guard lock(app.mu);
        if (app.open.size() == 4) break;
      }
      std::this_thread::sleep_for(10ms);
    }
  }  // destroyed: no stop() before
  std::lock_guard lock(app.mu);
  EXPECT_EQ(app.closed, 4);
  EXPECT_TRUE(app.open.empty());
  EXPECT_TRUE(app.ending.empty());  // handed over: turn_end() ran after the last end
  ASSERT_EQ(app.seen.size(), 4u);
  for (const auto& w : app.seen) EXPECT_TRUE(w.expired());
}

INSTANTIATE_TEST_SUITE_P(Transports, WebSocketAsync,
                         ::testing::Values(io_mode::epoll, io_mode::asio),
                         [](const auto& info) { return std::string(io_mode_name(info.param)); });

}  // namespace
}  // namespace lapwise::server

// Many idle WebSockets on one server, on both transports, bounded (2,000 connections, about
// 5 s each): what each connection holds (RSS of the process, with and without
// permessage-deflate negotiated, and after a compressed message has made zlib's state, on
// 200 of them) and the CPU the server spends keeping them (its ticks alone while no Ping is
// due, then the window in which each gets its keep-alive Ping). The figures are printed, not
// asserted (no timing in a test); what is asserted: every handshake succeeds, every connection
// gets its Ping and stays open, and an idle deflate connection holds no zlib state.
#include <gtest/gtest.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "lapwise/server/server.h"
#include "lapwise/server/websocket_app.h"
#include "lapwise/server/websocket_sender.h"
#include "loopback_socket.h"

namespace lapwise::server {
namespace {

using namespace std::chrono_literals;
constexpr int kConnections = 2000;
constexpr int kCompressed = 200;  // connections that make their zlib state (about 300 KiB each)

struct quiet_app final : ws::app {
  std::optional<ws::handshake_options> upgrade(std::string_view) override {
    return ws::handshake_options{};
  }
  void on_event(ws::channel& ch, const ws::event& ev) noexcept override {
    if (ev.kind == ws::event_kind::text) ch.send(true, ev.payload);  // echoed: compressed
  }
};

std::size_t rss_bytes() {
  std::ifstream f("/proc/self/statm");
  std::size_t size = 0, resident = 0;
  f >> size >> resident;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

double cpu_seconds() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// A client that only holds its socket after the handshake.
int open_websocket(std::uint16_t port, bool deflate) {
  const int fd = loopback::connect_to(port);
  if (fd < 0) return -1;
  std::string req =
      "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
  if (deflate) req += "Sec-WebSocket-Extensions: permessage-deflate\r\n";
  req += "\r\n";
  ::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  std::string head;
  char c;
  while (head.find("\r\n\r\n") == std::string::npos && ::recv(fd, &c, 1, 0) == 1) head += c;
  if (head.rfind("HTTP/1.1 101 ", 0) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// What came on `fd` so far (without waiting): the count of Ping frames, -1 when it closed.
int pings_received(int fd) {
  std::string got;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0) return -1;
    if (n < 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  int pings = 0;
  for (std::size_t i = 0; i + 1 < got.size(); i += 2 + (got[i + 1] & 0x7f)) {
    if (static_cast<unsigned char>(got[i]) == 0x88) return -1;  // a Close
    if (static_cast<unsigned char>(got[i]) == 0x89) ++pings;
  }
  return pings;
}

struct phase_figures {
  double rss_per_conn, cpu_per_second;
};

class WebSocketIdleLoad : public ::testing::TestWithParam<io_mode> {};

TEST_P(WebSocketIdleLoad, TwoThousandIdleConnections) {
  const char* io = io_mode_name(GetParam()).data();
  for (const bool deflate : {false, true}) {
    quiet_app app;
    config cfg;
    cfg.io = GetParam();
    cfg.websocket = &app;
    cfg.websocket_ping_interval = 2500ms;  // due in phase 2 (phase 1 ends before the first)
    cfg.websocket_ping_timeout = 0ms;      // the clients never answer: no close
    server srv(cfg, route_table{}, nullptr);
    ASSERT_FALSE(srv.start());
    const std::size_t rss0 = rss_bytes();
    std::vector<int> fds;
    fds.reserve(kConnections);
    const auto opened = std::chrono::steady_clock::now();
    for (int i = 0; i < kConnections; ++i) {
      const int fd = open_websocket(srv.port(), deflate);
      ASSERT_GE(fd, 0) << i;
      fds.push_back(fd);
    }
    const std::size_t rss1 = rss_bytes();
    // Phase 1: idle, no Ping due yet (the first is due 2.5 s after each handshake).
    const double cpu0 = cpu_seconds();
    const auto idle_from = std::chrono::steady_clock::now();
    std::this_thread::sleep_until(opened + 2400ms);
    const double idle_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - idle_from).count();
    const double cpu1 = cpu_seconds();
    // Phase 2: each connection's Ping comes due (once: the next is 2.5 s later).
    const auto window_from = std::chrono::steady_clock::now();
    std::this_thread::sleep_until(idle_from + 4400ms);
    const double window =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - window_from).count();
    const double cpu2 = cpu_seconds();
    int without = 0;
    for (int fd : fds) {
      const int p = pings_received(fd);
      ASSERT_GE(p, 0) << "a connection was closed";
      without += p == 0 ? 1 : 0;
    }
    EXPECT_EQ(without, 0) << "connections that got no Ping";
    const double per_conn = static_cast<double>(rss1 - rss0) / kConnections;
    std::printf(
        "[idle websockets] io=%s deflate=%d: %d connections, RSS +%.1f KiB each; process CPU "
        "while idle %.2f ms per s (%.1f s), in the Ping window %.1f ms (%.1f s: %.2f us per "
        "connection's Ping)\n",
        io, deflate ? 1 : 0, kConnections, per_conn / 1024, (cpu1 - cpu0) * 1000 / idle_seconds,
        idle_seconds, (cpu2 - cpu1) * 1000, window, (cpu2 - cpu1) * 1e6 / kConnections);
    if (deflate) {
      // Idle deflate connections hold no zlib state (about 300 KiB each when made).
      EXPECT_LT(per_conn, 64.0 * 1024);
      // One compressed message each on some of them: zlib's state is made now.
      std::string frame;
      const unsigned char mask[4] = {1, 2, 3, 4};
      ws::write_frame(frame, ws::opcode::text, std::string(200, 'z'), true, false, mask);
      for (int i = 0; i < kCompressed; ++i) {
        ::send(fds[i], frame.data(), frame.size(), MSG_NOSIGNAL);
      }
      std::this_thread::sleep_for(500ms);
      const std::size_t rss2 = rss_bytes();
      std::printf(
          "[idle websockets] io=%s: after one compressed message on %d of them: +%.1f KiB "
          "each of those (zlib's deflate state, what every negotiated connection held at the "
          "handshake before it was made lazily)\n",
          io, kCompressed, static_cast<double>(rss2 - rss1) / kCompressed / 1024);
    }
    for (int fd : fds) ::close(fd);
    srv.stop();
    EXPECT_TRUE(srv.wait(10000ms));
#if defined(__GLIBC__)
    ::malloc_trim(0);  // the next phase's RSS grows from a trimmed heap
#endif
  }
}

INSTANTIATE_TEST_SUITE_P(Transports, WebSocketIdleLoad,
                         ::testing::Values(io_mode::epoll, io_mode::asio),
                         [](const auto& info) { return std::string(io_mode_name(info.param)); });

}  // namespace
}  // namespace lapwise::server

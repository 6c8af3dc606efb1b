// Faults injected into an io thread's own work: an exception thrown from inside a loop turn
// (here by a WebSocket application's upgrade(), which the server calls while it reads) is
// reported through config::report and the thread goes on serving, on both transports.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "lapwise/server/server.h"
#include "lapwise/server/websocket_app.h"
#include "loopback_socket.h"

namespace lapwise::server {
namespace {

struct throwing_app final : ws::app {
  std::optional<ws::handshake_options> upgrade(std::string_view path) override {
    if (path == "/boom") throw std::runtime_error("injected fault in upgrade()");
    return std::nullopt;
  }
  void on_event(ws::channel&, const ws::event&) noexcept override {}
};

using loopback::connect_to;
using loopback::read_until;
using loopback::send_all;

class IoFault : public ::testing::TestWithParam<io_mode> {};

TEST_P(IoFault, ExceptionInALoopTurnIsReportedAndTheThreadServesOn) {
  throwing_app app;
  std::mutex mu;
  std::vector<std::string> reports;
  config cfg;
  cfg.io = GetParam();
  cfg.websocket = &app;
  cfg.report = [&](std::string_view m) {
    std::lock_guard lock(mu);
    reports.emplace_back(m);
  };
  route_table routes;
  ASSERT_FALSE(routes.add_const("GET", "/plain", {200, "text/plain", {}, "still here"}));
  server srv(cfg, std::move(routes), nullptr);
  ASSERT_FALSE(srv.start());
  const std::string upgrade =
      "GET /boom HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  for (int round = 0; round < 3; ++round) {  // the thread survives more than one
    const int boom = connect_to(srv.port());
    send_all(boom, upgrade);
    const int plain = connect_to(srv.port());
    send_all(plain, "GET /plain HTTP/1.1\r\nHost: x\r\n\r\n");
    const std::string got = read_until(plain, "still here");
    EXPECT_EQ(got.substr(0, 15), "HTTP/1.1 200 OK") << round;
    EXPECT_NE(got.find("still here"), std::string::npos) << round;
    ::close(plain);
    ::close(boom);
  }
  srv.stop();
  EXPECT_TRUE(srv.wait(std::chrono::milliseconds(10000)));
  std::lock_guard lock(mu);
  ASSERT_EQ(reports.size(), 3u);
  for (const std::string& r : reports) {
    EXPECT_NE(r.find("io thread 0: injected fault in upgrade()"), std::string::npos) << r;
  }
}

INSTANTIATE_TEST_SUITE_P(Transports, IoFault, ::testing::Values(io_mode::epoll, io_mode::asio),
                         [](const auto& info) { return std::string(io_mode_name(info.param)); });

}  // namespace
}  // namespace lapwise::server

// lapwise-ws-echo: the server core's WebSocket echo as a process, so the harness can start it,
// read its CPU time from /proc and stop it by pid like any peer server.
//
//   lapwise-ws-echo [--port N] [--io epoll|asio] [--threads N] [--max-message BYTES]
//                   [--ping-interval MS] [--ping-timeout MS]
//
// Serves /echo on 127.0.0.1 (text back as text, binary as binary; permessage-deflate when the
// client offers it) and GET /plaintext as plain HTTP. Prints "listening <port>" once bound.
// SIGTERM or SIGINT stops it gracefully.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "lapwise/server/server.h"
#include "lapwise/server/websocket_app.h"

namespace {

namespace ws = lapwise::server::ws;

struct echo_app final : ws::app {
  std::optional<ws::handshake_options> upgrade(std::string_view path) override {
    if (path != "/echo") return std::nullopt;
    return ws::handshake_options{};
  }
  void on_event(ws::channel& ch, const ws::event& ev) noexcept override {
    if (ev.kind == ws::event_kind::text || ev.kind == ws::event_kind::binary) {
      ch.send(ev.kind == ws::event_kind::text, ev.payload);
    }
  }
};

int usage() {
  std::fprintf(stderr,
               "usage: lapwise-ws-echo [--port N] [--io epoll|asio] [--threads N] "
               "[--max-message BYTES] [--ping-interval MS] [--ping-timeout MS]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  lapwise::server::config cfg;
  echo_app app;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) return usage();
    const char* value = argv[++i];
    if (arg == "--port") {
      cfg.port = static_cast<std::uint16_t>(std::strtoul(value, nullptr, 10));
    } else if (arg == "--threads") {
      cfg.threads = static_cast<unsigned>(std::strtoul(value, nullptr, 10));
    } else if (arg == "--max-message") {
      app.lim.max_message = std::strtoull(value, nullptr, 10);
      app.lim.max_frame = app.lim.max_message;
    } else if (arg == "--ping-interval") {
      cfg.websocket_ping_interval = std::chrono::milliseconds(std::strtoul(value, nullptr, 10));
    } else if (arg == "--ping-timeout") {
      cfg.websocket_ping_timeout = std::chrono::milliseconds(std::strtoul(value, nullptr, 10));
    } else if (arg == "--io") {
      const auto io = lapwise::server::parse_io_mode(value);
      if (!io) return usage();
      cfg.io = *io;
    } else {
      return usage();
    }
  }
  cfg.websocket = &app;
  // Block the stop signals before any io thread exists, so only sigwait() below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  lapwise::server::route_table routes;
  if (auto err = routes.add_const("GET", "/plaintext", {200, "text/plain", {}, "Hello, World!"})) {
    std::fprintf(stderr, "lapwise-ws-echo: %s\n", err->c_str());
    return 1;
  }
  lapwise::server::server srv(cfg, std::move(routes), nullptr);
  if (auto err = srv.start()) {
    std::fprintf(stderr, "lapwise-ws-echo: %s\n", err->c_str());
    return 1;
  }
  std::printf("listening %u\n", static_cast<unsigned>(srv.port()));
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  srv.stop();
  return srv.wait() ? 0 : 1;
}

// End to end: Debian's `websockets` client (python3-websockets) against echo servers on
// 127.0.0.1: one built on the codec alone (handshake, endpoint) over a blocking socket, and
// lapwise's server (both transports) with an echo ws::app. It checks interoperation with an
// independent implementation, with and without permessage-deflate.
// Skipped when /usr/bin/python3 or its websockets package is missing. The client process is
// waited for by pid and killed by pid if it outlives a generous bound.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "lapwise/server/server.h"
#include "lapwise/server/websocket_app.h"
#include "lapwise/server/websocket_endpoint.h"
#include "lapwise/server/websocket_handshake.h"

extern char** environ;

using namespace lapwise::server::ws;

namespace {

constexpr const char* kClient = R"PY(
import asyncio, sys
try:
    import websockets
except ImportError:
    sys.exit(77)

async def main(url, compression):
    msgs = ["hello", "\u03ba\u1f79\u03c3\u03bc\u03b5", b"\x00\x01\xff", "x" * 20000,
            b"y" * 70000, ""]
    async with websockets.connect(url, compression=compression, max_size=2**22) as ws:
        for m in msgs:
            await ws.send(m)
            if await ws.recv() != m:
                print("mismatch", repr(m)[:40])
                sys.exit(1)
        await ws.send(["frag", "ment"])
        if await ws.recv() != "fragment":
            print("fragmented message mismatch")
            sys.exit(1)
        await (await ws.ping(b"p"))
        ext = ws.response_headers.get("Sec-WebSocket-Extensions", "none")
    print("ok", ws.close_code, ext)

asyncio.run(main(sys.argv[1], None if sys.argv[2] == "none" else "deflate"))
)PY";

bool wait_readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 60000) == 1;  // a bound on a stuck peer, not a timing check
}

bool write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    s.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Serves one connection: handshake, then echo every message until the close handshake ends.
void serve_one(int listener, std::string* failure) {
  if (!wait_readable(listener)) return void(*failure = "no connection");
  const int fd = ::accept(listener, nullptr, nullptr);
  if (fd < 0) return void(*failure = "accept failed");
  std::string in;
  char buf[65536];
  std::size_t head_end;
  while ((head_end = in.find("\r\n\r\n")) == std::string::npos) {
    if (in.size() > 16384 || !wait_readable(fd)) break;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    in.append(buf, static_cast<std::size_t>(n));
  }
  if (head_end == std::string::npos) {
    ::close(fd);
    return void(*failure = "no request head");
  }
  // Request line, then "Name: value" lines (the test client sends a plain head).
  std::vector<lapwise::parser::header> headers;
  const std::string_view head(in.data(), head_end + 2);
  const std::size_t first = head.find("\r\n");
  const std::string_view method = head.substr(0, head.find(' '));
  for (std::size_t at = first + 2; at < head.size();) {
    const std::size_t eol = head.find("\r\n", at);
    const std::string_view line = head.substr(at, eol - at);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view v = line.substr(colon + 1);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      headers.push_back({line.substr(0, colon), v});
    }
    at = eol + 2;
  }
  const handshake hs = accept_handshake({method, 1, headers});
  write_all(fd, hs.response);
  if (!hs.accepted) {
    ::close(fd);
    return void(*failure = "handshake refused: " + hs.error);
  }
  endpoint ep({}, hs.deflate);
  std::string pending = in.substr(head_end + 4);
  std::string out;
  while (!ep.done()) {
    std::string_view rest = pending;
    while (true) {
      auto r = ep.receive(rest, out);
      rest.remove_prefix(r.consumed);
      if (r.ev.kind == event_kind::text || r.ev.kind == event_kind::binary) {
        ep.send(out, r.ev.kind == event_kind::text, r.ev.payload);
      } else if (r.ev.kind == event_kind::error) {
        *failure = "protocol error: " + std::string(r.ev.payload);
      } else if (r.ev.kind == event_kind::none && (rest.empty() || r.consumed == 0)) {
        break;
      }
    }
    pending.clear();
    if (!write_all(fd, out)) break;
    out.clear();
    if (ep.done() || !wait_readable(fd)) break;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    pending.assign(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);  // the server closes the TCP connection first
}

struct client_run {
  int status = -1;
  std::string output;
};

client_run run_client(int port, const char* compression, const char* path = "/echo") {
  client_run run;
  int pipefd[2];
  if (::pipe(pipefd) != 0) return run;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
  posix_spawn_file_actions_addclose(&fa, pipefd[0]);
  const std::string url = "ws://127.0.0.1:" + std::to_string(port) + path;
  const char* argv[] = {"/usr/bin/python3", "-c", kClient, url.c_str(), compression, nullptr};
  pid_t pid;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(pipefd[1]);
  if (rc != 0) {
    ::close(pipefd[0]);
    return run;
  }
  char buf[4096];
  while (wait_readable(pipefd[0])) {
    const ssize_t n = ::read(pipefd[0], buf, sizeof buf);
    if (n <= 0) break;
    run.output.append(buf, static_cast<std::size_t>(n));
  }
  ::close(pipefd[0]);
  int st = 0;
  if (::waitpid(pid, &st, WNOHANG) == 0) {
    ::kill(pid, SIGKILL);  // outlived the bound: stop it by its pid
    ::waitpid(pid, &st, 0);
  }
  run.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return run;
}

}  // namespace

TEST(WebSocketEcho, DebianWebsocketsClientInteroperates) {
  if (::access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/python3";
  for (const char* compression : {"none", "deflate"}) {
    SCOPED_TRACE(compression);
    const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(listener, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::listen(listener, 4), 0);
    socklen_t len = sizeof a;
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len);
    std::string failure;
    std::thread server(serve_one, listener, &failure);
    const client_run run = run_client(ntohs(a.sin_port), compression);
    if (run.status == 77) {
      ::shutdown(listener, SHUT_RDWR);
      server.join();
      ::close(listener);
      GTEST_SKIP() << "python3-websockets is not installed";
    }
    ::shutdown(listener, SHUT_RDWR);  // wakes the server if the client never connected
    server.join();
    ::close(listener);
    EXPECT_EQ(failure, "");
    EXPECT_EQ(run.status, 0) << run.output;
    const std::string want = std::string("ok 1000 ") +
                             (std::string(compression) == "none" ? "none" : "permessage-deflate");
    EXPECT_EQ(run.output.substr(0, want.size()), want) << run.output;
  }
}

namespace {
struct echo_app final : lapwise::server::ws::app {
  std::optional<handshake_options> upgrade(std::string_view path) override {
    if (path != "/echo") return std::nullopt;
    return handshake_options{};
  }
  void on_event(channel& ch, const event& ev) noexcept override {
    if (ev.kind == event_kind::text || ev.kind == event_kind::binary) {
      ch.send(ev.kind == event_kind::text, ev.payload);
    }
  }
};
}  // namespace

TEST(WebSocketEcho, ThroughTheServerOnBothTransports) {
  if (::access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/python3";
  using lapwise::server::io_mode;
  for (io_mode io : {io_mode::epoll, io_mode::asio}) {
    for (const char* compression : {"none", "deflate"}) {
      SCOPED_TRACE(std::string(lapwise::server::io_mode_name(io)) + " " + compression);
      echo_app app;
      lapwise::server::config cfg;
      cfg.io = io;
      cfg.websocket = &app;
      lapwise::server::route_table routes;
      ASSERT_FALSE(routes.add_const("GET", "/plain", {200, "text/plain", {}, "hi"}));
      lapwise::server::server srv(cfg, std::move(routes), nullptr);
      ASSERT_FALSE(srv.start());
      const client_run run = run_client(srv.port(), compression);
      srv.stop();
      ASSERT_TRUE(srv.wait());
      if (run.status == 77) GTEST_SKIP() << "python3-websockets is not installed";
      EXPECT_EQ(run.status, 0) << run.output;
      const std::string want = std::string("ok 1000 ") +
                               (std::string(compression) == "none" ? "none" : "permessage-deflate");
      EXPECT_EQ(run.output.substr(0, want.size()), want) << run.output;
    }
  }
}

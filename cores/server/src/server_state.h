// Private: what server.cc shares with the two transports (asio_engine.cc, epoll_engine.cc).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "lapwise/server/session.h"

namespace lapwise::server::detail {

class io_engine;

struct server_state {
  server_state(config c, route_table r, handler* hd)
      : svc(std::move(c), std::move(r)), cfg(svc.cfg()), h(hd) {}
  service svc;
  const config& cfg;
  handler* h;
  std::atomic<std::size_t> conns{0};  // open connections over every thread (max_connections)
  std::atomic<bool> stopping{false};
  // The server object's own (server.cc): the transport, its threads, start/stop/join state.
  std::unique_ptr<io_engine> engine;
  std::vector<std::thread> threads;
  io_mode io = io_mode::automatic;
  std::uint16_t port = 0;
  bool started = false, joined = false;
  std::mutex mu;
  std::condition_variable cv;
  unsigned running = 0;
};

// One transport: the listeners, the io threads' loops and the cross-thread stop.
class io_engine {
 public:
  virtual ~io_engine() = default;
  // Listens on cfg.host:port (0: a free port, written back) for `threads` loops: one
  // SO_REUSEPORT listener each with cfg.reuse_port, else one listener they all accept from.
  // Returns an error message ("bad host address ..." / "cannot listen on ...") or nullopt.
  virtual std::optional<std::string> open(unsigned threads, std::uint16_t& port) = 0;
  // The body of io thread `index` (< threads): returns once it has drained after stop().
  virtual void run(unsigned index) noexcept = 0;
  // Graceful stop of every thread, from any thread; called at most once, after open().
  virtual void stop() noexcept = 0;
  // config::external_loop (server::poll()): only the epoll transport runs one.
  [[nodiscard]] virtual int poll_fd() const noexcept { return -1; }
  virtual int poll() noexcept { return -1; }
  virtual void poll_last() noexcept {}
};

// Which deadline a connection is under. Both transports keep one deadline per connection and
// sweep them once per tick instead of arming a timer per request.
// `websocket`: the session's own timers (session::websocket_deadline()), not the table here.
enum class timing : std::uint8_t { none, idle, head, body, waiting, blocked, lingering, websocket };

// The deadline state of a connection: from its own flags (closed, lingering after a close, a
// write waiting for the client to read) and otherwise its session's phase.
inline timing timing_of(bool closed, bool lingering, bool write_blocked,
                        session::phase phase) noexcept {
  if (closed) return timing::none;
  if (lingering) return timing::lingering;
  if (write_blocked) return timing::blocked;
  switch (phase) {
    case session::phase::idle:
      return timing::idle;
    case session::phase::head:
      return timing::head;
    case session::phase::body:
      return timing::body;
    case session::phase::websocket:
      return timing::websocket;
    default:
      return timing::waiting;  // a handler holds the request: no deadline of ours
  }
}

// When a connection whose `t` (re)started at `now` times out; time_point::max() for never.
inline std::chrono::steady_clock::time_point deadline_of(timing t, const config& cfg,
                                                         std::chrono::steady_clock::time_point now,
                                                         bool draining) noexcept {
  using namespace std::chrono_literals;
  switch (t) {
    case timing::idle:
      return now + cfg.idle_timeout;
    case timing::head:
      return now + cfg.header_timeout;
    case timing::body:
      return now + cfg.body_timeout;
    case timing::blocked:
      return now + cfg.send_timeout;
    case timing::lingering:  // short while stopping: a client that keeps its end open
      return now + std::min<std::chrono::steady_clock::duration>(cfg.idle_timeout,
                                                                 draining ? 200ms : 2000ms);
    default:
      return std::chrono::steady_clock::time_point::max();
  }
}

std::unique_ptr<io_engine> make_asio_engine(server_state& st);
// Null where the platform has no epoll.
std::unique_ptr<io_engine> make_epoll_engine(server_state& st);

}  // namespace lapwise::server::detail

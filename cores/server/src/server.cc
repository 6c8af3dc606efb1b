// The server object: picks the transport (io_mode.h), starts the io threads, stops and joins
// them. The transports live in asio_engine.cc and epoll_engine.cc.
#include "lapwise/server/server.h"

#include <cstdlib>
#include <thread>

#include "access_log.h"
#include "server_state.h"

namespace lapwise::server {

std::string_view io_mode_name(io_mode m) noexcept {
  switch (m) {
    case io_mode::asio:
      return "asio";
    case io_mode::epoll:
      return "epoll";
    default:
      return "auto";
  }
}

std::optional<io_mode> parse_io_mode(std::string_view name) noexcept {
  if (name == "auto") return io_mode::automatic;
  if (name == "asio") return io_mode::asio;
  if (name == "epoll") return io_mode::epoll;
  return std::nullopt;
}

std::optional<io_mode> resolve_io_mode(io_mode requested, std::string* error) {
  if (requested == io_mode::automatic) {
    if (const char* env = std::getenv("LAPWISE_SERVER_IO"); env != nullptr && *env != '\0') {
      const auto m = parse_io_mode(env);
      if (!m) {
        if (error != nullptr) {
          *error = std::string("LAPWISE_SERVER_IO='") + env + "': expected asio, epoll or auto";
        }
        return std::nullopt;
      }
      requested = *m;
    }
  }
  if (requested != io_mode::automatic) return requested;
#if defined(__linux__)
  return io_mode::epoll;
#else
  return io_mode::asio;
#endif
}

server::server(config cfg, route_table routes, handler* h)
    : state_(std::make_unique<detail::server_state>(std::move(cfg), std::move(routes), h)) {}

server::~server() {
  stop();
  if (state_->started && state_->cfg.external_loop) poll_last();  // nobody polls any more
  wait();
  state_->engine.reset();  // before the rest of the state its loops refer to
}

std::uint16_t server::port() const noexcept { return state_->port; }
io_mode server::io() const noexcept { return state_->io; }

std::optional<std::string> server::start() {
  detail::server_state& l = *state_;
  if (l.started) return "the server was started already";
  std::string error;
  const auto mode = resolve_io_mode(l.cfg.io, &error);
  if (!mode) return error;
  l.engine = *mode == io_mode::epoll ? detail::make_epoll_engine(*state_) : nullptr;
  if (!l.engine) {  // asio asked for, or no epoll on this platform
    l.engine = detail::make_asio_engine(*state_);
    l.io = io_mode::asio;
  } else {
    l.io = io_mode::epoll;
  }
  const unsigned n = std::max(1u, state_->cfg.threads);
  if (l.cfg.external_loop && (l.io != io_mode::epoll || n != 1)) {
    l.engine.reset();
    return "external_loop needs the epoll transport and one thread";
  }
  std::uint16_t port = state_->cfg.port;
  if (auto err = l.engine->open(n, port)) {
    l.engine.reset();
    return err;
  }
  l.port = port;
  l.started = true;
  l.running = n;
  if (l.cfg.external_loop) return std::nullopt;  // the caller's thread polls (poll())
  for (unsigned i = 0; i < n; ++i) {
    l.threads.emplace_back([&l, i] {
      l.engine->run(i);
      if (detail::access_log* log = l.svc.access()) log->flush();  // its last lines, before wait()
      std::lock_guard lock(l.mu);
      if (--l.running == 0) l.cv.notify_all();
    });
  }
  return std::nullopt;
}

void server::stop() noexcept {
  if (!state_->started || state_->stopping.exchange(true)) return;
  state_->engine->stop();
}

bool server::wait(std::chrono::milliseconds timeout) noexcept {
  detail::server_state& l = *state_;
  if (!l.started) return true;
  {
    std::unique_lock lock(l.mu);
    if (timeout.count() < 0) {
      l.cv.wait(lock, [&] { return l.running == 0; });
    } else if (!l.cv.wait_for(lock, timeout, [&] { return l.running == 0; })) {
      return false;
    }
    if (l.joined) return true;
    l.joined = true;
  }
  for (auto& t : l.threads) {
    if (t.joinable()) t.join();
  }
  return true;
}

int server::poll_fd() const noexcept {
  return state_->started && state_->cfg.external_loop ? state_->engine->poll_fd() : -1;
}

namespace {
void poll_ended(detail::server_state& l) {
  if (detail::access_log* log = l.svc.access()) log->flush();
  std::lock_guard lock(l.mu);
  if (l.running == 0) return;
  l.running = 0;
  l.cv.notify_all();
}
}  // namespace

int server::poll() noexcept {
  detail::server_state& l = *state_;
  if (!l.started || !l.cfg.external_loop) return -1;
  const int next = l.engine->poll();
  if (next < 0) poll_ended(l);
  return next;
}

void server::poll_last() noexcept {
  detail::server_state& l = *state_;
  if (!l.started || !l.cfg.external_loop) return;
  l.stopping.store(true);
  l.engine->poll_last();
  poll_ended(l);
}

}  // namespace lapwise::server

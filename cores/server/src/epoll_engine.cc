// The epoll transport (io_mode::epoll): one level-triggered epoll loop per io thread that only
// moves bytes between sockets and sessions (session.h holds the HTTP logic).
//
// Why it looks the way it does:
// - Level-triggered, so a connection is read only when epoll says it holds bytes: one recv and
//   one send per keep-alive request, and no speculative recv that ends in EAGAIN (Asio's
//   reactor does one per request). Interest changes (epoll_ctl) happen only when a connection
//   pauses reading (pipelining limit, a handler holding its requests) or its send buffer fills.
// - Responses are sent at once, at the end of the event that produced them; the handler gets
//   every dynamic request that became ready in one loop turn (one epoll_wait) in one batch.
// - Other threads (a handler answering later, stop(), a freed connection slot) reach a loop
//   through a locked queue and an eventfd.
// - Deadlines are checked by one sweep per tick, as in the Asio transport.
// - A connection object outlives its socket while a handler holds one of its requests (the
//   request points into it); it is freed at the end of the loop turn that sees it unused.
#if defined(__linux__)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>

#include "server_state.h"

namespace lapwise::server::detail {
namespace {

using clock = std::chrono::steady_clock;
class epoll_engine;
struct loop;

std::string errno_text(int e) { return std::strerror(e); }

class conn final : public responder {
 public:
  conn(loop& l, int fd);
  ~conn();
  void on_event(std::uint32_t events);
  void pump();  // after every change: write, linger when done, interest, deadline
  void complete(request& r, response&& resp) noexcept override;
  void on_timeout();
  void drain();
  void close_now() noexcept;
  [[nodiscard]] bool closed() const noexcept { return closed_; }
  [[nodiscard]] bool held() const noexcept {  // a request of ours is out with the handler
    return sess_.current_phase() == session::phase::waiting;
  }

  clock::time_point deadline_ = clock::time_point::max();
  std::size_t index_ = 0;  // in loop::conns_ while open
  bool dirty_ = false;     // in loop::dirty_
  bool doomed_ = false;    // in loop::graveyard_

 private:
  void read_once();
  void read_now();
  void write_out();
  void linger();
  void linger_read();
  void set_interest();
  void update_deadline();

  loop& l_;
  int fd_;
  session sess_;
  std::uint32_t interest_ = EPOLLIN;  // as registered
  timing timing_ = timing::none;
  bool write_blocked_ = false, closed_ = false, lingering_ = false;
};

struct loop {
  loop(epoll_engine& e, server_state& st, unsigned index);
  ~loop();
  std::optional<std::string> open(const sockaddr* addr, socklen_t len, std::uint16_t& port);
  void run();
  void turn();
  void post(std::function<void()> f);  // from any thread
  void run_posted();
  void accept_ready();
  // Takes an accepted socket (its slot in st_.conns already counted): TCP_NODELAY, a conn, in
  // the epoll set. Null when registration failed; the conn is then closed (and reaped).
  conn* adopt(int fd);
  void set_accepting(bool on);
  void tick();
  void turn_end();
  void begin_drain();
  void check_drained();
  void reap(conn* c);
  void mark_dirty(conn* c);

  epoll_engine& e_;
  server_state& st_;
  unsigned index_;
  int ep_ = -1, listen_ = -1, wake_ = -1;
  bool accepting_ = false;  // the listener is in the epoll set
  clock::duration tick_every_{};
  clock::time_point now_ = clock::now(), next_tick_ = clock::now();
  clock::time_point drain_deadline_ = clock::time_point::max();
  clock::time_point accept_retry_ = clock::time_point::max();  // after EMFILE and the like
  std::int64_t date_second_ = -1;
  char date_[date_length] = {};
  std::vector<conn*> conns_;  // open connections
  std::size_t live_ = 0;      // connection objects, open or not
  std::vector<request*> ready_, batch_;
  std::vector<conn*> dirty_, graveyard_;
  std::mutex mu_;
  std::vector<std::function<void()>> posted_, running_;
  bool draining_ = false, parked_ = false, finished_ = false, destroying_ = false;
  std::thread::id thread_;
  std::array<char, 4096> sink_{};  // lingering reads land here, discarded
};

class epoll_engine final : public io_engine {
 public:
  explicit epoll_engine(server_state& st) : st_(st) {}
  std::optional<std::string> open(unsigned threads, std::uint16_t& port) override;
  void run(unsigned index) noexcept override;
  void stop() noexcept override {
    for (auto& l : loops_) l->post([lp = l.get()] { lp->begin_drain(); });
  }
  void unpark() {  // a connection slot freed up: parked loops accept again
    for (auto& l : loops_) {
      l->post([lp = l.get()] {
        if (lp->parked_) lp->set_accepting(true);
      });
    }
  }

  server_state& st_;
  std::atomic<std::size_t> parked_{0};        // loops waiting for a connection slot
  std::vector<std::unique_ptr<loop>> loops_;  // last: destroyed first
};

// ------------------------------------------------------------------------------------- conn

conn::conn(loop& l, int fd) : l_(l), fd_(fd), sess_(l.st_.svc, *this, l.ready_, l.date_) {
  ++l_.live_;
  index_ = l_.conns_.size();
  l_.conns_.push_back(this);
}

conn::~conn() {
  doomed_ = true;  // being freed: close_now() must not queue it again
  close_now();
  --l_.live_;
}

void conn::close_now() noexcept {
  if (closed_) return;
  closed_ = true;
  sess_.end_of_input();  // nothing buffered is dispatched for a connection that is gone
  ::close(fd_);          // also leaves the epoll set
  conn* last = l_.conns_.back();
  l_.conns_[index_] = last;
  last->index_ = index_;
  l_.conns_.pop_back();
  l_.st_.conns.fetch_sub(1);
  if (!l_.destroying_ && l_.e_.parked_.load() > 0) l_.e_.unpark();
  l_.reap(this);
}

void conn::on_event(std::uint32_t events) {
  if (closed_) return;  // closed earlier in this turn
  if (events & EPOLLERR) {
    close_now();
    return;
  }
  if (events & EPOLLOUT) write_blocked_ = false;
  if (events & (EPOLLIN | EPOLLHUP)) {
    if (lingering_) {
      linger_read();
      return;
    }
    if (sess_.wants_read()) read_once();
  }
  // A hang-up (reset, or both directions shut) while not lingering: nothing we send can reach
  // the peer, and level-triggered epoll would report it on every turn.
  if (!closed_ && (events & EPOLLHUP) && !lingering_) {
    close_now();
    return;
  }
  if (!closed_) pump();
}

void conn::read_once() {
  const std::span<char> space = sess_.read_space();
  if (space.empty()) return;
  const ssize_t n = ::recv(fd_, space.data(), space.size(), 0);
  if (n > 0) {
    sess_.commit(static_cast<std::size_t>(n));
  } else if (n == 0) {
    sess_.end_of_input();
  } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    close_now();
  }
}

// Reads what the kernel holds now, without waiting (drain: the last bytes before closing).
void conn::read_now() {
  while (!closed_ && sess_.wants_read()) {
    const std::span<char> space = sess_.read_space();
    if (space.empty()) return;
    const ssize_t n = ::recv(fd_, space.data(), space.size(), 0);
    if (n <= 0) {
      if (n == 0) sess_.end_of_input();
      return;
    }
    sess_.commit(static_cast<std::size_t>(n));
    if (static_cast<std::size_t>(n) < space.size()) return;
  }
}

void conn::write_out() {
  while (!write_blocked_ && !closed_) {
    const std::string_view out = sess_.output();
    if (out.empty()) return;
    const ssize_t n = ::send(fd_, out.data(), out.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        write_blocked_ = true;  // EPOLLOUT resumes it
        return;
      }
      close_now();
      return;
    }
    sess_.consume(static_cast<std::size_t>(n));
  }
}

void conn::pump() {
  if (!closed_ && !lingering_) {
    write_out();
    if (!closed_ && sess_.done()) linger();
  }
  if (!closed_) set_interest();
  update_deadline();
  if (closed_) l_.reap(this);
}

void conn::set_interest() {
  std::uint32_t want = 0;
  if (lingering_ || sess_.wants_read()) want |= EPOLLIN;
  if (write_blocked_) want |= EPOLLOUT;
  if (want == interest_) return;
  epoll_event ev{};
  ev.events = want;
  ev.data.ptr = this;
  if (::epoll_ctl(l_.ep_, EPOLL_CTL_MOD, fd_, &ev) != 0) {
    close_now();
    return;
  }
  interest_ = want;
}

// Closing with unread input makes the kernel send RST, which can destroy the response still
// in flight to the client (after a 413, say). So: shut down our side, read and discard until
// the client closes or a short deadline passes, then close.
void conn::linger() {
  if (closed_ || lingering_) return;
  lingering_ = true;
  if (::shutdown(fd_, SHUT_WR) != 0) {
    close_now();
    return;
  }
  linger_read();
}

void conn::linger_read() {
  for (;;) {
    const ssize_t n = ::recv(fd_, l_.sink_.data(), l_.sink_.size(), 0);
    if (n > 0) continue;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      set_interest();  // wait for more, or the client's FIN
      update_deadline();
      return;
    }
    close_now();  // eof or an error: the client is done
    return;
  }
}

void conn::update_deadline() {
  const timing t = timing_of(closed_, lingering_, write_blocked_, sess_.current_phase());
  if (t == timing_) return;
  timing_ = t;
  deadline_ = deadline_of(t, l_.st_.cfg, l_.now_, l_.draining_);
}

void conn::on_timeout() {
  if (closed_) return;
  if (lingering_ || write_blocked_) {
    close_now();
    return;
  }
  sess_.timeout();
  pump();
}

void conn::drain() {
  if (closed_ || lingering_) return;
  read_now();  // take what the kernel already holds, then no more
  sess_.drain();
  pump();
}

void conn::complete(request& r, response&& resp) noexcept {
  if (std::this_thread::get_id() == l_.thread_) {
    sess_.complete(r, std::move(resp));
    l_.mark_dirty(this);
    return;
  }
  // The request (and so this conn, which is held while a request is out) stays valid until
  // the completion runs on the loop's thread.
  auto boxed = std::make_shared<response>(std::move(resp));
  l_.post([this, &r, boxed] { complete(r, std::move(*boxed)); });
}

// ------------------------------------------------------------------------------------- loop

loop::loop(epoll_engine& e, server_state& st, unsigned index) : e_(e), st_(st), index_(index) {
  const auto shortest = std::min(st.cfg.header_timeout, st.cfg.idle_timeout);
  tick_every_ = std::clamp<clock::duration>(shortest / 4, std::chrono::milliseconds(10),
                                            std::chrono::milliseconds(250));
}

loop::~loop() {
  destroying_ = true;
  for (conn* c : std::vector<conn*>(conns_)) delete c;  // only after run() (or never started)
  for (conn* c : graveyard_) delete c;
  if (listen_ >= 0) ::close(listen_);
  if (wake_ >= 0) ::close(wake_);
  if (ep_ >= 0) ::close(ep_);
}

std::optional<std::string> loop::open(const sockaddr* addr, socklen_t len, std::uint16_t& port) {
  const std::string where = st_.cfg.host + ":" + std::to_string(port);
  ep_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (ep_ < 0) return "epoll_create1: " + errno_text(errno);
  wake_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_ < 0) return "eventfd: " + errno_text(errno);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = &wake_;
  if (::epoll_ctl(ep_, EPOLL_CTL_ADD, wake_, &ev) != 0) return "epoll_ctl: " + errno_text(errno);
  listen_ = ::socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  if (listen_ < 0 || ::setsockopt(listen_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      ::setsockopt(listen_, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0 ||
      ::bind(listen_, addr, len) != 0 || ::listen(listen_, SOMAXCONN) != 0) {
    return "cannot listen on " + where + ": " + errno_text(errno);
  }
  if (port == 0) {
    sockaddr_storage bound{};
    socklen_t blen = sizeof bound;
    if (::getsockname(listen_, reinterpret_cast<sockaddr*>(&bound), &blen) != 0) {
      return "getsockname: " + errno_text(errno);
    }
    port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(bound).sin6_port
                                             : reinterpret_cast<sockaddr_in&>(bound).sin_port);
  }
  return std::nullopt;
}

void loop::set_accepting(bool on) {
  if (on && parked_) {
    parked_ = false;
    e_.parked_.fetch_sub(1);
  }
  if (on == accepting_ || listen_ < 0) return;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = &listen_;
  if (::epoll_ctl(ep_, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, listen_, &ev) == 0) accepting_ = on;
}

void loop::accept_ready() {
  // Bounded per turn so that a connection storm cannot starve the established connections.
  for (int i = 0; i < 64 && !draining_; ++i) {
    if (st_.conns.fetch_add(1) >= st_.cfg.max_connections) {  // a slot is reserved first
      st_.conns.fetch_sub(1);
      set_accepting(false);  // the kernel backlog holds them; a closing connection unparks us
      if (!parked_) {
        parked_ = true;
        e_.parked_.fetch_add(1);
      }
      return;  // a close racing the flag above is caught by the next tick
    }
    const int fd = ::accept4(listen_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      st_.conns.fetch_sub(1);
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED) {
        return;
      }
      // EMFILE and the like: the listener stays readable; try again shortly rather than spin.
      set_accepting(false);
      accept_retry_ = now_ + std::chrono::milliseconds(50);
      return;
    }
    if (conn* c = adopt(fd)) c->pump();
  }
}

conn* loop::adopt(int fd) {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  auto* c = new conn(*this, fd);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = c;
  if (::epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev) == 0) return c;
  c->close_now();
  return nullptr;
}

void loop::post(std::function<void()> f) {
  bool first;
  {
    std::lock_guard lock(mu_);
    first = posted_.empty();
    posted_.push_back(std::move(f));
  }
  if (first) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t n = ::write(wake_, &one, sizeof one);
  }
}

void loop::run_posted() {
  std::uint64_t count;
  [[maybe_unused]] const ssize_t n = ::read(wake_, &count, sizeof count);
  {
    std::lock_guard lock(mu_);
    running_.swap(posted_);
  }
  for (auto& f : running_) f();
  running_.clear();
}

void loop::mark_dirty(conn* c) {
  if (c->dirty_) return;
  c->dirty_ = true;
  dirty_.push_back(c);
}

// A closed connection is freed at the end of the turn, once no handler holds its requests.
void loop::reap(conn* c) {
  if (c->doomed_ || !c->closed() || c->held()) return;
  c->doomed_ = true;
  graveyard_.push_back(c);
}

void loop::tick() {
  const auto wall = std::chrono::system_clock::now().time_since_epoch();
  const std::int64_t second = std::chrono::duration_cast<std::chrono::seconds>(wall).count();
  if (second != date_second_) {
    date_second_ = second;
    format_http_date(second, date_);
  }
  const bool force = draining_ && now_ >= drain_deadline_;
  for (std::size_t i = 0; i < conns_.size();) {
    conn* c = conns_[i];
    if (force || c->deadline_ <= now_) {
      if (force) {
        c->close_now();
      } else {
        c->on_timeout();
      }
      if (i < conns_.size() && conns_[i] == c) ++i;  // else it was swap-removed: look again
    } else {
      ++i;
    }
  }
  if (!draining_ && (parked_ || now_ >= accept_retry_)) {
    accept_retry_ = clock::time_point::max();
    set_accepting(true);  // parked: a slot may have freed without reaching us
  }
  next_tick_ = now_ + tick_every_;
}

// End of a loop turn: every dynamic request that became ready goes to the handler in one call,
// then the connections it answered write their responses.
void loop::turn_end() {
  while (!ready_.empty() || !dirty_.empty()) {
    if (!ready_.empty()) {
      batch_.swap(ready_);
      if (st_.h != nullptr) {
        st_.h->handle(batch_);
      } else {
        for (request* r : batch_) r->respond({500, "text/plain", {}, "no handler"});
      }
      batch_.clear();
    }
    auto dirty = std::move(dirty_);
    dirty_.clear();
    for (conn* c : dirty) {
      c->dirty_ = false;
      if (c->closed()) {
        reap(c);
      } else {
        c->pump();
      }
    }
  }
  for (conn* c : graveyard_) delete c;
  graveyard_.clear();
  if (draining_) check_drained();
}

void loop::begin_drain() {
  if (draining_) return;
  draining_ = true;
  drain_deadline_ = clock::now() + st_.cfg.shutdown_timeout;
  if (parked_) {
    parked_ = false;
    e_.parked_.fetch_sub(1);
  }
  if (listen_ >= 0) {
    // Connections the kernel already completed are ours to serve: take them before closing.
    for (int i = 0; i < 65536; ++i) {
      const int fd = ::accept4(listen_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) break;
      st_.conns.fetch_add(1);
      adopt(fd);
    }
    ::close(listen_);  // also leaves the epoll set
    listen_ = -1;
    accepting_ = false;
  }
  for (conn* c : std::vector<conn*>(conns_)) c->drain();
}

void loop::check_drained() {
  if (finished_ || live_ > graveyard_.size() || !draining_) return;
  finished_ = true;
}

void loop::turn() {
  std::array<epoll_event, 256> events;
  now_ = clock::now();
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next_tick_ - now_).count();
  const int n = ::epoll_wait(ep_, events.data(), static_cast<int>(events.size()),
                             static_cast<int>(std::clamp<long long>(wait, 0, 1000)));
  now_ = clock::now();
  for (int i = 0; i < n; ++i) {
    void* p = events[i].data.ptr;
    if (p == &wake_) {
      run_posted();
    } else if (p == &listen_) {
      if (accepting_) accept_ready();
    } else {
      static_cast<conn*>(p)->on_event(events[i].events);
    }
  }
  if (now_ >= next_tick_) tick();
  turn_end();
}

void loop::run() {
  thread_ = std::this_thread::get_id();
  if (st_.h != nullptr) st_.h->thread_started();
  tick();
  set_accepting(true);
  if (st_.stopping.load()) begin_drain();  // stop() may have posted before we were running
  while (!finished_) {
    try {
      turn();
    } catch (const std::exception& e) {  // nothing should throw; never take the server down
      std::fprintf(stderr, "lapwise server: io thread %u: %s\n", index_, e.what());
    }
  }
  if (st_.h != nullptr) st_.h->thread_stopping();
}

// ----------------------------------------------------------------------------------- engine

std::optional<std::string> epoll_engine::open(unsigned threads, std::uint16_t& port) {
  sockaddr_storage addr{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (::inet_pton(AF_INET, st_.cfg.host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    len = sizeof *v4;
  } else if (::inet_pton(AF_INET6, st_.cfg.host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    len = sizeof *v6;
  } else {
    return "bad host address '" + st_.cfg.host + "': not a numeric IPv4 or IPv6 address";
  }
  for (unsigned i = 0; i < threads; ++i) {
    if (addr.ss_family == AF_INET) {
      v4->sin_port = htons(port);
    } else {
      v6->sin6_port = htons(port);
    }
    auto l = std::make_unique<loop>(*this, st_, i);
    if (auto err = l->open(reinterpret_cast<const sockaddr*>(&addr), len, port)) {
      loops_.clear();
      return err;
    }
    loops_.push_back(std::move(l));
  }
  return std::nullopt;
}

void epoll_engine::run(unsigned index) noexcept { loops_[index]->run(); }

}  // namespace

std::unique_ptr<io_engine> make_epoll_engine(server_state& st) {
  return std::make_unique<epoll_engine>(st);
}

}  // namespace lapwise::server::detail

#else  // no epoll: server.cc falls back to the Asio transport

#include "server_state.h"

namespace lapwise::server::detail {
std::unique_ptr<io_engine> make_epoll_engine(server_state&) { return nullptr; }
}  // namespace lapwise::server::detail

#endif

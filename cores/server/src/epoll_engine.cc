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
// - config::external_loop: no io thread; the caller's event loop runs turns that never block
//   (server::poll()), and answers given on its thread are written when its answer_batch ends
//   (flush()), with no eventfd round trip and no thread switch.
#if defined(__linux__)
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <functional>
#include <thread>

#include "connection.h"
#include "io_guard.h"
#include "post_queue.h"

namespace lapwise::server::detail {
namespace {

class epoll_engine;
class epoll_loop;

std::string errno_text(int e) { return std::strerror(e); }

class epoll_connection final : public connection<epoll_connection, epoll_loop> {
 public:
  epoll_connection(epoll_loop& l, int fd);
  ~epoll_connection();
  void on_event(std::uint32_t events);

  // The transport's side of connection.h.
  io_result send_some(std::string_view bytes, std::size_t& n) noexcept;
  io_result recv_some(std::span<char> into, std::size_t& n) noexcept;
  io_result send_file(const file_body& f, std::size_t most, std::size_t& n) noexcept;
  bool shutdown_send() noexcept { return ::shutdown(fd_, SHUT_WR) == 0; }
  void close_socket() noexcept { ::close(fd_); }  // also leaves the epoll set
  void arm();
  void post_complete(request& r, response&& resp);
  void post_read_body(request& r);
  [[nodiscard]] int native_fd() const noexcept { return fd_; }
  void post_call(std::function<void()> f);
  void settled();
  void closed_out() noexcept;
  [[nodiscard]] static int retain() noexcept { return 0; }  // freed only by the loop's reaping

  bool doomed_ = false;  // in epoll_loop::graveyard_

 private:
  int fd_;
  std::uint32_t interest_ = EPOLLIN;  // as registered
};

class epoll_loop final : public io_loop<epoll_connection, epoll_loop> {
 public:
  epoll_loop(epoll_engine& e, server_state& st, unsigned index);
  ~epoll_loop();
  // `shared` >= 0: accept from (a duplicate of) that listener instead of binding one.
  std::optional<std::string> open(const sockaddr* addr, socklen_t len, std::uint16_t& port,
                                  int shared);
  int listener() const noexcept { return listen_; }
  void run();
  int poll() noexcept;        // external_loop: one turn that never blocks (server::poll())
  void poll_last() noexcept;  // external_loop: stop now, on this thread
  [[nodiscard]] int poll_fd() const noexcept { return ep_; }
  void post(std::function<void()> f);  // from any thread
  static void wake(const void* self);  // its eventfd: run_posted() on the loop thread
  // A turn ends with dispatch(); between the external loop's turns, the answer_batch that
  // holds the completion ends with flush() (or, without one, the next poll() does).
  void dirty_marked() noexcept {
    if (in_turn_ || flush_due_ || !external_) return;
    flush_due_ = true;
    if (!detail::defer_wake(this, &epoll_loop::flush)) wake(this);
  }
  void set_accepting(bool on);
  void reap(epoll_connection* c);
  void begin_drain();

  epoll_engine& e_;
  int ep_ = -1;
  bool destroying_ = false;

 private:
  void turn(bool block);
  void attach();
  static void flush(const void* self);
  void end_turn();
  void run_posted();
  void accept_ready();
  // Takes an accepted socket (its slot in st_.conns already counted): TCP_NODELAY, a
  // connection, in the epoll set. Null when registration failed; it is then closed (and
  // reaped).
  epoll_connection* adopt(int fd);
  void tick();

  int listen_ = -1, wake_ = -1;
  bool accepting_ = false;  // the listener is in the epoll set
  const bool external_;     // config::external_loop
  bool attached_ = false;   // external_loop: the first poll() ran
  bool in_turn_ = false;    // ends with dispatch(): a completion needs no flush of its own
  bool flush_due_ = false;  // external_loop: flush() or a wake is on its way
  clock::time_point next_tick_ = clock::now();
  clock::time_point accept_retry_ = clock::time_point::max();  // after EMFILE and the like
  std::vector<epoll_connection*> graveyard_;
  post_queue posted_;
};

class epoll_engine final : public io_engine {
 public:
  explicit epoll_engine(server_state& st) : st_(st) {}
  std::optional<std::string> open(unsigned threads, std::uint16_t& port) override;
  void run(unsigned index) noexcept override;
  void stop() noexcept override {
    for (auto& l : loops_) l->post([lp = l.get()] { lp->begin_drain(); });
  }
  [[nodiscard]] int poll_fd() const noexcept override { return loops_.front()->poll_fd(); }
  int poll() noexcept override { return loops_.front()->poll(); }
  void poll_last() noexcept override { loops_.front()->poll_last(); }

  server_state& st_;
  std::vector<std::unique_ptr<epoll_loop>> loops_;  // last: destroyed first
};

// ------------------------------------------------------------------------------- connection

epoll_connection::epoll_connection(epoll_loop& l, int fd) : connection(l), fd_(fd) { enlist(); }

epoll_connection::~epoll_connection() {
  doomed_ = true;  // being freed: close_now() must not queue it again
  close_now();
  --loop_.live_;
}

void epoll_connection::closed_out() noexcept { loop_.reap(this); }

void epoll_connection::on_event(std::uint32_t events) {
  if (closed_) return;  // closed earlier in this turn
  if (events & EPOLLERR) {
    close_now();
    return;
  }
  if (events & EPOLLOUT) writable();
  if ((events & EPOLLRDHUP) && !(interest_ & EPOLLIN)) {  // watched while not reading
    peer_moved();
    if (closed_) return;
  }
  if (events & (EPOLLIN | EPOLLHUP)) {
    read_ready();
    if (lingering_) return;  // linger_read() re-armed, or closed
  }
  // A hang-up (reset, or both directions shut) while not lingering: nothing we send can reach
  // the peer, and level-triggered epoll would report it on every turn.
  if (!closed_ && (events & EPOLLHUP)) {
    close_now();
    return;
  }
  if (!closed_) pump();
}

io_result epoll_connection::recv_some(std::span<char> into, std::size_t& n) noexcept {
  for (;;) {
    const ssize_t got = ::recv(fd_, into.data(), into.size(), 0);
    if (got > 0) {
      n = static_cast<std::size_t>(got);
      return io_result::done;
    }
    if (got == 0) return io_result::eof;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? io_result::would_block : io_result::failed;
  }
}

io_result epoll_connection::send_some(std::string_view bytes, std::size_t& n) noexcept {
  for (;;) {
    const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent >= 0) {
      n = static_cast<std::size_t>(sent);
      return io_result::done;
    }
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? io_result::would_block : io_result::failed;
  }
}

io_result epoll_connection::send_file(const file_body& f, std::size_t most,
                                      std::size_t& n) noexcept {
  const ssize_t sent = sendfile_some(fd_, f, most);
  if (sent >= 0) {
    n = static_cast<std::size_t>(sent);
    return io_result::done;
  }
  return errno == EAGAIN || errno == EWOULDBLOCK ? io_result::would_block : io_result::failed;
}

// Level-triggered interest, changed (one epoll_ctl) only when what the state needs changed.
void epoll_connection::arm() {
  std::uint32_t want = 0;
  if (wants_input()) {
    want |= EPOLLIN;
  } else if (watch_peer()) {
    want |= EPOLLRDHUP;  // the peer's FIN, not its bytes: those wait until reading resumes
  }
  if (write_blocked_) want |= EPOLLOUT;
  if (want == interest_) return;
  epoll_event ev{};
  ev.events = want;
  ev.data.ptr = this;
  if (::epoll_ctl(loop_.ep_, EPOLL_CTL_MOD, fd_, &ev) != 0) {
    close_now();
    return;
  }
  interest_ = want;
}

void epoll_connection::settled() {
  if (closed_) {
    loop_.reap(this);
  } else {
    sess_.trim();  // reads here are synchronous: none is outstanding into the buffer
  }
}

void epoll_connection::post_complete(request& r, response&& resp) {
  auto boxed = std::make_shared<response>(std::move(resp));
  loop_.post([this, &r, boxed] { complete(r, std::move(*boxed)); });
}

void epoll_connection::post_read_body(request& r) {
  loop_.post([this, &r] { read_body(r); });
}

void epoll_connection::post_call(std::function<void()> f) { loop_.post(std::move(f)); }

// ------------------------------------------------------------------------------------- loop

epoll_loop::epoll_loop(epoll_engine& e, server_state& st, unsigned index)
    : io_loop(st, index), e_(e), external_(st.cfg.external_loop) {}

epoll_loop::~epoll_loop() {
  destroying_ = true;
  // Only after run() (or never started).
  for (epoll_connection* c : std::vector<epoll_connection*>(conns_)) delete c;
  for (epoll_connection* c : graveyard_) delete c;
  for (epoll_connection* c : std::vector<epoll_connection*>(held_closed_)) delete c;  // abandoned
  if (listen_ >= 0) ::close(listen_);
  if (wake_ >= 0) ::close(wake_);
  if (ep_ >= 0) ::close(ep_);
}

std::optional<std::string> epoll_loop::open(const sockaddr* addr, socklen_t len,
                                            std::uint16_t& port, int shared) {
  const std::string where = st_.cfg.host + ":" + std::to_string(port);
  ep_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (ep_ < 0) return "epoll_create1: " + errno_text(errno);
  wake_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_ < 0) return "eventfd: " + errno_text(errno);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = &wake_;
  if (::epoll_ctl(ep_, EPOLL_CTL_ADD, wake_, &ev) != 0) return "epoll_ctl: " + errno_text(errno);
  if (shared >= 0) {
    listen_ = ::fcntl(shared, F_DUPFD_CLOEXEC, 0);
    if (listen_ < 0) return "cannot listen on " + where + ": " + errno_text(errno);
    return std::nullopt;
  }
  listen_ = ::socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  if (listen_ < 0 || ::setsockopt(listen_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      (st_.cfg.reuse_port &&
       ::setsockopt(listen_, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) ||
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

void epoll_loop::set_accepting(bool on) {
  if (on == accepting_ || listen_ < 0) return;
  epoll_event ev{};
  // A listener shared by the loops wakes one of them per connection, not all.
  ev.events = EPOLLIN | EPOLLEXCLUSIVE;
  ev.data.ptr = &listen_;
  if (::epoll_ctl(ep_, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, listen_, &ev) == 0) accepting_ = on;
}

void epoll_loop::accept_ready() {
  // Bounded per turn so that a connection storm cannot starve the established connections.
  for (int i = 0; i < 64 && !draining_; ++i) {
    const int fd = ::accept4(listen_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED) {
        return;
      }
      // EMFILE and the like: the listener stays readable; try again shortly rather than spin.
      set_accepting(false);
      accept_retry_ = now_ + std::chrono::milliseconds(50);
      return;
    }
    if (st_.conns.fetch_add(1) >= st_.cfg.max_connections) {  // a slot is reserved first
      st_.conns.fetch_sub(1);
      refuse(fd);
      ::close(fd);
      continue;
    }
    if (epoll_connection* c = adopt(fd)) c->pump();
  }
}

epoll_connection* epoll_loop::adopt(int fd) {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  auto* c = new epoll_connection(*this, fd);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = c;
  if (::epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev) == 0) return c;
  c->close_now();
  return nullptr;
}

void epoll_loop::post(std::function<void()> f) { posted_.push(std::move(f), this, &wake); }

void epoll_loop::wake(const void* self) {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t n =
      ::write(static_cast<const epoll_loop*>(self)->wake_, &one, sizeof one);
}

void epoll_loop::run_posted() {
  std::uint64_t count;
  [[maybe_unused]] const ssize_t n = ::read(wake_, &count, sizeof count);
  posted_.run();
}

// A closed connection is freed at the end of the turn, once no handler holds its requests.
void epoll_loop::reap(epoll_connection* c) {
  if (c->doomed_ || !c->closed() || c->held()) return;
  let_go(c);
  c->doomed_ = true;
  graveyard_.push_back(c);
}

void epoll_loop::tick() {
  run_guarded(st_.cfg, index_, [this] { sweep(); });  // the next tick is set whatever it did
  if (!draining_ && now_ >= accept_retry_) {
    accept_retry_ = clock::time_point::max();
    set_accepting(true);
  }
  next_tick_ = now_ + tick_every_;
}

void epoll_loop::begin_drain() {
  if (!start_drain()) return;
  if (listen_ >= 0) {
    // Connections the kernel already completed are ours to serve: take them before closing.
    for (int i = 0; i < 65536; ++i) {
      const int fd = ::accept4(listen_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) break;
      st_.conns.fetch_add(1);
      adopt(fd);
    }
    // A shared listener stays open in the other loops: leave the epoll set explicitly.
    set_accepting(false);
    ::close(listen_);
    listen_ = -1;
    accepting_ = false;
  }
  drain_all();
}

void epoll_loop::turn(bool block) {
  std::array<epoll_event, 256> events;
  in_turn_ = true;
  flush_due_ = false;  // what is dirty now is pumped at the end of this turn
  long long wait = 0;
  if (block) {
    now_ = clock::now();
    wait = std::chrono::ceil<std::chrono::milliseconds>(next_tick_ - now_).count();
  }
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
      static_cast<epoll_connection*>(p)->on_event(events[i].events);
    }
  }
  if (now_ >= next_tick_) tick();
  end_turn();
}

// End of a turn: the handler gets what became ready, then the freed connections go and a
// drain that has nothing left finishes.
void epoll_loop::end_turn() {
  in_turn_ = true;
  dispatch();
  for (epoll_connection* c : graveyard_) delete c;
  graveyard_.clear();
  if (drain_over()) finished_ = true;
  in_turn_ = false;
}

void epoll_loop::flush(const void* self) {
  auto* l = const_cast<epoll_loop*>(static_cast<const epoll_loop*>(self));
  if (!l->flush_due_ || !l->on_loop_thread()) return;  // a turn pumped it already
  l->flush_due_ = false;
  l->now_ = clock::now();  // the deadlines the pumps restart
  try {
    l->end_turn();
  } catch (const std::exception& e) {
    l->in_turn_ = false;
    report_io_error(l->st_.cfg, l->index_, e.what());
  }
}

void epoll_loop::attach() {
  thread_ = std::this_thread::get_id();
  if (attached_) return;
  attached_ = true;
  tick();
  set_accepting(true);
  if (st_.stopping.load()) begin_drain();
}

int epoll_loop::poll() noexcept {
  if (finished_) return -1;
  try {
    attach();
    turn(false);
  } catch (const std::exception& e) {
    in_turn_ = false;
    report_io_error(st_.cfg, index_, e.what());
  }
  if (finished_) {
    thread_ = {};  // a late completion is posted (and never run)
    return -1;
  }
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next_tick_ - clock::now());
  return static_cast<int>(std::clamp<long long>(wait.count(), 0, 1000));
}

void epoll_loop::poll_last() noexcept {
  // Bounded: the forced sweep closes every socket, so the drain is over after one turn.
  for (int i = 0; i < 3 && !finished_; ++i) {
    try {
      attach();
      begin_drain();
      drain_deadline_ = now_ = clock::now();
      tick();
      end_turn();
    } catch (const std::exception& e) {
      in_turn_ = false;
      report_io_error(st_.cfg, index_, e.what());
    }
  }
  thread_ = {};
}

void epoll_loop::run() {
  thread_ = std::this_thread::get_id();
  if (st_.h != nullptr) st_.h->thread_started();
  tick();
  set_accepting(true);
  if (st_.stopping.load()) begin_drain();  // stop() may have posted before we were running
  // Nothing should throw; what does is reported and the loop goes on.
  while (!finished_) run_guarded(st_.cfg, index_, [this] { turn(true); });
  thread_ = {};  // a late completion is posted (and never run), not applied from its thread
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
    auto l = std::make_unique<epoll_loop>(*this, st_, i);
    const int shared = st_.cfg.reuse_port || loops_.empty() ? -1 : loops_.front()->listener();
    if (auto err = l->open(reinterpret_cast<const sockaddr*>(&addr), len, port, shared)) {
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

// The Asio transport (io_mode::asio): acceptors, sockets, timers. It only moves bytes between
// sockets and sessions (session.h holds the HTTP logic).
//
// Why it looks the way it does:
// - Reads are async_read_some straight into the session's buffer. Asio 1.22's reactor tries
//   every new read at once (a speculative recv, EAGAIN after each answered request) unless the
//   last read hit end of file; async_wait instead would re-arm with epoll_ctl on every call.
//   Either way a keep-alive request costs one system call more than epoll_engine.cc's loop.
//   Writes are non-blocking write_some calls made at once, with async_wait only when the
//   socket buffer is full.
// - Each io thread is an io_context of its own (no locking in the reactor: only its thread
//   touches its sockets). Cross-thread work (a handler answering later) goes through the
//   loop's own locked queue, and the first item of a batch posts one run of it, so answers
//   given under an answer_batch wake the thread once per batch, as the epoll loop's eventfd
//   does (measured: context switches per request halved on an ASGI app, cores/server/README).
// - Deadlines are checked by one sweep per tick per thread instead of a timer per connection:
//   re-arming a timer on every request would cost more than the request.
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <asio.hpp>
#include <atomic>
#include <cerrno>
#include <functional>
#include <system_error>

#include "connection.h"
#include "io_guard.h"
#include "post_queue.h"

namespace lapwise::server::detail {

using tcp = asio::ip::tcp;
class asio_loop;
class asio_engine;

class asio_connection final : public connection<asio_connection, asio_loop>,
                              public std::enable_shared_from_this<asio_connection> {
 public:
  asio_connection(asio_loop& l, tcp::socket s);
  ~asio_connection();
  void start();

  // The transport's side of connection.h.
  io_result send_some(std::string_view bytes, std::size_t& n) noexcept;
  io_result recv_some(std::span<char> into, std::size_t& n) noexcept;
  io_result send_file(const file_body& f, std::size_t most, std::size_t& n) noexcept;
  bool shutdown_send() noexcept;
  void close_socket() noexcept;
  void arm();
  void post_complete(request& r, response&& resp);
  void post_read_body(request& r);
  void post_call(std::function<void()> f);
  int native_fd() noexcept { return sock_.native_handle(); }
  void settled();
  static void closed_out() noexcept {}
  std::shared_ptr<asio_connection> retain() { return shared_from_this(); }
  std::shared_ptr<asio_connection> release_hold() noexcept { return std::move(hold_); }

 private:
  void on_read(asio::error_code ec, std::size_t n);
  void watch();

  tcp::socket sock_;
  std::shared_ptr<asio_connection> hold_;  // alive while a handler holds one of its requests
  bool read_waiting_ = false, write_waiting_ = false, watch_waiting_ = false;
};

class asio_loop final : public io_loop<asio_connection, asio_loop> {
 public:
  asio_loop(asio_engine& e, server_state& st, unsigned index);
  void run();
  void dirty_marked() { schedule_turn_end(); }
  // From any thread: `f` runs on the loop's thread. The first of a batch wakes the loop (one
  // asio::post), at once or, under an answer_batch, when the outermost one ends.
  void post(std::function<void()> f);
  static void wake(const void* self);
  void schedule_turn_end();
  void begin_drain();
  void check_drained() noexcept;

  asio_engine& e_;
  asio::io_context io_{ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  tcp::acceptor acceptor_{io_};
  std::array<char, std::size_t{64} << 10> file_buffer_{};  // asio_connection::send_file()

 private:
  void accept_next();
  void accepted(asio::error_code ec, tcp::socket s);
  void retry_accept();
  void start_connection(tcp::socket s);
  void tick();
  void turn_end();

  asio::steady_timer tick_timer_{io_};
  asio::steady_timer retry_timer_{io_};
  // Connections abandoned after shutdown_timeout (check_drained()); destroyed before io_.
  std::vector<std::shared_ptr<asio_connection>> abandoned_;
  bool turn_posted_ = false;
  post_queue posted_;  // post()
};

class asio_engine final : public io_engine {
 public:
  explicit asio_engine(server_state& st) : st_(st) {}
  std::optional<std::string> open(unsigned threads, std::uint16_t& port) override;
  void run(unsigned index) noexcept override { loops_[index]->run(); }
  void stop() noexcept override;

  server_state& st_;
  std::vector<std::unique_ptr<asio_loop>> loops_;  // last: destroyed first
};

// ------------------------------------------------------------------------------- connection

asio_connection::asio_connection(asio_loop& l, tcp::socket s) : connection(l), sock_(std::move(s)) {
  enlist();
}

asio_connection::~asio_connection() {
  close_now();
  --loop_.live_;
  if (loop_.draining_) loop_.check_drained();
}

void asio_connection::start() {
  asio::error_code ec;
  sock_.non_blocking(true, ec);
  sock_.set_option(tcp::no_delay(true), ec);
  pump();
  if (loop_.draining_) drain();  // taken from the backlog during a stop: serve what it sent
}

void asio_connection::close_socket() noexcept {
  asio::error_code ec;
  sock_.close(ec);
}

bool asio_connection::shutdown_send() noexcept {
  asio::error_code ec;
  sock_.shutdown(tcp::socket::shutdown_send, ec);
  return !ec;
}

// Reads go through async_read_some straight into the session's buffer (see the top of the
// file); a lingering connection waits for readability and discards with recv_some().
void asio_connection::arm() {
  if (write_blocked_ && !write_waiting_) {
    write_waiting_ = true;
    sock_.async_wait(tcp::socket::wait_write, [self = shared_from_this()](asio::error_code ec) {
      if (ec == asio::error::operation_aborted && !self->write_waiting_) return;  // recv_some()
      self->write_waiting_ = false;
      if (ec || self->closed_) return;
      self->loop_.now_ = clock::now();  // the send timeout restarts from here
      self->writable();
      self->pump();
    });
  }
  if (read_waiting_) return;
  if (!wants_input()) {
    if (!watch_waiting_ && watch_peer()) watch();
    return;
  }
  read_waiting_ = true;
  if (lingering_) {
    sock_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](asio::error_code ec) {
      if (ec == asio::error::operation_aborted) return;
      self->read_waiting_ = false;
      if (!self->closed_) self->linger_read();
    });
    return;
  }
  const std::span<char> space = sess_.read_space();
  if (space.empty()) {
    read_waiting_ = false;
    return;
  }
  sock_.async_read_some(
      asio::buffer(space.data(), space.size()),
      [self = shared_from_this()](asio::error_code ec, std::size_t n) { self->on_read(ec, n); });
}

// Not reading, a held request would be told that its client left: wait for readability
// (the reactor has no FIN-only wait), then peer_moved() tells a FIN from bytes.
void asio_connection::watch() {
  watch_waiting_ = true;
  sock_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](asio::error_code ec) {
    if (ec == asio::error::operation_aborted) return;  // recv_some() or a close: flags are set
    self->watch_waiting_ = false;
    if (self->closed_) return;
    if (!ec && !self->lingering_ && !self->wants_input()) {
      self->loop_.now_ = clock::now();
      self->peer_moved();
      if (self->closed_) return;
    }
    self->pump();
  });
}

void asio_connection::on_read(asio::error_code ec, std::size_t n) {
  // Aborted: closed, or cancelled by recv_some(), which already cleared read_waiting_ (and a
  // newer read may be pending by now).
  if (ec == asio::error::operation_aborted) return;
  read_waiting_ = false;
  if (closed_) return;
  if (lingering_) {
    linger_read();
    return;
  }
  loop_.now_ = clock::now();  // deadlines move from here (the sweep refreshes it only per tick)
  received(ec == asio::error::eof ? io_result::eof : ec ? io_result::failed : io_result::done, n);
  pump();
}

io_result asio_connection::recv_some(std::span<char> into, std::size_t& n) noexcept {
  if (read_waiting_) {
    // A pending read owns the session's buffer that read_space() gives out again: cancel it
    // (which cancels a pending write wait too; pump() re-arms that).
    asio::error_code ec;
    sock_.cancel(ec);
    read_waiting_ = false;
    write_waiting_ = false;
    watch_waiting_ = false;
  }
  asio::error_code ec;
  n = sock_.read_some(asio::buffer(into.data(), into.size()), ec);
  if (!ec) return io_result::done;
  if (ec == asio::error::eof) return io_result::eof;
  return ec == asio::error::would_block || ec == asio::error::try_again ? io_result::would_block
                                                                        : io_result::failed;
}

io_result asio_connection::send_some(std::string_view bytes, std::size_t& n) noexcept {
  asio::error_code ec;
  n = sock_.write_some(asio::buffer(bytes.data(), bytes.size()), ec);
  if (!ec) return io_result::done;
  return ec == asio::error::would_block || ec == asio::error::try_again ? io_result::would_block
                                                                        : io_result::failed;
}

// Asio has no sendfile: the file goes through a small buffer of the loop's, read at the body's
// offset each time (what the socket did not take is read again next time, from the page cache).
io_result asio_connection::send_file(const file_body& f, std::size_t most,
                                     std::size_t& n) noexcept {
  auto& buf = loop_.file_buffer_;
  const ssize_t got = pread_some(f, buf.data(), std::min(most, buf.size()));
  if (got <= 0) {
    n = 0;
    return got == 0 ? io_result::done : io_result::failed;
  }
  return send_some({buf.data(), static_cast<std::size_t>(got)}, n);
}

void asio_connection::settled() {
  if (!loop_.ready_.empty()) loop_.schedule_turn_end();
  if (held()) {
    if (!hold_) hold_ = shared_from_this();
  } else if (hold_) {
    loop_.let_go(this);
    auto release = std::move(hold_);  // every caller of pump() holds a reference of its own
  }
}

void asio_connection::post_complete(request& r, response&& resp) {
  auto boxed = std::make_shared<response>(std::move(resp));
  loop_.post([self = shared_from_this(), &r, boxed] { self->complete(r, std::move(*boxed)); });
}

void asio_connection::post_read_body(request& r) {
  loop_.post([self = shared_from_this(), &r] { self->read_body(r); });
}

// Kept alive until `f` ran; a connection already being destroyed (its session has let the
// channel go by then) takes nothing.
void asio_connection::post_call(std::function<void()> f) {
  auto self = weak_from_this().lock();
  if (!self) return;
  loop_.post([self = std::move(self), f = std::move(f)] { f(); });
}

// -------------------------------------------------------------------------------------- loop

asio_loop::asio_loop(asio_engine& e, server_state& st, unsigned index)
    : io_loop(st, index), e_(e) {}

void asio_loop::run() {
  thread_ = std::this_thread::get_id();
  if (st_.h != nullptr) st_.h->thread_started();
  tick();
  accept_next();
  // A handler that throws (nothing should) is reported and the loop goes on with the next.
  while (!run_guarded(st_.cfg, index_, [this] { io_.run(); })) {
  }
  thread_ = {};  // a late completion is posted (and never run), not applied from its thread
  if (st_.h != nullptr) st_.h->thread_stopping();
}

// A sweep that throws must not end the ticks: the timer is re-armed whatever it did.
void asio_loop::tick() {
  now_ = clock::now();
  run_guarded(st_.cfg, index_, [this] { sweep(); });
  if (draining_) check_drained();
  if (finished_) return;
  run_guarded(st_.cfg, index_, [this] {
    tick_timer_.expires_after(tick_every_);
    tick_timer_.async_wait([this](asio::error_code ec) {
      if (!ec) tick();
    });
  });
}

// Every way out of an accept leads to the next one (or to a retry): a failure while taking one
// connection never leaves the loop deaf to the others.
void asio_loop::accept_next() {
  if (draining_ || !acceptor_.is_open()) return;
  const bool armed = run_guarded(st_.cfg, index_, [this] {
    acceptor_.async_accept(
        io_, [this](asio::error_code ec, tcp::socket s) { accepted(ec, std::move(s)); });
  });
  if (!armed) retry_accept();
}

void asio_loop::accepted(asio::error_code ec, tcp::socket s) {
  if (ec) {
    if (ec == asio::error::operation_aborted || draining_) return;
    retry_accept();  // EMFILE and the like: try again shortly rather than spin
    return;
  }
  const bool over = st_.conns.fetch_add(1) >= st_.cfg.max_connections;  // a slot is reserved
  const bool taken = run_guarded(st_.cfg, index_, [&] {
    if (over) {
      refuse(s.native_handle());
    } else {
      start_connection(std::move(s));
    }
  });
  if (over || (!taken && s.is_open())) {  // refused, or no connection object was made for it
    st_.conns.fetch_sub(1);
    s.close(ec);
  }
  accept_next();
}

void asio_loop::retry_accept() {
  run_guarded(st_.cfg, index_, [this] {
    retry_timer_.expires_after(std::chrono::milliseconds(50));
    retry_timer_.async_wait([this](asio::error_code e) {
      if (!e) accept_next();
    });
  });
}

void asio_loop::start_connection(tcp::socket s) {
  auto c = std::make_shared<asio_connection>(*this, std::move(s));
  c->start();
}

void asio_loop::post(std::function<void()> f) { posted_.push(std::move(f), this, &wake); }

void asio_loop::wake(const void* self) {
  auto* l = const_cast<asio_loop*>(static_cast<const asio_loop*>(self));
  asio::post(l->io_, [l] { l->posted_.run(); });
}

void asio_loop::schedule_turn_end() {
  if (turn_posted_) return;
  turn_posted_ = true;
  asio::post(io_, [this] { turn_end(); });
}

void asio_loop::turn_end() {
  turn_posted_ = false;
  dispatch();
}

void asio_loop::begin_drain() {
  if (!start_drain()) return;
  retry_timer_.cancel();
  if (acceptor_.is_open()) {
    // Connections the kernel already completed are ours to serve: take them before closing.
    asio::error_code ec;
    acceptor_.non_blocking(true, ec);
    for (int i = 0; i < 65536; ++i) {
      tcp::socket s(io_);
      acceptor_.accept(s, ec);
      if (ec) break;
      st_.conns.fetch_add(1);
      start_connection(std::move(s));
    }
    acceptor_.close(ec);
  }
  drain_all();
  check_drained();
}

void asio_loop::check_drained() noexcept {
  if (finished_ || !drain_over()) return;
  finished_ = true;
  // Abandoned: each stays alive (its request may still be completed) until the loop goes.
  for (asio_connection* c : held_closed_) abandoned_.push_back(c->release_hold());
  // Runs from connection destructors, which must not throw. cancel() throws only when the
  // reactor cannot deregister the timer; the loop then ends with its io_context anyway.
  try {
    tick_timer_.cancel();
    retry_timer_.cancel();
  } catch (const std::system_error&) {
  }
}

// ----------------------------------------------------------------------------------- engine

std::optional<std::string> asio_engine::open(unsigned threads, std::uint16_t& port) {
  asio::error_code ec;
  const asio::ip::address addr = asio::ip::make_address(st_.cfg.host, ec);
  if (ec) return "bad host address '" + st_.cfg.host + "': " + ec.message();
  for (unsigned i = 0; i < threads; ++i) {
    auto w = std::make_unique<asio_loop>(*this, st_, i);
    const tcp::endpoint ep(addr, port);
    auto& a = w->acceptor_;
    if (!st_.cfg.reuse_port && !loops_.empty()) {
      // One listener for the whole server (see server.h): the other loops accept from a
      // duplicate of the first one's socket.
      const int fd = ::fcntl(loops_.front()->acceptor_.native_handle(), F_DUPFD_CLOEXEC, 0);
      if (fd < 0) ec.assign(errno, asio::system_category());
      if (!ec) a.assign(ep.protocol(), fd, ec);
      if (ec && fd >= 0) ::close(fd);
    } else {
      a.open(ep.protocol(), ec);
      if (!ec) a.set_option(tcp::acceptor::reuse_address(true), ec);
      if (!ec && st_.cfg.reuse_port) {
        a.set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true), ec);
      }
      if (!ec) a.bind(ep, ec);
      if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
      loops_.clear();
      return "cannot listen on " + st_.cfg.host + ":" + std::to_string(port) + ": " + ec.message();
    }
    if (port == 0) port = a.local_endpoint().port();
    loops_.push_back(std::move(w));
  }
  return std::nullopt;
}

void asio_engine::stop() noexcept {
  for (auto& w : loops_) asio::post(w->io_, [wp = w.get()] { wp->begin_drain(); });
}

std::unique_ptr<io_engine> make_asio_engine(server_state& st) {
  return std::make_unique<asio_engine>(st);
}

}  // namespace lapwise::server::detail

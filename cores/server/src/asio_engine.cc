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
//   touches its sockets). Cross-thread work (a handler answering later, stop()) is posted.
// - Deadlines are checked by one sweep per tick per thread instead of a timer per connection:
//   re-arming a timer on every request would cost more than the request.
#include <asio.hpp>
#include <atomic>
#include <cstdio>
#include <system_error>

#include "server_state.h"

namespace lapwise::server::detail {

using clock = std::chrono::steady_clock;
using tcp = asio::ip::tcp;
struct worker;
class asio_engine;

class connection final : public responder, public std::enable_shared_from_this<connection> {
 public:
  connection(worker& w, tcp::socket s);
  ~connection();
  void start();
  void pump();  // after every event: write, close when done, re-arm, deadlines
  void complete(request& r, response&& resp) noexcept override;
  void on_timeout();
  void drain();
  void close_now() noexcept;

  clock::time_point deadline_ = clock::time_point::max();
  std::size_t index_ = 0;  // in worker::conns_
  bool dirty_ = false;

 private:
  void start_read();
  void on_read(asio::error_code ec, std::size_t n);
  void read_now();
  void write_out();
  void arm_write();
  void linger();
  void linger_read();
  void update_deadline();

  worker& w_;
  tcp::socket sock_;
  session sess_;
  std::shared_ptr<connection> hold_;  // alive while a handler holds one of its requests
  timing timing_ = timing::none;
  bool read_waiting_ = false, write_waiting_ = false;
  bool closed_ = false, lingering_ = false;
};

struct worker {
  worker(asio_engine& e, server_state& st, unsigned index);
  void run();
  void accept_next();
  void start_connection(tcp::socket s);
  void tick();
  void schedule_turn_end();
  void turn_end();
  void begin_drain();
  void check_drained() noexcept;
  void unpark();

  asio_engine& e_;
  server_state& st_;
  unsigned index_;
  asio::io_context io_{ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  tcp::acceptor acceptor_{io_};
  asio::steady_timer tick_timer_{io_};
  asio::steady_timer retry_timer_{io_};
  clock::duration tick_every_{};
  clock::time_point now_ = clock::now();
  clock::time_point drain_deadline_ = clock::time_point::max();
  std::int64_t date_second_ = -1;
  char date_[date_length] = {};
  std::vector<connection*> conns_;
  std::size_t live_ = 0;  // connection objects, closed or not
  std::vector<request*> ready_, batch_;
  std::vector<std::shared_ptr<connection>> dirty_;
  char sink_[4096];  // lingering reads land here, discarded
  bool turn_posted_ = false, draining_ = false, parked_ = false, finished_ = false;
};

class asio_engine final : public io_engine {
 public:
  explicit asio_engine(server_state& st) : st_(st) {}
  std::optional<std::string> open(unsigned threads, std::uint16_t& port) override;
  void run(unsigned index) noexcept override { workers_[index]->run(); }
  void stop() noexcept override;

  server_state& st_;
  std::atomic<std::size_t> parked_{0};            // workers waiting for a connection slot
  std::vector<std::unique_ptr<worker>> workers_;  // last: destroyed first
};

// ------------------------------------------------------------------------------- connection

connection::connection(worker& w, tcp::socket s)
    : w_(w), sock_(std::move(s)), sess_(w.st_.svc, *this, w.ready_, w.date_) {
  ++w_.live_;
  index_ = w_.conns_.size();
  w_.conns_.push_back(this);
}

connection::~connection() {
  close_now();
  --w_.live_;
  if (w_.draining_) w_.check_drained();
}

void connection::start() {
  asio::error_code ec;
  sock_.non_blocking(true, ec);
  sock_.set_option(tcp::no_delay(true), ec);
  pump();
  if (w_.draining_) drain();  // taken from the backlog during a stop: serve what it sent
}

void connection::close_now() noexcept {
  if (closed_) return;
  closed_ = true;
  sess_.end_of_input();  // nothing buffered is dispatched for a connection that is gone
  asio::error_code ec;
  sock_.close(ec);
  // Swap-remove from the worker's sweep list.
  connection* last = w_.conns_.back();
  w_.conns_[index_] = last;
  last->index_ = index_;
  w_.conns_.pop_back();
  w_.st_.conns.fetch_sub(1);
  if (w_.e_.parked_.load() > 0) w_.unpark();
}

void connection::start_read() {
  if (read_waiting_ || closed_ || lingering_ || !sess_.wants_read()) return;
  const std::span<char> space = sess_.read_space();
  if (space.empty()) return;
  read_waiting_ = true;
  sock_.async_read_some(
      asio::buffer(space.data(), space.size()),
      [self = shared_from_this()](asio::error_code ec, std::size_t n) { self->on_read(ec, n); });
}

void connection::on_read(asio::error_code ec, std::size_t n) {
  // Aborted: closed, or cancelled by read_now(), which already cleared read_waiting_ (and a
  // newer read may be pending by now).
  if (ec == asio::error::operation_aborted) return;
  read_waiting_ = false;
  if (closed_) return;
  if (lingering_) {
    linger_read();
    return;
  }
  if (ec == asio::error::eof) {
    sess_.end_of_input();
  } else if (ec) {
    close_now();
    return;
  } else {
    sess_.commit(n);
  }
  pump();
}

// Reads what the kernel holds now, without waiting (drain: the last bytes before closing).
void connection::read_now() {
  if (read_waiting_) {
    asio::error_code ec;
    sock_.cancel(ec);  // its buffer is the one read_space() gives out again below
    read_waiting_ = false;
    if (write_waiting_) write_waiting_ = false;  // cancelled too: pump() re-arms it
  }
  while (!closed_ && sess_.wants_read()) {
    const std::span<char> space = sess_.read_space();
    if (space.empty()) return;
    asio::error_code ec;
    const std::size_t n = sock_.read_some(asio::buffer(space.data(), space.size()), ec);
    if (ec) {
      if (ec == asio::error::eof) sess_.end_of_input();
      return;
    }
    sess_.commit(n);
    if (n < space.size()) return;
  }
}

void connection::write_out() {
  while (!write_waiting_ && !closed_) {
    const std::string_view out = sess_.output();
    if (out.empty()) return;
    asio::error_code ec;
    const std::size_t n = sock_.write_some(asio::buffer(out.data(), out.size()), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      arm_write();
      return;
    }
    if (ec) {
      close_now();
      return;
    }
    sess_.consume(n);
  }
}

void connection::arm_write() {
  if (write_waiting_ || closed_) return;
  write_waiting_ = true;
  sock_.async_wait(tcp::socket::wait_write, [self = shared_from_this()](asio::error_code ec) {
    if (ec == asio::error::operation_aborted && !self->write_waiting_) return;  // read_now()
    self->write_waiting_ = false;
    if (ec || self->closed_) return;
    self->pump();
  });
}

void connection::pump() {
  if (!closed_ && !lingering_) {
    write_out();
    if (!closed_) {
      if (sess_.done()) {
        linger();
      } else {
        start_read();
      }
    }
  }
  if (!w_.ready_.empty()) w_.schedule_turn_end();
  update_deadline();
  if (sess_.current_phase() == session::phase::waiting) {
    if (!hold_) hold_ = shared_from_this();
  } else if (hold_) {
    auto release = std::move(hold_);  // every caller of pump() holds a reference of its own
  }
}

// Closing with unread input makes the kernel send RST, which can destroy the response still
// in flight to the client (after a 413, say). So: shut down our side, read and discard until
// the client closes or a short deadline passes, then close.
void connection::linger() {
  if (closed_ || lingering_) return;
  lingering_ = true;
  asio::error_code ec;
  sock_.shutdown(tcp::socket::shutdown_send, ec);
  if (ec) {
    close_now();
    return;
  }
  linger_read();
}

void connection::linger_read() {
  if (read_waiting_ || closed_) return;  // a pending read ends up here when it completes
  read_waiting_ = true;
  sock_.async_read_some(asio::buffer(w_.sink_),
                        [self = shared_from_this()](asio::error_code ec, std::size_t) {
                          self->read_waiting_ = false;
                          if (self->closed_) return;
                          if (ec) {  // eof or an error: the client is done
                            self->close_now();
                            return;
                          }
                          self->linger_read();
                        });
}

void connection::update_deadline() {
  const timing t = timing_of(closed_, lingering_, write_waiting_, sess_.current_phase());
  if (t == timing_) return;
  timing_ = t;
  deadline_ = deadline_of(t, w_.st_.cfg, w_.now_, w_.draining_);
}

void connection::on_timeout() {
  if (closed_) return;
  if (lingering_ || write_waiting_) {
    close_now();
    return;
  }
  sess_.timeout();
  pump();
}

void connection::drain() {
  if (closed_ || lingering_) return;
  read_now();  // take what the kernel already holds, then no more
  sess_.drain();
  pump();
}

void connection::complete(request& r, response&& resp) noexcept {
  if (w_.io_.get_executor().running_in_this_thread()) {
    sess_.complete(r, std::move(resp));
    if (!dirty_) {
      dirty_ = true;
      w_.dirty_.push_back(shared_from_this());
      w_.schedule_turn_end();
    }
    return;
  }
  asio::post(w_.io_, [self = shared_from_this(), &r, resp = std::move(resp)]() mutable {
    self->complete(r, std::move(resp));
  });
}

// ----------------------------------------------------------------------------------- worker

worker::worker(asio_engine& e, server_state& st, unsigned index) : e_(e), st_(st), index_(index) {
  const auto shortest = std::min(st.cfg.header_timeout, st.cfg.idle_timeout);
  tick_every_ = std::clamp<clock::duration>(shortest / 4, std::chrono::milliseconds(10),
                                            std::chrono::milliseconds(250));
}

void worker::run() {
  if (st_.h != nullptr) st_.h->thread_started();
  tick();
  accept_next();
  for (;;) {
    try {
      io_.run();
      break;
    } catch (const std::exception& e) {  // nothing should throw; never take the server down
      std::fprintf(stderr, "lapwise server: io thread %u: %s\n", index_, e.what());
    }
  }
  if (st_.h != nullptr) st_.h->thread_stopping();
}

void worker::tick() {
  now_ = clock::now();
  const auto wall = std::chrono::system_clock::now().time_since_epoch();
  const std::int64_t second = std::chrono::duration_cast<std::chrono::seconds>(wall).count();
  if (second != date_second_) {
    date_second_ = second;
    format_http_date(second, date_);
  }
  const bool force = draining_ && now_ >= drain_deadline_;
  for (std::size_t i = 0; i < conns_.size();) {
    connection* c = conns_[i];
    if (force || c->deadline_ <= now_) {
      auto self = c->shared_from_this();
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
  if (draining_) check_drained();
  if (finished_) return;
  tick_timer_.expires_after(tick_every_);
  tick_timer_.async_wait([this](asio::error_code ec) {
    if (!ec) tick();
  });
}

void worker::accept_next() {
  if (draining_ || !acceptor_.is_open()) return;
  if (st_.conns.fetch_add(1) >= st_.cfg.max_connections) {  // a slot is reserved first
    st_.conns.fetch_sub(1);
    if (!parked_) {
      parked_ = true;
      e_.parked_.fetch_add(1);
    }
    // A close between the check and the flag above would miss us: look again soon.
    retry_timer_.expires_after(tick_every_);
    retry_timer_.async_wait([this](asio::error_code ec) {
      if (!ec && parked_) {
        parked_ = false;
        e_.parked_.fetch_sub(1);
        accept_next();
      }
    });
    return;
  }
  acceptor_.async_accept(io_, [this](asio::error_code ec, tcp::socket s) {
    if (ec) {
      st_.conns.fetch_sub(1);
      if (ec == asio::error::operation_aborted || draining_) return;
      // EMFILE and the like: try again shortly rather than spin.
      retry_timer_.expires_after(std::chrono::milliseconds(50));
      retry_timer_.async_wait([this](asio::error_code e) {
        if (!e) accept_next();
      });
      return;
    }
    start_connection(std::move(s));
    accept_next();
  });
}

void worker::unpark() {
  for (auto& w : e_.workers_) {
    asio::post(w->io_, [wp = w.get()] {
      if (!wp->parked_) return;
      wp->parked_ = false;
      wp->e_.parked_.fetch_sub(1);
      wp->retry_timer_.cancel();
      wp->accept_next();
    });
  }
}

void worker::start_connection(tcp::socket s) {
  auto c = std::make_shared<connection>(*this, std::move(s));
  c->start();
}

void worker::schedule_turn_end() {
  if (turn_posted_) return;
  turn_posted_ = true;
  asio::post(io_, [this] { turn_end(); });
}

// End of an event-loop turn: every dynamic request that became ready goes to the handler in
// one call, then the connections it answered write their responses.
void worker::turn_end() {
  turn_posted_ = false;
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
    for (auto& c : dirty) {
      c->dirty_ = false;
      c->pump();
    }
  }
}

void worker::begin_drain() {
  if (draining_) return;
  draining_ = true;
  drain_deadline_ = clock::now() + st_.cfg.shutdown_timeout;
  if (parked_) {
    parked_ = false;
    e_.parked_.fetch_sub(1);
  }
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
  std::vector<connection*> all = conns_;
  for (connection* c : all) {
    auto self = c->shared_from_this();
    c->drain();
  }
  check_drained();
}

void worker::check_drained() noexcept {
  if (finished_ || live_ > 0 || !draining_) return;
  finished_ = true;
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
    auto w = std::make_unique<worker>(*this, st_, i);
    const tcp::endpoint ep(addr, port);
    auto& a = w->acceptor_;
    a.open(ep.protocol(), ec);
    if (!ec) a.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) a.set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true), ec);
    if (!ec) a.bind(ep, ec);
    if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      workers_.clear();
      return "cannot listen on " + st_.cfg.host + ":" + std::to_string(port) + ": " + ec.message();
    }
    if (port == 0) port = a.local_endpoint().port();
    workers_.push_back(std::move(w));
  }
  return std::nullopt;
}

void asio_engine::stop() noexcept {
  for (auto& w : workers_) asio::post(w->io_, [wp = w.get()] { wp->begin_drain(); });
}

std::unique_ptr<io_engine> make_asio_engine(server_state& st) {
  return std::make_unique<asio_engine>(st);
}

}  // namespace lapwise::server::detail

// Private: the connection-state model both transports share. A transport supplies only its
// I/O (a non-blocking send and recv, shutdown, close, waiting for readiness, posting to its
// thread, object lifetime); the rules live here once: what to write when, when to linger,
// which deadline applies, what a timeout does, how a stop drains, how a completion from a
// handler reaches the session, and how a loop batches ready requests and sweeps deadlines.
//
// Static polymorphism (CRTP) rather than virtual calls: pump() runs once per request and the
// transports' calls inline into it, so sharing the rules costs the hot path nothing.
#pragma once

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "access_log.h"
#include "file_send.h"
#include "lapwise/server/render.h"
#include "lapwise/server/websocket_app.h"
#include "server_state.h"
#include "socket_address.h"

namespace lapwise::server::detail {

using clock = std::chrono::steady_clock;

// What one non-blocking socket call did.
enum class io_result : std::uint8_t { done, would_block, eof, failed };

// One connection: a session plus the transport-independent state around it. `Conn` (the
// transport's connection, derived from this) provides:
//   io_result send_some(std::string_view, std::size_t& n)   one non-blocking send
//   io_result send_file(const file_body&, std::size_t most, std::size_t& n)   the same from a
//                       file (file_send.h); n == 0 after done: the file ended early
//   io_result recv_some(std::span<char>, std::size_t& n)    one non-blocking recv
//   bool shutdown_send()                                    our FIN
//   void close_socket()                                     the fd goes away
//   void arm()          wait for: readable when wants_input(), writable when write_blocked_
//   void post_complete(request&, response&&)   run complete() on the loop's thread later
//   void post_read_body(request&)              run read_body() on the loop's thread later
//   int native_fd()                            the socket (for its addresses)
//   void post_call(std::function<void()>)      run it on the loop's thread later (any thread)
//   void settled()      end of pump(): lifetime bookkeeping (reaping, holding)
//   void closed_out()   after close_now(): the slot is free
template <class Conn, class Loop>
class connection : public responder {
 public:
  explicit connection(Loop& l) : sess_(l.st_.svc, *this, l.ready_, l.date_, &l.now_), loop_(l) {}
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  // After every change: write what is ready, linger once the session is done, wait for what
  // the state needs next, move the deadline.
  void pump() {
    if (!closed_ && !lingering_) {
      write_out();
      if (!closed_ && sess_.done()) linger();
    }
    if (sess_.take_woken()) loop_.dirty_marked();  // streams resumed: to the handler this turn
    if (!closed_) self()->arm();
    update_deadline();
    self()->settled();
  }

  // The socket is readable (or a transport's read finished with `r`, `n` bytes).
  void read_ready() {
    if (lingering_) {
      linger_read();
      return;
    }
    if (!sess_.wants_read()) return;
    const std::span<char> space = sess_.read_space();
    if (space.empty()) return;
    std::size_t n = 0;
    const io_result r = self()->recv_some(space, n);  // before n is read
    received(r, n);
  }
  void received(io_result r, std::size_t n) {
    switch (r) {
      case io_result::done:
        sess_.commit(n);
        read_progress_ = true;
        peer_data_ = false;  // what waited is being read: a FIN behind it is watched for again
        break;
      case io_result::eof:
        if (sess_.input_ended()) loop_.dirty_marked();
        break;
      case io_result::would_block:
        break;
      case io_result::failed:
        close_now();
        break;
    }
  }
  // The socket takes bytes again.
  void writable() noexcept { write_blocked_ = false; }

  // Whether the transport should watch for the peer's FIN or reset while it does not read
  // (epoll: EPOLLRDHUP; Asio: readability, then peer_moved()): a request the handler holds
  // would be told that its client left (session::watching_peer()), so a quiet stream learns
  // it at once rather than at its next part.
  [[nodiscard]] bool watch_peer() const noexcept {
    return !closed_ && !lingering_ && !peer_data_ && sess_.watching_peer();
  }
  // The watched socket moved. A FIN with nothing before it is the client leaving (the held
  // requests are told: session::input_ended()). Bytes before it are data, never a leaving:
  // pipelined requests are read when reading resumes, and a FIN behind them is seen then.
  // Input the session would drop anyway (after "Connection: close") is read and dropped here.
  void peer_moved() {
    if (sess_.input_ignored()) {
      for (;;) {
        std::size_t n = 0;
        const io_result r = self()->recv_some(loop_.sink_, n);
        if (r == io_result::done) continue;
        if (r == io_result::eof) received(r, 0);
        if (r == io_result::failed) close_now();
        return;
      }
    }
    char c;
    const ssize_t n = ::recv(self()->native_fd(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) {
      peer_data_ = true;
    } else if (n == 0) {
      received(io_result::eof, 0);
    } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      close_now();
    }
  }

  // The deadline passed: a lingering or blocked connection closes; otherwise the session says
  // what the client gets (408 while a request is incomplete).
  void on_timeout() {
    if (closed_) return;
    if (lingering_ || write_blocked_) {
      close_now();
      return;
    }
    sess_.timeout();
    pump();
  }

  // Graceful stop: take what the kernel already holds, answer it, then close.
  void drain() {
    if (closed_ || lingering_) return;
    read_now();
    sess_.drain();
    pump();
  }

  void close_now() noexcept {
    if (closed_) return;
    closed_ = true;
    sess_.end_of_input();  // nothing buffered is dispatched for a connection that is gone
    if (sess_.closed()) loop_.dirty_marked();  // what a handler holds is handed back, gone()
    self()->close_socket();
    Conn* last = loop_.conns_.back();  // swap-remove from the loop's sweep list
    loop_.conns_[index_] = last;
    last->index_ = index_;
    loop_.conns_.pop_back();
    loop_.st_.conns.fetch_sub(1);
    if (held()) loop_.keep_held(self());
    self()->closed_out();
  }

  // request::respond(): on the loop's thread straight into the session (the loop pumps the
  // connection at the end of its turn), from any other thread through the loop's queue. The
  // request (and so the connection, which is held while a request is out) stays valid until
  // then.
  void complete(request& r, response&& resp) noexcept override {
    if (loop_.on_loop_thread()) {
      sess_.complete(r, std::move(resp));
      loop_.mark_dirty(self());
      return;
    }
    self()->post_complete(r, std::move(resp));
  }
  // A WebSocket channel's flush (websocket_app.h): run on this loop's thread, and the
  // connection pumped at the end of that turn.
  void post(std::function<void()> f) noexcept override { self()->post_call(std::move(f)); }
  void poke() noexcept override { loop_.mark_dirty(self()); }

  // request::read_body(), as complete() above.
  void read_body(request& r) noexcept override {
    if (loop_.on_loop_thread()) {
      sess_.read_body(r);
      loop_.mark_dirty(self());
      return;
    }
    self()->post_read_body(r);
  }
  void addresses(net_address& peer, net_address& local) noexcept override {
    socket_addresses(self()->native_fd(), peer, local);
  }

  [[nodiscard]] bool closed() const noexcept { return closed_; }
  [[nodiscard]] bool held() const noexcept {  // a request of ours is out with the handler
    return sess_.unanswered() != 0;
  }
  // Readable while lingering: discard what came, close at the client's FIN or an error.
  void linger_read() {
    for (;;) {
      std::size_t n = 0;
      const io_result r = self()->recv_some(loop_.sink_, n);
      if (r == io_result::done) continue;
      if (r == io_result::would_block) {
        self()->arm();  // wait for more, or the client's FIN
        update_deadline();
        return;
      }
      close_now();
      return;
    }
  }

  // Whether the transport should wait for bytes from the peer.
  [[nodiscard]] bool wants_input() const noexcept {
    return !closed_ && (lingering_ || sess_.wants_read());
  }

  clock::time_point deadline_ = clock::time_point::max();
  std::size_t index_ = 0;        // in Loop::conns_ while open
  bool dirty_ = false;           // in Loop::dirty_
  bool in_held_closed_ = false;  // in Loop::held_closed_

 protected:
  ~connection() = default;
  // Joins the loop's sweep list; from Conn's constructor, once it is a Conn.
  void enlist() {
    ++loop_.live_;
    index_ = loop_.conns_.size();
    loop_.conns_.push_back(self());
  }

  session sess_;
  Loop& loop_;
  bool closed_ = false, lingering_ = false, write_blocked_ = false;

 private:
  Conn* self() noexcept { return static_cast<Conn*>(this); }

  void write_out() {
    std::size_t file_left = file_turn;
    while (!write_blocked_ && !closed_) {
      const std::string_view out = sess_.output();
      if (out.empty()) {
        if (!write_file(file_left)) return;
        continue;
      }
      std::size_t n = 0;
      switch (self()->send_some(out, n)) {
        case io_result::done:
          sess_.consume(n);
          if (n > 0) write_progress_ = true;
          break;
        case io_result::would_block:
          write_blocked_ = true;  // arm() waits for writable
          return;
        default:
          close_now();
          return;
      }
    }
  }

  // The file bytes next in the output (session::file_output()); false when there are none or
  // the socket is full. After `left` bytes in this turn the connection waits for writability
  // like a full socket, so that one fast download does not hold up the loop's others.
  bool write_file(std::size_t& left) {
    file_body* f = sess_.file_output();
    if (f == nullptr) return false;
    if (left == 0) {
      write_blocked_ = true;
      return false;
    }
    std::size_t n = 0;
    const auto most = static_cast<std::size_t>(std::min<std::uint64_t>(f->length(), left));
    switch (self()->send_file(*f, most, n)) {
      case io_result::done:
        if (n == 0) break;  // the file is shorter than its announced length
        left -= n;
        write_progress_ = true;
        sess_.consume_file(n);
        return true;
      case io_result::would_block:
        write_blocked_ = true;
        return false;
      default:
        break;
    }
    close_now();
    return false;
  }

  // Reads what the kernel holds now, without waiting (drain: the last bytes before closing).
  void read_now() {
    while (!closed_ && sess_.wants_read()) {
      const std::span<char> space = sess_.read_space();
      if (space.empty()) return;
      std::size_t n = 0;
      const io_result r = self()->recv_some(space, n);
      if (r != io_result::done) {
        if (r == io_result::eof) sess_.end_of_input();
        return;
      }
      sess_.commit(n);
      if (n < space.size()) return;
    }
  }

  // Closing with unread input makes the kernel send RST, which can destroy the response still
  // in flight to the client (after a 413, say). So: shut down our side, read and discard until
  // the client closes or a short deadline passes, then close.
  void linger() {
    if (closed_ || lingering_) return;
    lingering_ = true;
    if (!self()->shutdown_send()) {
      close_now();
      return;
    }
    linger_read();
  }

  // Timeouts as nginx has them: each restarts with progress of its own kind, never because
  // the state merely changed back and forth. A head's timeout runs from its first byte (a
  // new head is one more request parsed), a body's and a blocked write's between bytes that
  // moved, the keep-alive wait from when it began.
  void update_deadline() {
    const timing t = timing_of(closed_, lingering_, write_blocked_, sess_.current_phase());
    bool restart = t != timing_;
    if (t == timing::head) restart = restart || sess_.parsed() != parsed_;
    if (t == timing::body) restart = restart || read_progress_;
    if (t == timing::blocked) restart = restart || write_progress_;
    // A WebSocket's deadline only moves later with traffic: looked at again once it passed.
    if (t == timing::websocket) restart = restart || deadline_ <= loop_.now_;
    parsed_ = sess_.parsed();
    read_progress_ = write_progress_ = false;
    if (!restart) return;
    timing_ = t;
    deadline_ = t == timing::websocket ? sess_.websocket_deadline()
                                       : deadline_of(t, loop_.st_.cfg, loop_.now_, loop_.draining_);
  }

  std::uint64_t parsed_ = 0;
  bool read_progress_ = false, write_progress_ = false;
  bool peer_data_ = false;  // peer_moved() found bytes waiting: not watched until they are read
  timing timing_ = timing::none;
};

// One io thread's loop state and rules: the date, the deadline sweep, batching ready requests
// to the handler, pumping what completions touched, and the start of a drain. `Loop` (the
// transport's loop, derived from this) provides dirty_marked(): a connection became dirty
// (schedule the end of the turn if the loop does not end every turn with dispatch()). Every
// call into a connection here holds Conn::retain() (a strong reference, or nothing) meanwhile.
template <class Conn, class Loop>
class io_loop {
 public:
  io_loop(server_state& st, unsigned index) : st_(st), index_(index) {
    auto shortest = std::min(
        {st.cfg.header_timeout, st.cfg.body_timeout, st.cfg.idle_timeout, st.cfg.send_timeout});
    if (st.cfg.websocket != nullptr) {  // the WebSocket timers that are on
      for (const auto t : {st.cfg.websocket_ping_interval, st.cfg.websocket_ping_timeout,
                           st.cfg.websocket_idle_timeout}) {
        if (t.count() > 0) shortest = std::min(shortest, t);
      }
    }
    tick_every_ = std::clamp<clock::duration>(shortest / 4, std::chrono::milliseconds(10),
                                              std::chrono::milliseconds(250));
  }

  [[nodiscard]] bool on_loop_thread() const noexcept {
    return std::this_thread::get_id() == thread_;
  }

  // A connection closed while a handler holds one of its requests: it must outlive that
  // request (respond() reaches it), so the loop keeps track of it until it is let go.
  void keep_held(Conn* c) {
    c->in_held_closed_ = true;
    held_closed_.push_back(c);
  }
  void let_go(Conn* c) noexcept {
    if (!c->in_held_closed_) return;
    c->in_held_closed_ = false;
    held_closed_.erase(std::find(held_closed_.begin(), held_closed_.end(), c));
  }
  // A drain is over once every connection is gone or, past shutdown_timeout, once every socket
  // is closed: requests a handler still holds are abandoned then (their connections stay, in
  // held_closed_, until the loop is destroyed; completing one sends nothing).
  [[nodiscard]] bool drain_over() const noexcept {
    return draining_ && (live_ == 0 || (now_ >= drain_deadline_ && conns_.empty()));
  }

  void mark_dirty(Conn* c) {
    if (c->dirty_) return;
    c->dirty_ = true;
    dirty_.push_back(c);
    // A reference-counted connection can lose its last other owner before the turn ends (a
    // posted call that marked it, then returned): it stays alive until dispatch() pumped it.
    if constexpr (counted_) dirty_keeps_.push_back(c->retain());
    self()->dirty_marked();
  }

  // Once per tick: the cached Date, then every connection past its deadline (all of them once
  // a drain has run out of time).
  void sweep() {
    const auto wall = std::chrono::system_clock::now().time_since_epoch();
    const std::int64_t second = std::chrono::duration_cast<std::chrono::seconds>(wall).count();
    if (second != date_second_) {
      date_second_ = second;
      format_http_date(second, date_);
    }
    if (detail::access_log* log = st_.svc.access()) log->flush();  // a line waits one tick at most
#if defined(__GLIBC__)
    // glibc keeps freed large blocks in its heap (its mmap threshold rises after the first
    // one is freed): once sessions have given several MiB back, hand the pages to the kernel,
    // so that memory taken for one large message does not stay with the process.
    if (st_.svc.take_released(std::size_t{4} << 20)) ::malloc_trim(0);
#endif
    const bool force = draining_ && now_ >= drain_deadline_;
    for (std::size_t i = 0; i < conns_.size();) {
      Conn* c = conns_[i];
      if (force || c->deadline_ <= now_) {
        [[maybe_unused]] const auto keep = c->retain();
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
  }

  // End of a loop turn: every dynamic request that became ready goes to the handler in one
  // call, then the connections it answered write their responses.
  void dispatch() {
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
      for (Conn* c : dirty) {
        [[maybe_unused]] const auto keep = c->retain();
        c->dirty_ = false;
        c->pump();
      }
    }
    // WebSocket events of this turn go to the application's owner together.
    if (st_.cfg.websocket != nullptr) st_.cfg.websocket->turn_end();
    if constexpr (counted_) {
      auto pumped = std::move(dirty_keeps_);  // may destroy connections: none is in dirty_ now
      dirty_keeps_.clear();
    }
  }

  // Over max_connections: a new client gets 503 at once rather than waiting unanswered in the
  // kernel's backlog. What it sent already is read first (closing with unread input sends RST,
  // which can destroy the 503 on its way); the caller closes `fd`.
  void refuse(int fd) {
    std::string bytes;
    render_response(
        bytes, {503, st_.cfg.server_name, date_, "text/plain", "Retry-After: 1\r\n", true, false},
        "server busy: connection limit reached");
    while (::recv(fd, sink_.data(), sink_.size(), MSG_DONTWAIT) > 0) {
    }
    [[maybe_unused]] const ssize_t n =
        ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    ::shutdown(fd, SHUT_WR);
  }

  // The start of a graceful stop; false when it had started already. The transport then takes
  // its backlog, closes its listener and calls drain_all().
  bool start_drain() noexcept {
    if (draining_) return false;
    draining_ = true;
    drain_deadline_ = clock::now() + st_.cfg.shutdown_timeout;
    return true;
  }
  // Every connection answers what it holds, then closes.
  void drain_all() {
    for (Conn* c : std::vector<Conn*>(conns_)) {
      [[maybe_unused]] const auto keep = c->retain();
      c->drain();
    }
  }

  server_state& st_;
  unsigned index_;
  clock::duration tick_every_{};
  clock::time_point now_ = clock::now();
  clock::time_point drain_deadline_ = clock::time_point::max();
  std::int64_t date_second_ = -1;
  char date_[date_length] = {};
  std::vector<Conn*> conns_;  // open connections
  std::size_t live_ = 0;      // connection objects, open or not
  std::vector<request*> ready_, batch_;
  std::vector<Conn*> dirty_;
  using keep_type = decltype(std::declval<Conn&>().retain());
  static constexpr bool counted_ = !std::is_same_v<keep_type, int>;
  std::vector<keep_type> dirty_keeps_;  // the strong references of dirty_ (counted connections)
  std::vector<Conn*> held_closed_;      // closed, a request still out (keep_held())
  std::array<char, 4096> sink_{};       // lingering reads land here, discarded
  bool draining_ = false, finished_ = false;
  std::thread::id thread_;

 protected:
  ~io_loop() = default;

 private:
  Loop* self() noexcept { return static_cast<Loop*>(this); }
};

}  // namespace lapwise::server::detail

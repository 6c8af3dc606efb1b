#include "lapwise/load/driver.h"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <optional>
#include <thread>

#include "lapwise/load/schedule.h"
#include "poller.h"
#include "response_reader.h"
#include "tcp_socket.h"

namespace lapwise::load {

void counters::add(const counters& o) noexcept {
  issued += o.issued;
  sent += o.sent;
  ok += o.ok;
  failed += o.failed;
  for (std::size_t i = 0; i < errors.size(); ++i) errors[i] += o.errors[i];
}

namespace detail {
namespace {

std::int64_t now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

constexpr std::size_t initial_buffer = std::size_t{64} * 1024;
constexpr std::size_t max_buffer =
    std::size_t{1024} * 1024;                        // the parser caps heads at 64 KiB anyway
constexpr std::int64_t retry_delay_ns = 10'000'000;  // between failed connection attempts
constexpr std::int64_t tick_ns = 10'000'000;         // timeouts, retries and the end of the run
constexpr std::size_t max_events = 256;              // per epoll wait
// Open loop: after a release the loop sleeps at least config::pace_gap_us before the next one
// (unless a response wakes it first, when due requests go out with the refills). Every timed
// wakeup is a context switch (on a VM, an exit and a timer interrupt: more CPU than a request),
// so above 1e6 / pace_gap_us requests/s per thread requests leave in batches instead of one
// wakeup each. The lag is at most about the gap when the generator keeps up; it is measured
// (send and generator lateness) and charged to the latency, which counts from the intended time.
// The kernel rounds a sleeping thread's wakeup up by its timer slack (50 us by default), which
// would add that much to every paced release; the loop threads ask for this instead.
constexpr unsigned long loop_timer_slack_ns = 1'000;

// What every worker reads and nobody writes while the run is on.
struct plan {
  const config* cfg = nullptr;
  std::vector<std::string> wire;  // serialized requests, by spec index
  tcp::endpoint endpoint;
  std::int64_t t0 = 0;           // start of the run (and of the open-loop schedule)
  std::int64_t warmup_end = 0;   // start of the measured window
  std::int64_t measure_end = 0;  // nothing starts at or after it
  std::int64_t timeout_ns = 0;
  std::optional<schedule> sched;     // open loop only
  std::uint64_t k_end = UINT64_MAX;  // open loop: global requests below k_end are scheduled
};

class worker;

struct in_flight {
  std::uint32_t spec;
  std::int64_t start_ns;  // latency origin: write (closed) or intended time (open)
  std::int64_t sent_ns;   // the timeout origin, and the response time's
  bool measured;
};

// The requests in flight on one connection, oldest first; never more than the pipeline depth,
// so a fixed ring (no allocation per request, unlike a deque).
class in_flight_ring {
 public:
  explicit in_flight_ring(std::size_t capacity) : slots_(capacity) {}
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] const in_flight& front() const noexcept { return slots_[head_]; }
  [[nodiscard]] const in_flight& at(std::size_t i) const noexcept {
    return slots_[(head_ + i) % slots_.size()];
  }
  void push_back(const in_flight& f) noexcept {  // callers keep size() < capacity
    slots_[(head_ + size_) % slots_.size()] = f;
    ++size_;
  }
  void pop_front() noexcept {
    head_ = (head_ + 1) % slots_.size();
    --size_;
  }
  void clear() noexcept { head_ = size_ = 0; }

 private:
  std::vector<in_flight> slots_;
  std::size_t head_ = 0, size_ = 0;
};

class connection {
 public:
  connection(worker& w, std::uint32_t index);
  ~connection() { tcp::close_fd(fd_); }
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  void connect(std::int64_t now);
  void on_event(std::uint32_t events);  // from the poller
  void on_tick(std::int64_t now);       // timeouts and connection retries
  // Open loop: this connection's request j (global index k) is due now; counts it as issued.
  void add_due(std::uint64_t j, std::int64_t intended);
  // Writes what may go out now (closed loop: refills; open loop: due requests up to the depth).
  void issue();
  void abandon();        // the run is over: what is left fails as timeout
  void shut() noexcept;  // close everything (end of run)
  [[nodiscard]] bool idle() const noexcept { return inflight_.empty() && next_j_ == due_j_; }
  [[nodiscard]] bool schedule_done() const noexcept { return due_j_ >= j_limit_; }

  bool marked = false;  // worker::mark(): already in its list of connections to write

 private:
  enum class state : std::uint8_t { connecting, open, waiting, closed };

  void on_connected();
  bool make_room();
  void read();
  bool process(std::int64_t now, bool eof);
  void flush();
  void want_write(bool on);
  void register_due(std::int64_t now);  // open loop: count what is due by now as issued
  void fail(failure_kind kind, const std::string& why);
  void close();
  void fail_inflight(failure_kind kind);
  [[nodiscard]] bool has_work() const noexcept;

  worker& w_;
  const plan& plan_;
  std::uint32_t index_;
  int fd_ = -1;
  state state_ = state::closed;
  std::int64_t retry_at_ = 0;  // state waiting: when to try connecting again
  std::vector<char> rbuf_;
  std::size_t rstart_ = 0, rend_ = 0;
  std::string out_;          // bytes not yet taken by the socket
  std::size_t out_off_ = 0;  // out_[0, out_off_) already written
  bool write_wait_ = false;  // the socket took part of out_: waiting for EPOLLOUT
  in_flight_ring inflight_;
  response_reader reader_;
  std::uint32_t cursor_;
  // Open loop: since when this connection could take a request (open and below the depth);
  // a request waiting before that waited for the server, not for the generator.
  std::int64_t room_since_ = 0;
  // Open loop: requests [0, due_j_) of this connection are due, [0, next_j_) were written,
  // and requests from j_limit_ on are outside the run.
  std::uint64_t next_j_ = 0, due_j_ = 0, j_limit_ = 0;
};

class worker {
 public:
  worker(const plan& p, std::uint32_t first, std::uint32_t count, std::uint64_t budget)
      : plan_(p), first_(first), budget_(budget) {
    conns_.reserve(count);
    for (std::uint32_t i = 0; i < count; ++i)
      conns_.push_back(std::make_unique<connection>(*this, first + i));
    dirty_.reserve(count);
    if (plan_.sched) {
      // Global requests intended strictly before measure_end, and (with -n) below k_end.
      k_limit_ = std::min(plan_.sched->total_due(plan_.measure_end - plan_.t0 - 1), plan_.k_end);
    }
  }

  // The event loop; returns when the run is over (see driver.h).
  void run() {
    if (!poller_.ok()) {
      note("setup", "epoll_create1: " + tcp::describe(poller_.error()));
      finished_at_ = now_ns();
      return;
    }
    const int old_slack = ::prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
    ::prctl(PR_SET_TIMERSLACK, loop_timer_slack_ns, 0, 0, 0);
    std::int64_t now = now_ns();
    for (auto& c : conns_) c->connect(now);
    next_tick_ = now + tick_ns;
    std::array<epoll_event, max_events> events{};
    while (!done_) {
      flush_dirty();
      const int n = poller_.wait(events, timeout(now_ns()));
      if (n < 0) {
        note("setup", "epoll wait: " + tcp::describe(-n));
        for (auto& c : conns_) c->abandon();
        finish(now_ns());
        break;
      }
      for (int i = 0; i < n; ++i)
        static_cast<connection*>(events[i].data.ptr)->on_event(events[i].events);
      now = now_ns();
      if (plan_.sched) release(now);
      if (now >= next_tick_) {
        on_tick(now);
        next_tick_ = now + tick_ns;
      }
    }
    if (old_slack > 0) ::prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(old_slack), 0, 0, 0);
  }

  // Open loop: registers every request of this worker's connections that is due at `now` and
  // marks their connections for writing (one write each, at the end of the iteration).
  void release(std::int64_t now) {
    const schedule& s = *plan_.sched;
    last_release_ = now;
    const std::uint64_t k_due = std::min(s.total_due(now - plan_.t0), k_limit_);
    if (k_due <= k_next_) return;
    const std::uint32_t n = s.connections();
    const auto count = static_cast<std::uint32_t>(conns_.size());
    for (std::uint64_t k = k_next_; k < k_due; ++k) {
      const auto c = static_cast<std::uint32_t>(k % n);
      if (c - first_ >= count) continue;  // another worker's connection (unsigned wrap)
      connection& conn = *conns_[c - first_];
      mark(conn);
      conn.add_due(k / n, plan_.t0 + s.intended_ns(k));
    }
    k_next_ = k_due;
  }

  // Queues `c` to write at the end of this loop iteration (once, however often it is marked).
  void mark(connection& c) {
    if (c.marked) return;
    c.marked = true;
    dirty_.push_back(&c);
  }

  poller& the_poller() noexcept { return poller_; }
  const plan& the_plan() const noexcept { return plan_; }
  bool done() const noexcept { return done_; }
  report& rep() noexcept { return rep_; }
  counters& phase(bool measured) noexcept { return measured ? rep_.measured : rep_.warmup; }

  // Closed loop: may a request start now? Takes one from the budget if it is measured.
  bool take_closed(std::int64_t now, bool& measured) noexcept {
    if (now >= plan_.measure_end) return false;
    measured = now >= plan_.warmup_end;
    if (!measured) return true;
    if (plan_.cfg->max_requests == 0) return true;
    if (budget_ == 0) return false;
    --budget_;
    return true;
  }

  void fail_request(bool measured, failure_kind kind) noexcept {
    counters& c = phase(measured);
    ++c.failed;
    ++c.errors[static_cast<std::size_t>(kind)];
  }

  // Open loop: a measured request written at `sent`, intended at `intended`, whose connection
  // had room since `room_since`.
  void written_late(std::int64_t intended, std::int64_t room_since, std::int64_t sent) noexcept {
    rep_.send_lateness_ns.record(
        static_cast<std::uint64_t>(std::max<std::int64_t>(0, sent - intended)));
    const std::int64_t ready = std::max(intended, room_since);
    rep_.loadgen_lateness_ns.record(
        static_cast<std::uint64_t>(std::max<std::int64_t>(0, sent - ready)));
  }

  void completed(const in_flight& f, const response_info& info, std::int64_t now) {
    const request_spec& spec = plan_.cfg->requests[f.spec];
    if (f.measured) last_measured_ = std::max(last_measured_, now);
    if (info.status != spec.expect_status) {
      fail_request(f.measured, failure_kind::status);
      if (wants_note()) {
        note("status", spec.method + " " + spec.target + ": status " + std::to_string(info.status) +
                           ", expected " + std::to_string(spec.expect_status));
      }
      return;
    }
    if (spec.expect_length >= 0 &&
        info.body_length != static_cast<std::uint64_t>(spec.expect_length)) {
      fail_request(f.measured, failure_kind::body);
      if (wants_note()) {
        note("body", spec.method + " " + spec.target + ": body of " +
                         std::to_string(info.body_length) + " bytes, expected " +
                         std::to_string(spec.expect_length));
      }
      return;
    }
    ++phase(f.measured).ok;
    if (!f.measured) return;
    rep_.latency_ns.record(static_cast<std::uint64_t>(std::max<std::int64_t>(0, now - f.start_ns)));
    if (plan_.sched)
      rep_.response_ns.record(
          static_cast<std::uint64_t>(std::max<std::int64_t>(0, now - f.sent_ns)));
  }

  // Only the first few failures are described: building messages in an error storm is waste.
  bool wants_note() const noexcept { return rep_.first_errors.size() < 8; }
  void note(const char* kind, const std::string& what) {
    if (wants_note()) rep_.first_errors.push_back(std::string(kind) + ": " + what);
  }
  void note_failure_time(bool measured, std::int64_t now) noexcept {
    if (measured) last_measured_ = std::max(last_measured_, now);
  }
  std::int64_t last_measured() const noexcept { return last_measured_; }
  std::int64_t finished_at() const noexcept { return finished_at_; }

 private:
  void flush_dirty() {
    // Index loop: issue() may fail a connection, which never marks another one, but keep it
    // robust against growth anyway.
    for (std::size_t i = 0; i < dirty_.size(); ++i) {
      connection* c = dirty_[i];
      c->marked = false;
      c->issue();
    }
    dirty_.clear();
  }

  // How long the next wait may sleep: until the next tick, or (open loop) this worker's next
  // intended request, but not sooner than the pace gap after the previous release.
  std::int64_t timeout(std::int64_t now) const noexcept {
    std::int64_t wake = next_tick_;
    if (plan_.sched && k_next_ < k_limit_) {
      const schedule& s = *plan_.sched;
      const std::uint32_t n = s.connections();
      const auto count = static_cast<std::uint32_t>(conns_.size());
      std::uint64_t k = k_next_;
      // This worker's next request: at most n - count steps to one of its connections.
      while (k < k_limit_ && static_cast<std::uint32_t>(k % n) - first_ >= count) ++k;
      if (k < k_limit_) {
        wake = std::min(wake, std::max(plan_.t0 + s.intended_ns(k), last_release_ + pace_gap_ns_));
      }
    }
    return std::max<std::int64_t>(0, wake - now);
  }

  void on_tick(std::int64_t now) {
    for (auto& c : conns_) c->on_tick(now);
    if (now >= plan_.measure_end + plan_.timeout_ns) {  // drain time is over
      for (auto& c : conns_) c->abandon();
      finish(now);
      return;
    }
    if (issuing_over(now) &&
        std::all_of(conns_.begin(), conns_.end(), [](const auto& c) { return c->idle(); })) {
      finish(now);
    }
  }

  bool issuing_over(std::int64_t now) const noexcept {
    if (plan_.sched) {
      // Not merely "past measure_end": a loop that wakes late (a busy core) must still
      // register the requests intended before the end.
      return std::all_of(conns_.begin(), conns_.end(),
                         [](const auto& c) { return c->schedule_done(); });
    }
    if (now >= plan_.measure_end) return true;
    return plan_.cfg->max_requests > 0 && budget_ == 0;
  }

  void finish(std::int64_t now) {
    done_ = true;
    finished_at_ = now;
    for (auto& c : conns_) c->shut();
    dirty_.clear();
  }

  poller poller_;  // declared first: connections deregister from it when they close
  const plan& plan_;
  std::vector<std::unique_ptr<connection>> conns_;
  std::uint32_t first_;             // conns_[i] is connection first_ + i of the run
  std::uint64_t k_next_ = 0;        // open loop: global requests below it were registered
  std::uint64_t k_limit_ = 0;       // open loop: global requests from it on are outside the run
  std::vector<connection*> dirty_;  // connections to write at the end of the iteration
  std::int64_t next_tick_ = 0;
  std::int64_t last_release_ = 0;
  std::int64_t pace_gap_ns_ = static_cast<std::int64_t>(plan_.cfg->pace_gap_us) * 1000;
  report rep_;
  std::uint64_t budget_;
  std::int64_t last_measured_ = 0;
  std::int64_t finished_at_ = 0;
  bool done_ = false;
};

connection::connection(worker& w, std::uint32_t index)
    : w_(w),
      plan_(w.the_plan()),
      index_(index),
      rbuf_(initial_buffer),
      inflight_(plan_.cfg->pipeline),
      cursor_(static_cast<std::uint32_t>(index % plan_.cfg->requests.size())) {
  if (plan_.sched) {
    const schedule& s = *plan_.sched;
    // Requests intended strictly before measure_end, and (with -n) globally below k_end.
    j_limit_ =
        std::min(s.due(index_, plan_.measure_end - plan_.t0 - 1), s.below(index_, plan_.k_end));
  }
}

void connection::connect(std::int64_t now) {
  const tcp::connect_result r = tcp::start_connect(plan_.endpoint);
  int err = r.error;
  if (r.fd >= 0) {
    fd_ = r.fd;
    // Connecting: writable when done. Connected: readable from now on (level-triggered).
    err = w_.the_poller().add(fd_, r.done ? EPOLLIN : EPOLLOUT, this);
    if (err == 0) {
      state_ = state::connecting;
      if (r.done) on_connected();
      return;
    }
    tcp::close_fd(fd_);
  }
  ++w_.rep().connect_errors;
  w_.note("connect", tcp::describe(err));
  state_ = state::waiting;
  retry_at_ = now + retry_delay_ns;
}

void connection::on_connected() {
  ++w_.rep().connects;
  state_ = state::open;
  room_since_ = now_ns();
  w_.mark(*this);
}

void connection::on_event(std::uint32_t events) {
  if (w_.done()) return;
  if (state_ == state::connecting) {
    const int err = tcp::connect_error(fd_);
    if (err != 0 || (events & (EPOLLERR | EPOLLHUP))) {
      ++w_.rep().connect_errors;
      w_.note("connect", tcp::describe(err != 0 ? err : ECONNREFUSED));
      w_.the_poller().remove(fd_);
      tcp::close_fd(fd_);
      state_ = state::waiting;
      retry_at_ = now_ns() + retry_delay_ns;
      return;
    }
    if (const int e = w_.the_poller().modify(fd_, EPOLLIN, this); e != 0) {
      state_ = state::open;
      return fail(failure_kind::write, "epoll: " + tcp::describe(e));
    }
    return on_connected();
  }
  if (state_ != state::open) return;
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) read();
  if (state_ == state::open && write_wait_ && (events & EPOLLOUT)) flush();
}

// Room at the end of the read buffer: moves the unconsumed tail down, or grows the buffer.
// False (and the connection failed) when a response head will not fit.
bool connection::make_room() {
  if (rend_ < rbuf_.size()) return true;
  if (rstart_ > 0) {
    std::memmove(rbuf_.data(), rbuf_.data() + rstart_, rend_ - rstart_);
    rend_ -= rstart_;
    rstart_ = 0;
  } else if (rbuf_.size() < max_buffer) {
    rbuf_.resize(rbuf_.size() * 2);
  } else {
    fail(failure_kind::parse, "a response head larger than " + std::to_string(max_buffer));
    return false;
  }
  return true;
}

// One recv per readiness: level-triggered epoll reports the socket again if bytes remain.
void connection::read() {
  if (!make_room()) return;
  const tcp::io_result r = tcp::recv_some(fd_, rbuf_.data() + rend_, rbuf_.size() - rend_);
  if (r.would_block()) return;
  const std::int64_t now = now_ns();  // the completion time of every response in this read
  if (r.n < 0) return fail(failure_kind::read, tcp::describe(r.error));
  const bool eof = r.n == 0;
  rend_ += static_cast<std::size_t>(r.n);
  w_.rep().bytes_read += static_cast<std::uint64_t>(r.n);
  if (!process(now, eof)) return;  // failed (and reconnecting)
  if (rstart_ == rend_) rstart_ = rend_ = 0;
  if (has_work()) w_.mark(*this);
}

// Reads every complete response in the buffer. False if the connection failed or was closed.
bool connection::process(std::int64_t now, bool eof) {
  bool server_closes = eof;
  const std::size_t depth = plan_.cfg->pipeline;
  while (!inflight_.empty()) {
    const in_flight& f = inflight_.front();
    const auto r = reader_.feed(std::span<char>(rbuf_.data() + rstart_, rend_ - rstart_),
                                plan_.cfg->requests[f.spec].method, eof);
    rstart_ += r.consumed;
    if (r.state == response_reader::status::error) {
      fail(failure_kind::parse, parser::describe(r.error));
      return false;
    }
    if (r.state == response_reader::status::need_more) break;
    const in_flight done = f;
    if (inflight_.size() == depth) room_since_ = now;  // full until this response
    inflight_.pop_front();
    w_.completed(done, reader_.info(), now);
    if (!reader_.info().keep_alive) {
      server_closes = true;
      break;
    }
  }
  if (inflight_.empty() && rstart_ != rend_ && !server_closes) {
    fail(failure_kind::parse, "bytes from the server with no request outstanding");
    return false;
  }
  if (server_closes) {
    if (!inflight_.empty()) {
      fail(failure_kind::read, "the server closed the connection with " +
                                   std::to_string(inflight_.size()) + " responses outstanding");
    } else {
      close();
      connect(now);
    }
    return false;
  }
  return true;
}

bool connection::has_work() const noexcept {
  if (inflight_.size() >= plan_.cfg->pipeline) return false;
  return plan_.sched ? next_j_ < due_j_ : true;
}

void connection::issue() {
  if (state_ != state::open) return;
  const std::uint32_t depth = plan_.cfg->pipeline;
  const std::size_t nspecs = plan_.cfg->requests.size();
  if (inflight_.size() >= depth) return;
  // Stamped just before this connection's write: the origin of closed-loop latencies and the
  // end of open-loop lateness.
  const std::int64_t now = now_ns();
  if (!plan_.sched) {
    bool measured = false;
    while (inflight_.size() < depth && w_.take_closed(now, measured)) {
      const std::uint32_t spec = cursor_;
      cursor_ = static_cast<std::uint32_t>((cursor_ + 1) % nspecs);
      inflight_.push_back({spec, now, now, measured});
      counters& c = w_.phase(measured);
      ++c.issued;
      ++c.sent;
      out_ += plan_.wire[spec];
    }
  } else {
    const schedule& s = *plan_.sched;
    while (inflight_.size() < depth && next_j_ < due_j_) {
      const std::uint64_t k = index_ + next_j_ * s.connections();
      const std::int64_t start = plan_.t0 + s.intended_ns(k);
      const bool measured = start >= plan_.warmup_end;
      const auto spec = static_cast<std::uint32_t>(k % nspecs);
      inflight_.push_back({spec, start, now, measured});
      ++w_.phase(measured).sent;
      if (measured) w_.written_late(start, room_since_, now);
      out_ += plan_.wire[spec];
      ++next_j_;
    }
  }
  flush();
}

// Hands out_ to the socket; what it does not take waits for EPOLLOUT (rare: requests are small).
void connection::flush() {
  if (state_ != state::open || out_off_ >= out_.size()) return;
  const tcp::io_result r = tcp::send_some(fd_, out_.data() + out_off_, out_.size() - out_off_);
  if (r.n < 0 && !r.would_block()) return fail(failure_kind::write, tcp::describe(r.error));
  if (r.n > 0) {
    out_off_ += static_cast<std::size_t>(r.n);
    w_.rep().bytes_written += static_cast<std::uint64_t>(r.n);
  }
  if (out_off_ == out_.size()) {
    out_.clear();
    out_off_ = 0;
    want_write(false);
  } else {
    want_write(true);
  }
}

void connection::want_write(bool on) {
  if (write_wait_ == on) return;
  write_wait_ = on;
  if (const int e = w_.the_poller().modify(fd_, on ? EPOLLIN | EPOLLOUT : EPOLLIN, this); e != 0)
    fail(failure_kind::write, "epoll: " + tcp::describe(e));
}

void connection::add_due(std::uint64_t j, std::int64_t intended) {
  if (j < due_j_) return;  // already registered (abandon() may have run first)
  ++w_.phase(intended >= plan_.warmup_end).issued;
  due_j_ = j + 1;
}

void connection::register_due(std::int64_t now) {
  const std::uint64_t due = std::min(plan_.sched->due(index_, now - plan_.t0), j_limit_);
  for (std::uint64_t j = due_j_; j < due; ++j) {
    const std::int64_t start = plan_.t0 + plan_.sched->intended_ns(index_, j);
    ++w_.phase(start >= plan_.warmup_end).issued;
  }
  due_j_ = std::max(due_j_, due);
}

void connection::on_tick(std::int64_t now) {
  if (state_ == state::open && !inflight_.empty() &&
      now - inflight_.front().sent_ns > plan_.timeout_ns) {
    fail(failure_kind::timeout,
         "no response within " + std::to_string(plan_.cfg->timeout_ms) + " ms");
  } else if (state_ == state::waiting && now >= retry_at_) {
    connect(now);
  }
}

void connection::abandon() {
  if (!inflight_.empty() || next_j_ < due_j_) {
    w_.note("timeout", "requests still pending when the drain (timeout_ms) ended");
  }
  fail_inflight(failure_kind::timeout);
  if (!plan_.sched) return;
  register_due(now_ns());  // a late loop must not make requests vanish
  const schedule* s = &*plan_.sched;
  for (; next_j_ < due_j_; ++next_j_) {  // due but never written
    const std::int64_t start = plan_.t0 + s->intended_ns(index_, next_j_);
    w_.fail_request(start >= plan_.warmup_end, failure_kind::timeout);
  }
}

void connection::fail_inflight(failure_kind kind) {
  for (std::size_t i = 0; i < inflight_.size(); ++i)
    w_.fail_request(inflight_.at(i).measured, kind);
  inflight_.clear();
}

void connection::fail(failure_kind kind, const std::string& why) {
  w_.note(failure_kind_names[static_cast<std::size_t>(kind)], why);
  const std::int64_t now = now_ns();
  for (std::size_t i = 0; i < inflight_.size(); ++i)
    w_.note_failure_time(inflight_.at(i).measured, now);
  fail_inflight(kind);
  close();
  connect(now);
}

void connection::close() {
  if (fd_ >= 0) w_.the_poller().remove(fd_);
  tcp::close_fd(fd_);
  state_ = state::closed;
  reader_.reset();
  rstart_ = rend_ = 0;
  out_.clear();
  out_off_ = 0;
  write_wait_ = false;
}

void connection::shut() noexcept {
  tcp::close_fd(fd_);  // the poller goes with the worker; no need to deregister
  state_ = state::closed;
}

}  // namespace
}  // namespace detail

std::string check_config(const config& cfg) {
  auto bad = [](const char* what) { return std::string(what); };
  if (cfg.port == 0) return bad("no port (give http://HOST:PORT)");
  if (cfg.connections < 1 || cfg.connections > 100000) return bad("connections must be 1..100000");
  if (cfg.threads < 1 || cfg.threads > 64) return bad("threads must be 1..64");
  if (cfg.threads > cfg.connections) return bad("more threads than connections");
  if (cfg.pipeline < 1 || cfg.pipeline > 1024) return bad("pipeline depth must be 1..1024");
  if (!std::isfinite(cfg.rate) || cfg.rate < 0 || cfg.rate > 1e9)
    return bad("rate must be 0 (closed loop) or a positive number of requests per second");
  if (!std::isfinite(cfg.duration_s) || cfg.duration_s <= 0 || cfg.duration_s > 86400)
    return bad("duration must be in (0, 86400] seconds");
  if (!std::isfinite(cfg.warmup_s) || cfg.warmup_s < 0 || cfg.warmup_s > 3600)
    return bad("warmup must be in [0, 3600] seconds");
  if (cfg.timeout_ms < 1 || cfg.timeout_ms > 600000) return bad("timeout must be 1..600000 ms");
  if (cfg.pace_gap_us > 100000) return bad("pace gap must be 0..100000 us");
  if (cfg.requests.empty()) return bad("no requests");
  return {};
}

report run(const config& cfg, std::string& error) {
  error = check_config(cfg);
  if (!error.empty()) return {};
  detail::plan p;
  p.cfg = &cfg;
  if (!tcp::parse_endpoint(cfg.host, cfg.port, p.endpoint)) {
    error = "'" + cfg.host + "' is not a numeric IP address";
    return {};
  }
  const bool v6 = p.endpoint.addr.ss_family == AF_INET6;
  const std::string host_port =
      (v6 ? "[" + cfg.host + "]" : cfg.host) + ":" + std::to_string(cfg.port);
  for (const request_spec& spec : cfg.requests) {
    p.wire.push_back(serialize(spec, host_port, error));
    if (!error.empty()) return {};
  }
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  p.t0 = detail::now_ns();
  p.warmup_end = p.t0 + static_cast<std::int64_t>(cfg.warmup_s * 1e9);
  p.measure_end = p.warmup_end + static_cast<std::int64_t>(cfg.duration_s * 1e9);
  p.timeout_ns = static_cast<std::int64_t>(cfg.timeout_ms) * 1'000'000;
  if (cfg.rate > 0) {
    p.sched.emplace(cfg.rate, cfg.connections);
    if (cfg.max_requests > 0) {  // -n counts measured requests: those from warmup_end on
      p.k_end = p.sched->total_due(p.warmup_end - p.t0 - 1) + cfg.max_requests;
    }
  }

  // Connections and the -n budget are split evenly; worker i runs on thread i.
  std::vector<std::unique_ptr<detail::worker>> workers;
  std::uint32_t first = 0;
  for (std::uint32_t i = 0; i < cfg.threads; ++i) {
    const std::uint32_t count = cfg.connections / cfg.threads + (i < cfg.connections % cfg.threads);
    const std::uint64_t budget =
        cfg.max_requests / cfg.threads + (i < cfg.max_requests % cfg.threads);
    workers.push_back(std::make_unique<detail::worker>(p, first, count, budget));
    first += count;
  }
  std::vector<std::thread> threads;
  for (std::uint32_t i = 1; i < cfg.threads; ++i)
    threads.emplace_back([&, i] { workers[i]->run(); });
  workers[0]->run();
  for (auto& t : threads) t.join();

  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  const std::int64_t t_end = detail::now_ns();
  report out;
  std::int64_t last = 0, finished = 0;
  for (auto& w : workers) {
    const report& r = w->rep();
    out.measured.add(r.measured);
    out.warmup.add(r.warmup);
    out.connect_errors += r.connect_errors;
    out.connects += r.connects;
    out.bytes_read += r.bytes_read;
    out.bytes_written += r.bytes_written;
    out.latency_ns.add(r.latency_ns);
    out.send_lateness_ns.add(r.send_lateness_ns);
    out.loadgen_lateness_ns.add(r.loadgen_lateness_ns);
    out.response_ns.add(r.response_ns);
    for (const auto& e : r.first_errors)
      if (out.first_errors.size() < 8) out.first_errors.push_back(e);
    last = std::max(last, w->last_measured());
    finished = std::max(finished, w->finished_at());
  }
  const std::int64_t end = last > p.warmup_end ? last : std::min(finished, p.measure_end);
  out.elapsed_s = static_cast<double>(std::max<std::int64_t>(0, end - p.warmup_end)) / 1e9;
  out.wall_s = static_cast<double>(t_end - p.t0) / 1e9;
  auto cpu_seconds = [](const timeval& a, const timeval& b) {
    return static_cast<double>(b.tv_sec - a.tv_sec) +
           static_cast<double>(b.tv_usec - a.tv_usec) / 1e6;
  };
  out.cpu_user_s = cpu_seconds(before.ru_utime, after.ru_utime);
  out.cpu_system_s = cpu_seconds(before.ru_stime, after.ru_stime);
  return out;
}

}  // namespace lapwise::load

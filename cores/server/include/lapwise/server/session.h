// lapwise::server::session — the sans-IO core of one HTTP/1.1 connection: bytes in, response
// bytes out, dynamic requests handed to the owner. The transports only move bytes; tests and
// the fuzzer drive a session directly.
//
// Contract:
// - Input: read_space() + commit(n), or receive(bytes). Complete requests are answered in
//   arrival order: const routes, 404/405 and errors at once; dynamic routes are appended to
//   the `ready` vector given at construction and answered when complete() is called for them
//   (from the owner's thread). output() is what to write next, in order; consume() drops
//   written bytes.
// - Parsing pauses (wants_read() false, bytes stay buffered) while max_pipelined requests are
//   unanswered, or while the unsent output reaches max_output: bytes not yet written, responses
//   waiting for an earlier one, and what the requests with the handler are expected to
//   return (their route's last response size; max_output while a route has not answered
//   yet, so a new route is dispatched one at a time per connection until then).
//   complete() and consume() resume it. What the client has read is freed.
// - Memory: footprint() is what the session holds. Buffers grown for a large message go back
//   to their base size once it is answered (input at the next read_space(), output once
//   written, pooled requests at once). The server-wide count (service::memory()) is kept
//   within 64 KiB per session; over config::max_memory, a request that needs memory beyond
//   the base buffers (a handler route, a body larger than the input buffer) gets 503 with
//   Retry-After and the connection closes.
// - The first error, a "Connection: close" request, end_of_input(), or a timeout ends the
//   connection: nothing after it is parsed; done() becomes true once every earlier response is
//   out. A partial request at end of input is dropped (no response: the client is gone).
// - Streamed bodies (config::stream_body_over; session_body.cc): the request is dispatched at
//   its head; its body moves from the input into the request's window, at most body_window
//   bytes, and is handed over piece by piece at read_body(). While the window is full nothing
//   is read (wants_read() false); a streamed body is read even while the bounds on new
//   requests pause parsing, and the next request is parsed right after its last byte.
// - A head is re-parsed only when new bytes hold a line end (or limits are crossed), so a
//   client trickling bytes costs linear work. Timeouts are the owner's: current_phase() says
//   which applies, parsed() when a new head began; timeout() answers 408 in head or body.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lapwise/server/server.h"

namespace lapwise::server {

namespace detail {
class access_log;

// Where a request's completion goes (the connection). Called once per request.
class responder {
 public:
  virtual void complete(request& r, response&& resp) noexcept = 0;
  // request::read_body(): session::read_body() on the session's thread. Responders whose
  // sessions never stream bodies (config::stream_body_over) may leave it.
  virtual void read_body(request&) noexcept {}
  // The connection's peer and local addresses, asked once per connection (at its first
  // handler request); leaving them empty says unknown.
  virtual void addresses(net_address& /*peer*/, net_address& /*local*/) noexcept {}
  // WebSocket channels (websocket_app.h): run `f` on the connection's thread soon, from any
  // thread, while the connection is open; and, on that thread, have the connection write what
  // its session queued. Sans-I/O owners (tests) may keep these defaults.
  virtual void post(std::function<void()> f) noexcept { f(); }
  virtual void poke() noexcept {}

 protected:
  ~responder() = default;
};

inline constexpr std::size_t date_length = 29;  // "Sun, 06 Nov 1994 08:49:37 GMT"
// Formats an IMF-fixdate for `unix_seconds` into out[0..29).
void format_http_date(std::int64_t unix_seconds, char* out) noexcept;
}  // namespace detail

// The read-only state every session of a server shares: config, routes, pre-rendered bytes.
class service {
 public:
  service(config cfg, route_table routes);
  [[nodiscard]] const config& cfg() const noexcept { return cfg_; }
  // Bytes held by all sessions of this service (each within 64 KiB of its footprint()).
  [[nodiscard]] std::size_t memory() const noexcept {
    return memory_.load(std::memory_order_relaxed);
  }
  // True (and resets the count) once sessions have freed more than `threshold` bytes of large
  // buffers since the last call: the owner may then ask the allocator to return them.
  bool take_released(std::size_t threshold) const noexcept;
  // The access log (config::access_log), or null when there is none.
  [[nodiscard]] detail::access_log* access() const noexcept { return access_.get(); }

 private:
  friend class session;
  std::shared_ptr<detail::access_log> access_;
  mutable std::atomic<std::size_t> memory_{0};
  mutable std::atomic<std::size_t> released_{0};
  // By route_table entry: the size of a handler route's last response (max_output until one
  // is known), so that pipelined requests are dispatched only as far as their responses
  // fit the output bound.
  std::unique_ptr<std::atomic<std::size_t>[]> expected_;
  struct rendered {  // one per const route; three variants by Connection header
    std::string bytes[3];
    std::size_t date_at[3];
  };
  config cfg_;  // limits.max_body raised to the largest route's limit (see server_max_body_)
  route_table routes_;
  std::uint64_t server_max_body_;   // the configured limits.max_body
  std::vector<rendered> rendered_;  // by route_table entry index
};

class session {
  static constexpr std::size_t base_input = 8192;        // the input buffer's size when idle
  static constexpr std::size_t memory_step = 64 << 10;   // see sync_memory()
  static constexpr std::size_t stream_input = 64 << 10;  // the input buffer under a streamed body

 public:
  // Responses at least this large are sent from the handler's string (no copy), and freed
  // buffers this large count towards giving memory back.
  static constexpr std::size_t large_buffer = 256 << 10;

 public:
  enum class phase : std::uint8_t {
    idle,       // nothing buffered, nothing unanswered: the idle (keep-alive) timeout applies
    head,       // part of a request head is buffered: the header timeout applies
    body,       // a head is complete, its body is not (also a streamed body the client owes
                // while its window has room): the body timeout applies
    waiting,    // a handler holds a request (or the pipelining bound is reached): none
    websocket,  // a live WebSocket: its own timers, at websocket_deadline()
  };
  using time_point = std::chrono::steady_clock::time_point;

  // `date` points at detail::date_length bytes the owner keeps current. `owner` receives
  // request::respond() calls; `ready` receives dynamic requests. `now` points at the time the
  // owner keeps current (its loop turn's; read, never asked of the clock, so a frame costs no
  // clock call): the WebSocket timers use it. Null: a clock that stands still (owners that
  // never drive those timers).
  session(const service& svc, detail::responder& owner, std::vector<request*>& ready,
          const char* date, const time_point* now = nullptr);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  // Free space at the end of the input buffer; first gives an emptied large buffer back.
  [[nodiscard]] std::span<char> read_space();
  // Gives an input buffer grown for a large message back once it holds nothing. Only while no
  // read into read_space() is outstanding (read_space() does it itself).
  void trim() noexcept {
    if (in_cap_ > base_input && in_begin_ == in_end_ && !chunked_active_ && !body_active_) {
      release_input();
    }
  }
  void commit(std::size_t n);            // n bytes were read into read_space()
  void receive(std::string_view bytes);  // copies all of it (tests), then commit()
  void end_of_input() noexcept;          // the peer will send nothing more
  // The connection closed: requests the handler holds are handed back gone() (see request);
  // true when some were.
  bool closed();
  // Whether the owner should watch the socket for the peer's FIN or reset while wants_read()
  // is false: a request the handler holds would be told (a streamed response, or any with
  // config::tell_gone) and has not been. Bytes that come are data, not a leaving; the owner
  // reads them when reading resumes (a FIN behind them is seen then), unless input_ignored().
  [[nodiscard]] bool watching_peer() const noexcept;
  // Nothing more the peer sends will be parsed (a "Connection: close" request, an error):
  // a FIN behind unread bytes is a leaving all the same.
  [[nodiscard]] bool input_ignored() const noexcept { return closing_ || eof_; }
  // The peer sent its FIN: held requests are told as by closed() (a client that half-closes
  // has left, as other servers take it; a streamed response at once, also between two of its
  // parts), but what is sent still goes out.
  bool input_ended() {
    end_of_input();
    return tell_gone();
  }
  // True once (then false) when consume() handed streams back to `ready`: the owner ends its
  // loop turn with the handler then.
  [[nodiscard]] bool take_woken() noexcept {
    const bool w = woken_;
    woken_ = false;
    return w;
  }
  void complete(request& r, response&& resp);  // the owner's side of request::respond()
  void read_body(request& r);                  // the owner's side of request::read_body()
  // The owner's deadline passed: 408 while receiving; a live WebSocket's timers (a keep-alive
  // Ping, or Close 1011 / 1001 when the peer or the application stayed silent); else close.
  void timeout();
  // phase::websocket: when timeout() is due next (time_point::max(): never). It moves later
  // with traffic without telling anyone: a timeout() called early finds nothing due.
  [[nodiscard]] time_point websocket_deadline() const noexcept;
  void drain();  // graceful stop: answer what is buffered, then close

  // The next bytes to write (empty: nothing now). More may follow once they are consumed.
  [[nodiscard]] std::string_view output() const noexcept {
    return std::string_view(out_).substr(out_pos_);
  }
  void consume(std::size_t n) noexcept;
  // When output() is empty: file bytes to send next (a response's file_body), else null. The
  // transport sends from it and reports with consume_file(); output() may then hold more.
  [[nodiscard]] file_body* file_output() noexcept { return file_ ? &file_ : nullptr; }
  void consume_file(std::size_t n) noexcept;
  [[nodiscard]] bool wants_read() const noexcept;
  [[nodiscard]] bool done() const noexcept;  // close the connection now
  [[nodiscard]] phase current_phase() const noexcept;
  // Requests parsed so far: a change means a new head began, which restarts its timeout.
  [[nodiscard]] std::uint64_t parsed() const noexcept { return parsed_; }
  [[nodiscard]] std::size_t unanswered() const noexcept { return slots_.size(); }
  // The bytes this session holds in its own buffers: input, output, responses waiting for an
  // earlier one, and pooled requests.
  [[nodiscard]] std::size_t footprint() const noexcept;

 private:
  // Output queued after out_: `bytes`, then the bytes of `file`.
  struct queued {
    std::string bytes;
    file_body file;
  };
  struct slot {
    std::unique_ptr<request> req;  // the pending dynamic request, null once answered
    std::string bytes;
    std::string body;          // a large body, sent from where the handler put it (not copied)
    std::size_t expected = 0;  // its share of in_flight_expected_ while with the handler
    std::uint32_t entry = 0;   // its route_table entry (whose response size it teaches)
    bool ready = false;
    bool close = false;  // send Connection: close and end the connection after it
    bool keep_alive10 = false;
    bool streaming = false;  // a streamed response (response::part) has begun
    bool chunked = false;    // its parts go out as chunks (else as they are, or not at all)
    bool raw = false;        // its parts go out as they are (HTTP/1.0: the close ends it)
    bool waiting = false;    // its last part is queued, its resumption waits for room
    bool head_only = false;  // HEAD answered by a GET route: the head alone
    bool broken = false;     // a file part failed after its head: nothing more is sent
    bool files = false;      // has pieces in slot_files_ (after bytes and body)
    bool gone_told = false;  // handed back gone between two parts: its next part is not
  };
  // A file body (and what surrounds it) of a slot that is not first in line yet: rare, so
  // kept apart from the slots, which stay as small as they were.
  struct slot_file {
    std::uint64_t seq;  // the slot's request
    queued piece;
  };
  void process();
  void stream(slot& s, request& r, response&& resp);
  // session_file.cc: file bodies in the output order.
  bool take_file(slot& s, file_body& f, bool checked);
  void queue_file(slot& s, std::uint64_t seq, std::string& piece, file_body&& f,
                  std::string&& after);
  void keep_file(slot& s, std::uint64_t seq, queued&& q);
  void append_file(file_body&& f);
  void flush_files(slot& s);
  void drop_files() noexcept;
  void retire(slot& s);  // the handler is done with the slot's request: pool it
  void resume(request& r) {
    r.resumed_ = true;
    ready_.push_back(&r);
  }
  void wake_streams();
  bool tell_gone();
  bool process_one(std::string_view data);
  void answer(std::string_view data, const parser::request& req, std::string_view body,
              std::size_t total);
  void dispatch(const parser::request& req, std::string_view data, std::string_view body,
                std::string_view path, std::uint32_t entry, std::size_t total, bool close,
                bool ka10, bool head_only);
  void emit(std::string&& bytes, bool close);
  void emit_view(std::string_view bytes, bool close);
  void fail(parser::error_code e);
  void flush_slots();
  void report(const std::string& message) const;
  void overloaded();
  [[nodiscard]] bool over_budget(std::size_t more) const noexcept;
  [[nodiscard]] bool output_room() const noexcept {
    return unsent() + slot_bytes_ + in_flight_expected_ < svc_.cfg_.max_output;
  }
  bool reserve_input(std::size_t total);
  void release_input() noexcept;
  // Keeps service::memory_ within memory_step of footprint(): small moves touch nothing shared.
  void sync_memory() noexcept {
    const std::size_t now =
        in_cap_ + out_.capacity() + later_bytes_ + slot_bytes_ + in_flight_bytes_ + ws_bytes();
    if (now > accounted_ + memory_step || now + memory_step < accounted_) account(now);
  }
  void account(std::size_t now) noexcept;
  // Where new output goes: after everything already queued.
  std::string& out_back() noexcept { return later_.empty() ? out_ : later_.back().bytes; }
  void append_out(std::string_view bytes) {
    if (later_.empty()) {
      out_ += bytes;
    } else {
      later_.back().bytes += bytes;
      later_bytes_ += bytes.size();
    }
  }
  void append_large(std::string&& body);
  [[nodiscard]] std::size_t unsent() const noexcept {
    return out_.size() - out_pos_ + later_bytes_ + file_bytes_;
  }
  // A buffer of `bytes` was freed: large ones count towards giving memory back (take_released).
  void released(std::size_t bytes) noexcept {
    if (bytes >= large_buffer) svc_.released_.fetch_add(bytes, std::memory_order_relaxed);
  }
  request* acquire();
  [[nodiscard]] bool want_close(const parser::request& req) const noexcept;

  // Streamed request bodies (session_body.cc).
  bool stream_body(std::string_view data, const parser::request& req, std::size_t head);
  // The body limit of the route `req` goes to (only when some route has a limit of its own).
  std::uint64_t body_limit(const parser::request& req);
  // The request's path percent-decoded, as the router matches it (into scratch_ when it holds
  // an escape, so valid until the next call). Inline: the common path has no escape.
  std::string_view decoded_path(const parser::request& req) {
    const std::string_view path = req.path;
    // An authority-form target (CONNECT) has an empty path with a null data(): memchr must not
    // see it.
    if (path.empty() || std::memchr(path.data(), '%', path.size()) == nullptr) return path;
    return decode_into_scratch(path);
  }
  std::string_view decode_into_scratch(std::string_view path);
  bool feed_body();
  void deliver_piece(request& r);
  void body_failed(int status, std::string_view text);
  void body_answered(slot& s, request& r, response& resp);
  void send_continue(slot& s);
  slot* slot_of(request& r) noexcept;
  [[nodiscard]] bool body_window_full() const noexcept {
    return body_req_ != nullptr && body_req_->body_buf_.size() >= svc_.cfg_.body_window;
  }

  // WebSocket mode (websocket_session.cc): after a 101 the input goes to the codec.
  friend class ws::channel;
  struct ws_state;
  struct ws_holder {
    std::unique_ptr<ws_state> state;
    ws_holder() noexcept;
    ~ws_holder();
  };
  bool upgrade_websocket(const parser::request& req, std::string_view path, std::size_t total);
  void websocket_input();
  // The channel's queued frames to the output (io thread; `poke`: have the owner write them).
  void websocket_output(bool poke);
  // A deferred handshake's answer (complete()): true when it was the 101 and was taken.
  bool websocket_answer(slot& s, request& r, response& resp);
  void websocket_stop();   // drain(): Close 1001
  void websocket_timer();  // timeout() on a live WebSocket: ping, or close a silent one
  // answer(): a deferred handshake that reached no handler route is refused (its answer sent).
  void websocket_unrouted();
  [[nodiscard]] std::shared_ptr<ws::channel> websocket_channel() const;
  bool websocket_end(std::uint16_t code);  // reports on_closed once; true when it did
  [[nodiscard]] bool websocket_live() const noexcept;
  // Our Close is out and the peer's has not come: the wait is bounded by header_timeout.
  [[nodiscard]] bool websocket_awaiting_close() const noexcept;
  [[nodiscard]] std::size_t ws_bytes() const noexcept;  // the codec's buffers and zlib state

  const service& svc_;
  detail::responder& owner_;
  std::vector<request*>& ready_;
  const char* date_;
  const time_point* now_;
  std::unique_ptr<char[]> in_;
  std::size_t in_cap_ = 0, in_begin_ = 0, in_end_ = 0;
  std::size_t scanned_ = 0;     // bytes of the current head already seen incomplete
  bool head_has_line_ = false;  // the request line of the current head is complete
  // Chunked body in progress (offsets from in_begin_): decoded data is written in place after
  // the head, so the body stays contiguous with it.
  std::unique_ptr<parser::chunked_decoder> chunked_;
  std::vector<parser::header> trailers_;
  std::size_t chunk_raw_ = 0, chunk_out_ = 0;
  bool chunked_active_ = false;
  bool continue_sent_ = false;
  std::deque<slot> slots_;
  std::uint64_t base_seq_ = 0;  // seq of slots_.front()
  std::string out_;
  std::size_t out_pos_ = 0;
  // After out_ the bytes of file_, then later_ in order: large bodies as they came from the
  // handler, file bodies, and what was appended after one. out_ is never empty while this
  // holds bytes, unless file_ is being sent.
  file_body file_;
  std::deque<queued> later_;
  std::size_t later_bytes_ = 0;
  std::size_t file_bytes_ = 0;         // unsent file bytes (not held in memory; in unsent())
  std::vector<slot_file> slot_files_;  // in order; a slot's pieces have its request's seq
  std::string scratch_;                // percent-decoded path
  std::vector<parser::header> headers_;
  router::match_result match_;
  std::vector<std::unique_ptr<request>> pool_;
  std::size_t slot_bytes_ = 0;          // rendered responses waiting in slots_
  std::size_t in_flight_bytes_ = 0;     // the storage of requests with the handler
  std::size_t in_flight_expected_ = 0;  // their responses' expected sizes (output_room())
  std::size_t accounted_ = 0;           // what service::memory_ holds for us
  std::uint64_t parsed_ = 0;
  bool in_body_ = false;  // the current request's head is complete, its body is not
  bool closing_ = false, eof_ = false, draining_ = false;
  bool gone_ = false, woken_ = false;
  std::size_t streams_waiting_ = 0;  // slots with `waiting` set
  // The streamed body being read: its request (null once answered: the rest is dropped), what
  // a Content-Length body still owes, and whether the client waits for 100 Continue.
  request* body_req_ = nullptr;
  std::uint64_t body_left_ = 0;
  std::uint64_t chunk_limit_ = 0;  // the route's limit of the chunked body being read
  bool body_active_ = false, body_chunked_ = false, body_continue_ = false;
  bool streamed_next_ = false;        // answer(): the request being dispatched streams its body
  std::string_view body_error_text_;  // static text: the answer to a failed streamed body
  // One access-log line (config::access_log) for an answer whose head goes out now; `bytes`
  // -1 when its length is not known yet (a stream).
  void log_access(std::string_view method, std::string_view path, std::string_view query,
                  int version_minor, std::span<const parser::header> headers, int status,
                  std::int64_t bytes);
  void log_access(const request& r, int status, std::int64_t bytes) {
    log_access(r.method_, r.raw_path_, r.query_, r.version_minor_, r.headers_, status, bytes);
  }
  void log_access(const parser::request& req, int status, std::int64_t bytes) {
    log_access(req.method, req.path.empty() ? req.target : req.path, req.query, req.version_minor,
               req.headers, status, bytes);
  }
  net_address peer_, local_;
  bool addresses_known_ = false;
  ws_holder ws_;
};

}  // namespace lapwise::server

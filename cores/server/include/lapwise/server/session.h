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
//   unanswered or 1 MiB of output is unwritten; complete() and consume() resume it.
// - The first error, a "Connection: close" request, end_of_input(), or a timeout ends the
//   connection: nothing after it is parsed; done() becomes true once every earlier response is
//   out. A partial request at end of input is dropped (no response: the client is gone).
// - A head is re-parsed only when new bytes hold a line end (or limits are crossed), so a
//   client trickling bytes costs linear work; timeouts are the owner's (see phase()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lapwise/server/server.h"

namespace lapwise::server {

namespace detail {
// Where a request's completion goes (the connection). Called once per request.
class responder {
 public:
  virtual void complete(request& r, response&& resp) noexcept = 0;

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

 private:
  friend class session;
  struct rendered {  // one per const route; three variants by Connection header
    std::string bytes[3];
    std::size_t date_at[3];
  };
  config cfg_;
  route_table routes_;
  std::vector<rendered> rendered_;  // by route_table entry index
};

class session {
 public:
  enum class phase : std::uint8_t {
    idle,       // nothing buffered, nothing unanswered: the idle timeout applies
    receiving,  // part of a request is buffered: the header timeout applies
    waiting,    // a handler holds a request: no timeout
  };

  // `date` points at detail::date_length bytes the owner keeps current. `owner` receives
  // request::respond() calls; `ready` receives dynamic requests.
  session(const service& svc, detail::responder& owner, std::vector<request*>& ready,
          const char* date);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  [[nodiscard]] std::span<char> read_space();  // free space at the end of the input buffer
  void commit(std::size_t n);                  // n bytes were read into read_space()
  void receive(std::string_view bytes);        // copies all of it (tests), then commit()
  void end_of_input() noexcept;                // the peer will send nothing more
  void complete(request& r, response&& resp);  // the owner's side of request::respond()
  void timeout();  // the owner's deadline passed: 408 while receiving, else close
  void drain();    // graceful stop: answer what is buffered, then close

  [[nodiscard]] std::string_view output() const noexcept {
    return std::string_view(out_).substr(out_pos_);
  }
  void consume(std::size_t n) noexcept;
  [[nodiscard]] bool wants_read() const noexcept;
  [[nodiscard]] bool done() const noexcept;  // close the connection now
  [[nodiscard]] phase current_phase() const noexcept;
  [[nodiscard]] std::size_t unanswered() const noexcept { return slots_.size(); }

 private:
  struct slot {
    std::unique_ptr<request> req;  // the pending dynamic request, null once answered
    std::string bytes;
    bool ready = false;
    bool close = false;  // send Connection: close and end the connection after it
    bool keep_alive10 = false;
  };
  void process();
  bool process_one(std::string_view data);
  void answer(std::string_view data, const parser::request& req, std::string_view body,
              std::size_t total);
  void dispatch(const parser::request& req, std::string_view data, std::string_view body,
                std::string_view path, std::uint32_t route, std::size_t total, bool close,
                bool ka10);
  void emit(std::string&& bytes, bool close);
  void emit_view(std::string_view bytes, bool close);
  void fail(parser::error_code e);
  void flush_slots();
  void report(const std::string& message) const;
  request* acquire();
  [[nodiscard]] bool want_close(const parser::request& req) const noexcept;

  const service& svc_;
  detail::responder& owner_;
  std::vector<request*>& ready_;
  const char* date_;
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
  std::string scratch_;  // percent-decoded path
  std::vector<parser::header> headers_;
  router::match_result match_;
  std::vector<std::unique_ptr<request>> pool_;
  bool closing_ = false, eof_ = false, draining_ = false;
};

}  // namespace lapwise::server

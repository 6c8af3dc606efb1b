// lapwise::server — an HTTP/1.1 server (epoll or Asio: io_mode.h), pre-rendered + handler routes.
//
// Contract:
// - One event loop per thread. The port is this server's alone unless config::reuse_port: then
//   every thread binds its own SO_REUSEPORT listener (the kernel spreads connections, and other
//   processes that also ask for reuse_port share the port); otherwise one listener is bound
//   without SO_REUSEPORT (a port in use fails "address already in use") and every thread
//   accepts from it. HTTP/1.1 as
//   in session.h (keep-alive, pipelining in order, chunked bodies, 100-continue, limits -> the
//   parser's status and a close). Server, Date (once a second), Content-Length.
// - Request bodies are read whole before the handler sees the request, unless
//   config::stream_body_over makes large (or chunked, or 100-continue) ones stream: then the
//   head comes first and the body in pieces the handler asks for (request::read_body()).
// - Const routes are answered on the io thread from pre-rendered bytes. Dynamic routes reach
//   handler::handle() in BATCHES: all the dynamic requests one io thread got ready in one
//   event-loop turn, across its connections, in one call.
// - header_timeout (first byte of a request -> all of it) gives 408 and a close (slowloris);
//   idle_timeout closes idle keep-alive connections. Over max_connections, a new client gets
//   503 with Retry-After and a close at once. Memory: see session.h and config::max_memory.
// - stop() (any thread, idempotent): takes what the backlog holds, stops accepting, answers
//   every request already received (also those a handler holds), closes idle connections.
//   After shutdown_timeout every socket closes regardless and the io threads end, so wait()
//   returns even when a handler never completes a request; such requests are abandoned:
//   completing one later (before the server is destroyed) sends nothing. No exception
//   escapes the io threads.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lapwise/parser/http.h"
#include "lapwise/router/radix_router.h"
#include "lapwise/server/file_body.h"
#include "lapwise/server/io_mode.h"

namespace lapwise::server {

namespace ws {
class app;      // websocket_app.h
class channel;  // websocket_app.h
}  // namespace ws

struct config {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: a free port, see server::port()
  unsigned threads = 1;
  // Share the port with other sockets that set SO_REUSEPORT (other processes of the same
  // user): false makes a port in use an error instead of silently splitting its traffic.
  bool reuse_port = false;
  std::string server_name = "lapwise";
  // One line per answered request in the Combined Log Format (src/access_log.h): "-" for
  // standard error, a path for a file appended to (opened by server's constructor, which throws
  // std::system_error naming a path it cannot open). Empty: no log, and no cost.
  std::string access_log;
  // Timeouts as nginx has them, each restarted by progress (server.md: timeouts):
  std::chrono::milliseconds header_timeout{10000};  // a head's first byte -> its end
  std::chrono::milliseconds body_timeout{10000};    // between two reads of a body
  std::chrono::milliseconds idle_timeout{60000};    // keep-alive wait for the next request
  std::chrono::milliseconds send_timeout{60000};    // between two writes the client accepts
  std::chrono::milliseconds shutdown_timeout{10000};
  std::size_t max_connections = 10000;
  std::size_t max_pipelined = 64;    // unanswered requests per connection before reading pauses
  std::size_t max_output = 1 << 20;  // unsent response bytes per connection before parsing pauses
  // Bytes buffered by all connections together (session::footprint()); past it, a request that
  // needs more gets 503 with Retry-After and its connection closes. 0: no cap.
  std::size_t max_memory = std::size_t{1} << 30;
  parser::limits limits{};          // request line, headers, body (max_body -> 413)
  io_mode io = io_mode::automatic;  // the transport, see io_mode.h
  // A request a handler holds when its connection closes comes back to handle(), resumed()
  // and gone() (request), at once (the transport watches a connection it does not read while
  // such a request is held). Always for a streamed response; for the others only when set,
  // so that a handler that does not look at resumed() never sees a request twice.
  bool tell_gone = false;
  // Told (on an io thread) what the server answered 500 for instead of sending it: an invalid
  // handler response. Empty: one line on stderr.
  std::function<void(std::string_view message)> report;
  // Where WebSocket upgrades go (websocket_app.h); null: such requests are plain HTTP.
  ws::app* websocket = nullptr;
  // A WebSocket's own timers (websocket_app.h: keep-alive), never the HTTP idle_timeout. After
  // websocket_ping_interval without a byte from the peer a Ping goes out (0: never); a peer
  // that then sends nothing (no Pong, no frame) for websocket_ping_timeout (0: no limit) is
  // closed with Close 1011. No message either way for websocket_idle_timeout (0: no limit)
  // closes with Close 1001. After our Close the peer has header_timeout to answer with its own.
  std::chrono::milliseconds websocket_ping_interval{20000};
  std::chrono::milliseconds websocket_ping_timeout{20000};
  std::chrono::milliseconds websocket_idle_timeout{0};
  // Streamed request bodies (request::body_streamed()): a handler route's request is handed
  // over at the end of its head, and its body in pieces as it arrives, when the body is not
  // wholly buffered yet and it is chunked, or asks for 100-continue, or its Content-Length is
  // over this many bytes. Every other body is read whole first (one hand-off). The default
  // never streams; the ASGI and WSGI hosts set it (64 KiB) so uploads stay bounded.
  std::size_t stream_body_over = never_stream;
  // Decoded bytes of a streamed body that may wait for the handler before reading pauses.
  std::size_t body_window = 64 << 10;
  static constexpr std::size_t never_stream = ~std::size_t{0};
  // No io thread: the caller's own event loop runs the server's one epoll loop through
  // server::poll() (see there). Needs the epoll transport and threads == 1.
  bool external_loop = false;
};

// A socket address as numeric text ("127.0.0.1", "::1") and a port; empty host: unknown.
struct net_address {
  std::string host;
  std::uint16_t port = 0;
};

// A handler's response; the server adds Server, Date, Content-Length and Connection itself.
//
// Streamed (`part` other than whole): `head` sends status, content type and headers with
// Transfer-Encoding: chunked (HTTP/1.0: no length, the connection closes after it) and
// `body` as the first chunk; each `chunk` sends its body as one more chunk; `end` sends its
// body, then the last chunk, and completes the request. Only `head` reads status, type and
// headers. After head and after each chunk the request comes back to handler::handle() with
// request::resumed() true once that part is queued and the connection's unsent output is
// below config::max_output: the producer sends the next part then (so a connection holds at
// most max_output plus one part). An empty body is sent as nothing (never as the last chunk).
//
// `file` (file_body.h), when set, follows `body`: a whole response's Content-Length counts
// both, a streamed part is one chunk of both. Its bytes are sent from the file (sendfile), and
// count towards max_output while unsent but are never held in memory.
//
// `head_length` is for a whole answer to HEAD that only declares how long the body would be
// (an ASGI or WSGI app that sends a Content-Length and no body): those bytes count towards
// Content-Length after `body` and `file`; answers to any other method ignore it.
struct response {
  enum class part : std::uint8_t { whole, head, chunk, end };
  int status = 200;
  std::string content_type;  // empty: no Content-Type header
  std::string headers;       // extra "Name: value\r\n" lines (validate_response())
  std::string body;
  part kind = part::whole;
  file_body file{};
  std::uint64_t head_length = 0;
};

// What the server sends only when it holds: content_type a field-value; every `headers` line
// "name: value" + CRLF with a token name and a field-value value (no CR, LF, NUL or other
// control byte: no response splitting); none of Content-Length, Transfer-Encoding,
// Connection, Date, Server (the server's own) or Content-Type (content_type's). Returns the
// error message, or nullopt. A handler's response that fails it becomes a 500 (and a report,
// config::report); route_table::add_const() refuses it.
[[nodiscard]] std::optional<std::string> validate_response(const response& r);
// One header line's worth of the same rule (bindings that build `headers` check each pair).
[[nodiscard]] std::optional<std::string> validate_header(std::string_view name,
                                                         std::string_view value);

namespace detail {
class responder;
struct server_state;
}  // namespace detail

// A dynamic request handed to the handler: every view stays valid until respond() is called.
class request {
 public:
  [[nodiscard]] std::string_view method() const noexcept { return method_; }
  [[nodiscard]] std::string_view path() const noexcept { return path_; }    // percent-decoded
  [[nodiscard]] std::string_view query() const noexcept { return query_; }  // raw, without '?'
  // The path as sent (not percent-decoded; "/" for an absolute-form target without one).
  [[nodiscard]] std::string_view raw_path() const noexcept { return raw_path_; }
  [[nodiscard]] int version_minor() const noexcept { return version_minor_; }  // HTTP/1.x
  [[nodiscard]] std::span<const parser::header> headers() const noexcept { return headers_; }
  [[nodiscard]] std::string_view body() const noexcept { return body_; }
  [[nodiscard]] std::uint32_t route() const noexcept { return route_; }  // the add_dynamic id
  [[nodiscard]] std::span<const router::param> params() const noexcept {
    return {params_.data(), param_count_};
  }
  // Completes the request, exactly once, from any thread. After it, the views are invalid.
  // A streamed response (response::part) calls it once per part; the request (and its views)
  // stays valid until the `end` part.
  void respond(response r) noexcept;
  // Back in a batch because its streamed part was taken (see response), not a new request.
  [[nodiscard]] bool resumed() const noexcept { return resumed_; }
  // Its client went away (the connection closed, or it half-closed) while the handler held it:
  // whatever is sent after a close is dropped, but the request must still be completed (a
  // whole response or `end`). A held request is handed back once, resumed() true, when this
  // happens: a streamed one always and at once, also between two parts (that resumption stands
  // for its next part's), a whole one when config::tell_gone.
  [[nodiscard]] bool gone() const noexcept { return gone_; }
  // The connection's peer and local address (request::client() / server()).
  [[nodiscard]] const net_address& client() const noexcept;
  [[nodiscard]] const net_address& server() const noexcept;

  // Streamed bodies (config::stream_body_over). When body_streamed(), body() is empty at
  // dispatch; read_body() (any thread, once per piece) asks for the next piece, and the request
  // comes back to handle(), resumed(), with body() the piece (valid until the next read_body()
  // or respond()) and take_piece() true once for that resumption. The first read_body() sends
  // `100 Continue` when the client asked for it (never when the handler answers without
  // reading: then the connection closes after the answer, or the rest of the body is read and
  // dropped when the client sends it anyway). body_end(): the piece is the body's last
  // (possibly empty). body_error() non-zero: the body cannot be read (413 a chunked body over
  // max_body, 400 malformed or cut by the client, 408 too slow); the piece is empty and the
  // client gets that status, if the handler's response has not begun, whatever the handler
  // answers; the connection closes. At most config::body_window bytes wait for the handler:
  // the connection is not read while they do (back-pressure). A body answered before it is
  // read whole is drained (or the connection closed) by the session, not the handler.
  [[nodiscard]] bool body_streamed() const noexcept { return body_streamed_; }
  void read_body() noexcept;
  [[nodiscard]] bool body_end() const noexcept { return body_end_; }
  [[nodiscard]] int body_error() const noexcept { return body_error_; }
  // True once after a piece was delivered (this resumption carries it), then false: tells a
  // piece from a streamed part's resumption when both come in one batch.
  [[nodiscard]] bool take_piece() noexcept {
    const bool p = body_piece_ready_;
    body_piece_ready_ = false;
    return p;
  }

  // The handler's own pointer for this request (null when dispatched), e.g. what resumed()
  // requests map back to. Read and written only by the handler, on its own terms.
  void set_context(void* p) noexcept { context_ = p; }
  [[nodiscard]] void* context() const noexcept { return context_; }
  // A WebSocket handshake deferred to the handler (websocket_app.h): the connection's channel;
  // answering 101 accepts it, any other answer refuses it. Null for other requests.
  [[nodiscard]] const std::shared_ptr<ws::channel>& websocket() const noexcept {
    return websocket_;
  }

 private:
  friend class session;
  std::string storage_;  // the head (+ body, + decoded path) bytes the views point into
  std::vector<parser::header> header_store_;
  std::string_view method_, path_, raw_path_, query_, body_;
  std::span<const parser::header> headers_;
  std::array<router::param, router::max_params> params_{};
  std::size_t param_count_ = 0;
  std::uint32_t route_ = 0;
  int version_minor_ = 1;
  bool resumed_ = false, gone_ = false;
  bool streaming_ = false;  // a head part was taken
  // A streamed body (session_body.cc): pieces decoded but not yet handed over, the piece the
  // handler reads (body_ views it), and where it stands.
  std::string body_buf_, body_piece_;
  bool body_streamed_ = false, body_asked_ = false, body_received_ = false, body_end_ = false;
  bool body_piece_ready_ = false;
  int body_error_ = 0;
  const net_address* client_ = nullptr;
  const net_address* server_ = nullptr;
  void* context_ = nullptr;
  std::shared_ptr<ws::channel> websocket_;
  std::uint64_t seq_ = 0;  // position in its connection's response order
  detail::responder* owner_ = nullptr;
};

// While one is alive on a thread, the requests that thread completes for other threads (an
// answer from a handler pool or an event loop) wake each io thread once, when the outermost
// one ends, instead of once per answer: a loop answering a batch of requests costs the io
// thread one wake-up (both transports: the epoll loop's eventfd, one asio::post for Asio).
// Nested guards are allowed; complete nothing after the server stopped.
class answer_batch {
 public:
  answer_batch() noexcept;
  ~answer_batch();
  answer_batch(const answer_batch&) = delete;
  answer_batch& operator=(const answer_batch&) = delete;
};

// Receives batches of dynamic requests on an io thread. Must complete every request exactly
// once (now or later, from any thread, but not after the server is destroyed); a request not
// completed keeps its connection open until stop()'s shutdown_timeout.
class handler {
 public:
  virtual ~handler() = default;
  virtual void handle(std::span<request* const> batch) noexcept = 0;
  virtual void thread_started() noexcept {}   // on each io thread, before anything else
  virtual void thread_stopping() noexcept {}  // on each io thread, after the last batch
};

// The route table, filled before the server starts. Patterns use the router's syntax.
class route_table {
 public:
  route_table();
  ~route_table();
  route_table(route_table&&) noexcept;
  route_table& operator=(route_table&&) noexcept;
  // A pre-rendered route: `r` is sent as is (plus the server's own headers) for every match.
  // Returns an error message (the router's, naming both routes on a conflict) or nullopt.
  std::optional<std::string> add_const(std::string_view method, std::string_view pattern,
                                       response r);
  // A handler route: matching requests reach handler::handle() with request::route() == id.
  // `max_body` (bytes): this route's body limit instead of config::limits.max_body, larger or
  // smaller (a Content-Length or a chunked body over it is 413 before the handler runs).
  static constexpr std::uint64_t server_body_limit = ~std::uint64_t{0};
  std::optional<std::string> add_dynamic(std::string_view method, std::string_view pattern,
                                         std::uint32_t id,
                                         std::uint64_t max_body = server_body_limit);
  // Requests no route matches (404) or matches under other methods only (405) go to handler
  // route `id` instead of the core's plain 404/405, so that an application can answer them
  // itself (its error pages); such a request has no params. Matched requests pay nothing.
  void set_unmatched(std::uint32_t id);
  static constexpr std::uint32_t no_entry = 0xffffffffU;
  // The entries() index of the set_unmatched route, or no_entry.
  [[nodiscard]] std::uint32_t unmatched() const noexcept { return unmatched_; }

  struct entry {
    bool is_const;
    std::uint32_t id;
    response fixed;
    std::uint64_t max_body = server_body_limit;  // server_body_limit: config::limits.max_body
  };
  // Whether some route has a body limit of its own, and the largest such limit.
  [[nodiscard]] bool has_body_limits() const noexcept { return largest_body_ != 0; }
  [[nodiscard]] std::uint64_t largest_body_limit() const noexcept { return largest_body_; }
  [[nodiscard]] const router::radix_router& router() const noexcept { return router_; }
  [[nodiscard]] const std::vector<entry>& entries() const noexcept { return entries_; }

 private:
  std::optional<std::string> add(std::string_view method, std::string_view pattern, entry e);
  router::radix_router router_;
  std::vector<entry> entries_;
  std::uint32_t unmatched_ = no_entry;
  std::uint64_t largest_body_ = 0;
};

class server {
 public:
  // `h` must outlive the server; it may be null when every route is const.
  server(config cfg, route_table routes, handler* h);
  ~server();  // stop() and join
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds, listens and starts the io threads. Returns an error message, or nullopt.
  [[nodiscard]] std::optional<std::string> start();
  [[nodiscard]] std::uint16_t port() const noexcept;  // the bound port once started
  [[nodiscard]] io_mode io() const noexcept;  // the transport in use once started (asio/epoll)
  void stop() noexcept;                       // graceful, see the contract above
  // Waits for (and joins) the io threads; false if `timeout` (< 0: none) passed first.
  bool wait(std::chrono::milliseconds timeout = std::chrono::milliseconds(-1)) noexcept;

  // config::external_loop: the thread that calls poll() is the io thread. Its event loop calls
  // poll() whenever poll_fd() is readable and once the delay poll() returned has passed.
  // poll() never blocks: it runs what is ready (accepts, reads, writes, the deadline sweep,
  // posted completions) and hands the ready requests to handler::handle() on this thread.
  // Requests this thread completes are written at the end of the outermost answer_batch
  // alive on it (also when handle() completes them, inside poll()); completed outside of
  // one, or from another thread, they are written by the next poll() (poll_fd() becomes
  // readable). Returns the milliseconds until poll() must run again with nothing readable,
  // or -1 once the server has stopped (wait() then returns). handler::thread_started() and
  // thread_stopping() are not called. poll_last(): the driver stops polling: the server
  // stops at once on this thread (every socket closes; requests still held are abandoned).
  // The destructor does it when the server did not stop. Without external_loop, poll_fd() is
  // -1 and poll() returns -1.
  [[nodiscard]] int poll_fd() const noexcept;
  int poll() noexcept;
  void poll_last() noexcept;

 private:
  std::unique_ptr<detail::server_state> state_;
};

}  // namespace lapwise::server

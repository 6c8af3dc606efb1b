// lapwise::server::ws::app — how a server hands upgraded connections to an application
// (config::websocket), and ws::channel, the application's handle on one connection. The codec
// is websocket.h; the frames are written by websocket_sender.h.
//
// Contract:
// - A request with "Connection: upgrade" and "Upgrade: websocket", arriving when every
//   earlier request on its connection is answered, is offered to upgrade(path). An answer of
//   nullopt leaves it to the routes (as HTTP); otherwise accept_handshake() decides, and a
//   refusal is sent with Connection: close.
// - Accepted at once (handshake_options::deferred false): the 101 goes out and the connection
//   belongs to the codec. Deferred: the request goes on to its route like any request, with
//   request::websocket() holding the channel; the handler accepts by answering status 101
//   (`body` the subprotocol, empty for none, which must be one the client offered; `headers`
//   extra lines for the 101), and anything else refuses: that answer is sent and the
//   connection closes. Nothing after the upgrade request is read as HTTP.
// - After the 101 every message, the peer's close and a protocol error reach on_event() on the
//   io thread that owns the connection, in order. Pings are answered and the close handshake
//   is completed by the server.
// - The channel is shared (std::shared_ptr) and thread-safe: the application sends on it
//   from any thread at any time, during on_event() or later. Frames leave in the order their
//   send() calls returned. Sends before the 101 wait for it.
// - Back-pressure: send() queues while the connection's unsent bytes (queued frames plus what
//   the socket has not taken) are below config::max_output; the call that reaches the bound
//   returns `wait`, a send while over it returns `full` (nothing queued), and on_writable()
//   says once when the bytes are below the bound again. Control frames (close, ping, pong) are
//   always queued. Reading pauses while the unsent bytes reach max_output.
// - on_closed(channel, code) comes exactly once for every channel, on an io thread: the close
//   handshake completed (the peer's code, 1005 without one), a protocol error (the code we
//   sent: 1002, 1007, 1009), or the connection ended without a handshake (1006: the peer
//   vanished, a timeout, a forced stop); for a deferred handshake refused or never answered,
//   1006 too. After it, sends return `closed`.
// - Stop: server::stop() sends Close 1001 on every open WebSocket and waits for the peer's
//   Close (bounded by config::shutdown_timeout). Once our Close is out, the peer has
//   header_timeout to send its own (then the connection closes: 1006).
// - Keep-alive, never the HTTP idle_timeout (config::websocket_*): after
//   websocket_ping_interval [20 s] without a byte from the peer the server sends a Ping (empty
//   payload); a peer that sends nothing (no Pong, no frame) for websocket_ping_timeout [20 s]
//   after it gets Close 1011 "keepalive ping timeout". With websocket_idle_timeout [none], no
//   text or binary message either way for that long gets Close 1001 "idle timeout". Pongs
//   the application receives are not events; its own ping() does not restart the timers.
// - turn_end() runs on an io thread at the end of every loop turn (the application may then
//   hand what it collected from on_event/on_writable/on_closed to its owner in one batch).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "lapwise/server/websocket.h"
#include "lapwise/server/websocket_handshake.h"
#include "lapwise/server/websocket_sender.h"

namespace lapwise::server {
class session;
namespace detail {
class responder;
}  // namespace detail
}  // namespace lapwise::server

namespace lapwise::server::ws {

enum class send_result : std::uint8_t {
  ok,      // queued; there is room for more
  wait,    // queued, and the bound is reached: send more after on_writable()
  full,    // not queued: over the bound (wait for on_writable())
  closed,  // not queued: our Close is out, or the connection ended
};

class channel : public std::enable_shared_from_this<channel> {
 public:
  channel(std::string path, std::optional<deflate_params> pmd, std::size_t bound);
  ~channel();
  channel(const channel&) = delete;
  channel& operator=(const channel&) = delete;

  // A text (valid UTF-8: the caller's duty) or binary message, one frame.
  send_result send(bool text, std::string_view payload);
  send_result ping(std::string_view data = {});
  // Starts the close handshake (or answers the peer's); false once our Close is out already.
  bool close(std::uint16_t code = 1000, std::string_view reason = {});

  [[nodiscard]] std::string_view path() const noexcept { return path_; }
  // Chosen at the 101; read it after the accept.
  [[nodiscard]] const std::string& subprotocol() const noexcept { return subprotocol_; }
  [[nodiscard]] bool ended() const;  // on_closed() was reported
  // The application's pointer. attach() sets it unless the channel has ended (then false):
  // whoever attaches learns of the end through on_closed().
  bool attach(void* context);
  [[nodiscard]] void* context() const noexcept { return context_.load(std::memory_order_acquire); }
  // Clears the pointer (once the application let the end go by) and returns it.
  void* take_context() noexcept { return context_.exchange(nullptr, std::memory_order_acq_rel); }

 private:
  friend class lapwise::server::session;
  // Under mu_: wakes the io thread for what was queued (unless a flush is due anyway).
  void post_flush_locked();
  send_result queue_locked(bool text, std::string_view payload);

  mutable std::recursive_mutex mu_;  // a sans-I/O owner may flush inside send()
  sender tx_;
  std::string outbox_;           // frames written, not yet handed to the session
  std::size_t unsent_ = 0;       // the session's unsent bytes, as last reported
  std::size_t bound_;            // config::max_output
  bool close_sent_ = false;      // our Close is queued
  bool ended_ = false;           // reported closed
  bool flush_due_ = false;       // the io thread takes outbox_ soon (posted, or it is running)
  bool want_room_ = false;       // a sender was told wait/full: on_writable() when below
  bool message_queued_ = false;  // a message since the last flush (the idle timer's stamp)
  lapwise::server::detail::responder* link_ =
      nullptr;               // the connection, while open: where flushes go
  session* sess_ = nullptr;  // io thread only: the session, while it holds us
  std::string path_, subprotocol_;
  std::atomic<void*> context_{nullptr};
};

class app {
 public:
  virtual ~app() = default;
  // The handshake options for `path`, or nullopt to serve the request as plain HTTP.
  virtual std::optional<handshake_options> upgrade(std::string_view path) = 0;
  // A text or binary message, the peer's close (code, reason) or an error (the code sent).
  // Views valid during the call.
  virtual void on_event(channel& ch, const event& ev) noexcept = 0;
  virtual void on_writable(channel& ch) noexcept { (void)ch; }
  virtual void on_closed(channel& ch, std::uint16_t code) noexcept {
    (void)ch;
    (void)code;
  }
  virtual void turn_end() noexcept {}
  limits lim;  // frame and message bounds for every connection
  // After a protocol error the server stops reading and sends its Close (the error's code)
  // at once; with this set it waits for the application's close() instead (bounded by
  // header_timeout), so that replies to the messages before the error go out first.
  bool app_closes_on_error = false;
};

}  // namespace lapwise::server::ws

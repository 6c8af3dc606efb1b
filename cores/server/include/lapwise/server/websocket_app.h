// lapwise::server::ws::app — how a server hands upgraded connections to an application
// (config::websocket). The codec is websocket.h; the protocol duties are endpoint's.
//
// Contract:
// - A request with "Connection: upgrade" and "Upgrade: websocket", arriving when every
//   earlier request on its connection is answered, is offered to upgrade(path). An answer of
//   nullopt leaves it to the routes (as HTTP); otherwise accept_handshake() decides, and a
//   refusal is sent with Connection: close.
// - After the 101 the connection belongs to the codec: every message, the peer's close and a
//   protocol error reach on_event() on the io thread that owns the connection, in order.
//   on_event() replies through the channel, only during the call (no other thread, no later
//   time in this version). Pings are answered and the close handshake is completed for it.
// - Back-pressure: reading pauses while the connection's unsent bytes reach
//   config::max_output. The idle timeout applies between reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "lapwise/server/websocket.h"
#include "lapwise/server/websocket_handshake.h"

namespace lapwise::server::ws {

class channel {
 public:
  virtual bool send(bool text, std::string_view payload) = 0;  // false once closed
  virtual void close(std::uint16_t code, std::string_view reason = {}) = 0;
  [[nodiscard]] virtual std::string_view path() const noexcept = 0;
  [[nodiscard]] virtual std::string_view subprotocol() const noexcept = 0;

 protected:
  ~channel() = default;
};

class app {
 public:
  virtual ~app() = default;
  // The handshake options for `path`, or nullopt to serve the request as plain HTTP.
  virtual std::optional<handshake_options> upgrade(std::string_view path) = 0;
  // A text or binary message, the peer's close (code, reason) or an error (the code sent).
  virtual void on_event(channel& ch, const event& ev) noexcept = 0;
  limits lim;  // frame and message bounds for every connection
};

}  // namespace lapwise::server::ws

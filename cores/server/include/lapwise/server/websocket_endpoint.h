// lapwise::server::ws::endpoint — one upgraded connection's protocol duties on top of the
// codec (websocket.h): what a transport drives once the 101 has gone out.
//
// Contract:
// - receive(bytes, out) reads like receiver::receive and hands the application only
//   messages, the peer's close and errors; what the protocol itself owes is appended to
//   `out`: a pong for every ping (same data), the Close echoing the peer's code, or on an
//   error a Close with the error's code (1002, 1007, 1009).
// - send() and close() append frames to `out`; nothing is sent after our Close.
// - done() is true once our Close is written and the peer's Close was read (or the peer
//   broke the protocol): the transport then flushes `out` and closes the TCP connection
//   (the server closes first, RFC 6455 7.1.1). A transport that stops waiting for the
//   peer's Close (a timeout of its own) simply closes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lapwise/server/websocket.h"
#include "lapwise/server/websocket_sender.h"

namespace lapwise::server::ws {

class endpoint {
 public:
  explicit endpoint(limits lim = {}, std::optional<deflate_params> pmd = std::nullopt);

  // Events for the application: text, binary, close (code and reason) or error; pings and
  // pongs are answered or dropped here. Views valid until the next call.
  receive_result receive(std::string_view bytes, std::string& out);
  // A message; false (nothing written) once our Close is out.
  bool send(std::string& out, bool text, std::string_view payload);
  bool ping(std::string& out, std::string_view data);
  // Starts the close handshake (or answers the peer's); once only.
  void close(std::string& out, std::uint16_t code, std::string_view reason = {});

  [[nodiscard]] bool close_sent() const noexcept { return close_sent_; }
  [[nodiscard]] bool done() const noexcept { return close_sent_ && rx_.finished(); }
  [[nodiscard]] std::size_t footprint() const noexcept { return rx_.footprint() + tx_.footprint(); }

 private:
  receiver rx_;
  sender tx_;
  bool close_sent_ = false;
};

}  // namespace lapwise::server::ws

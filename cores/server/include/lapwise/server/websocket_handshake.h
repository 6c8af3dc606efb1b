// lapwise::server::ws — the RFC 6455 opening handshake: checks an upgrade request and writes
// the 101 answer (or the refusal), negotiating a subprotocol and permessage-deflate (RFC 7692).
//
// Contract:
// - accept_handshake() accepts only: GET, HTTP/1.1 or later, a Host header, an Upgrade list
//   holding the token "websocket", a Connection list holding "upgrade" (both
//   case-insensitive), exactly one Sec-WebSocket-Key that is base64 of 16 bytes, and exactly
//   one Sec-WebSocket-Version equal to 13. Otherwise it refuses with 400 (426 and
//   "Sec-WebSocket-Version: 13" for another version) and says why.
// - Subprotocol: `select_subprotocol` sees the client's offers in order and returns the one
//   to use or empty (no Sec-WebSocket-Protocol in the answer). Its answer must be one of the
//   offers; anything else is ignored.
// - permessage-deflate: the first of the client's offers that is well formed (known
//   parameters, each at most once, window bits 8..15) and that this server can honour is
//   accepted; others are declined silently, as are unknown extensions. server_max_window_bits
//   of 8 is declined (zlib writes no raw stream with a 256-byte window). The answer sets
//   *_no_context_takeover and window bits from the offer and from `deflate` (the server's own
//   wishes: it may always drop its window or its context, never raise them).
// - The result's `response` is the complete head to write (the 101, or the refusal with
//   Content-Length and Connection: close); after a 101 the connection speaks frames
//   (websocket.h) with the negotiated parameters.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "lapwise/parser/http.h"
#include "lapwise/server/websocket.h"

namespace lapwise::server::ws {

struct upgrade_request {
  std::string_view method;
  int version_minor = 1;  // HTTP/1.x
  std::span<const parser::header> headers;
};

struct handshake_options {
  std::function<std::string_view(std::span<const std::string_view> offered)> select_subprotocol;
  bool permessage_deflate = true;  // accept an acceptable offer
  deflate_params deflate;          // the server's limits on what it accepts
  // The request goes on to its route and the handler accepts (101) or refuses later
  // (websocket_app.h); select_subprotocol is not asked then.
  bool deferred = false;
};

struct handshake {
  bool accepted = false;
  int status = 400;      // 101 when accepted
  std::string error;     // why it was refused
  std::string response;  // the head (and for a refusal the body) to write
  std::string subprotocol;
  std::optional<deflate_params> deflate;  // negotiated permessage-deflate, if any
};

// True when the request asks for a WebSocket (an Upgrade list holding "websocket"): the
// request then goes to accept_handshake() rather than to an HTTP route.
[[nodiscard]] bool wants_websocket(std::span<const parser::header> headers) noexcept;

[[nodiscard]] handshake accept_handshake(const upgrade_request& req,
                                         const handshake_options& opts = {});

// Whether `protocol` is a token the request offered in Sec-WebSocket-Protocol.
[[nodiscard]] bool offered_subprotocol(std::span<const parser::header> headers,
                                       std::string_view protocol) noexcept;

// base64(SHA-1(key + the RFC 6455 GUID)): the Sec-WebSocket-Accept value for `key`.
[[nodiscard]] std::string accept_key(std::string_view key);

// Building blocks, exposed for tests.
[[nodiscard]] std::string sha1(std::string_view data);  // 20 raw bytes
[[nodiscard]] std::string base64(std::string_view data);

}  // namespace lapwise::server::ws

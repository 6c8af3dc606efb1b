// What the sans-I/O WebSocket tests build their input and expected output from: client frames
// (masked), server frames, and the upgrade request whose 101 is RFC 6455's example.
#pragma once

#include <string>
#include <string_view>

#include "lapwise/server/websocket_sender.h"

namespace lapwise::server::ws_test {

inline constexpr unsigned char mask[4] = {1, 2, 3, 4};

inline std::string client_frame(ws::opcode op, std::string_view payload) {
  std::string out;
  ws::write_frame(out, op, payload, true, false, mask);
  return out;
}

inline std::string server_frame(ws::opcode op, std::string_view payload) {
  std::string out;
  ws::write_frame(out, op, payload);
  return out;
}

inline std::string upgrade_request(std::string_view path, std::string_view extra = {}) {
  return "GET " + std::string(path) +
         " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
         std::string(extra) + "\r\n";
}

// The 101 head for upgrade_request() up to its last header line (no final CRLF).
inline const std::string accept_head =
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";

}  // namespace lapwise::server::ws_test

// lapwise::server::ws — writing frames (websocket.h reads them).
//
// Contract:
// - sender writes server frames (unmasked), one frame per message, compressed when
//   permessage-deflate was negotiated; control payloads are cut to 125 bytes and a close
//   reason to 123 bytes at a UTF-8 boundary, so every frame it writes is valid.
// - write_frame() is the raw writer: any opcode and bits, masked when given a key (a client
//   frame: the tests and the fuzzers use it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "lapwise/server/websocket.h"

namespace lapwise::server::ws {

namespace detail {
class deflater;
}  // namespace detail

// Appends one frame: FIN as given, RSV1 when `compressed`, masked with `mask` when given.
void write_frame(std::string& out, opcode op, std::string_view payload, bool fin = true,
                 bool compressed = false, const unsigned char* mask = nullptr);

class sender {
 public:
  explicit sender(std::optional<deflate_params> pmd = std::nullopt);
  ~sender();
  sender(sender&&) noexcept;
  sender& operator=(sender&&) noexcept;

  // A whole message in one frame; compressed when negotiated and `payload` is at least
  // `min_compress` bytes (shorter ones rarely shrink).
  void message(std::string& out, bool text, std::string_view payload);
  void ping(std::string& out, std::string_view data);  // data cut to 125 bytes
  void pong(std::string& out, std::string_view data);  // data cut to 125 bytes
  // code 1005 (or 0) sends an empty Close; the reason is cut to 123 bytes at a UTF-8 boundary.
  void close(std::string& out, std::uint16_t code, std::string_view reason = {});
  std::size_t min_compress = 32;
  // zlib's deflate state: made at the first message that is compressed (none before).
  [[nodiscard]] std::size_t footprint() const noexcept;

 private:
  std::optional<deflate_params> pmd_;
  std::unique_ptr<detail::deflater> deflater_;
};

}  // namespace lapwise::server::ws

// lapwise::server::ws — RFC 6455 WebSocket frames as a sans-I/O codec, with permessage-deflate
// (RFC 7692). The handshake is in websocket_handshake.h.
//
// Contract:
// - receiver::receive(bytes) takes what it can from `bytes` and returns how many it took plus
//   at most one event: a whole message (text or binary, fragments reassembled, decompressed),
//   a ping, a pong, a close, or an error. Call it again with the rest until it takes nothing
//   new and returns no event. Views in an event stay valid until the next receive() call.
// - Input is never trusted: frames from a client must be masked (from a server, unmasked);
//   reserved bits, reserved opcodes, fragmented or long (> 125 bytes) control frames, a
//   continuation without a message or a new message inside one, a 64-bit length with its most
//   significant bit set, and a bad close payload are errors with code 1002. Text that is not
//   UTF-8 (checked as bytes arrive, across fragments: the first bad byte fails) and a close
//   reason that is not UTF-8 give 1007. A frame over max_frame or a message over max_message
//   (compressed bytes as sent, and again once inflated: a zip bomb stops at the bound) gives
//   1009, as soon as the frame header announces it.
// - Errors are values: event_kind::error with `code` the close code to send and `payload` a
//   static description. After an error or a close event the receiver takes every byte and
//   returns nothing more (RFC 6455: nothing after Close is data).
// - Memory: one message (at most max_message, plus its inflated copy) and 14 header bytes; a
//   buffer grown past 64 KiB is released after its message.
// - Writing frames: websocket_sender.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace lapwise::server::ws {

enum class opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

// The close codes this codec sends or tests for (RFC 6455 section 7.4.1).
namespace close_code {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t going_away = 1001;
inline constexpr std::uint16_t protocol_error = 1002;
inline constexpr std::uint16_t unsupported_data = 1003;
inline constexpr std::uint16_t no_status = 1005;  // never sent: a Close with no payload
inline constexpr std::uint16_t invalid_payload = 1007;
inline constexpr std::uint16_t policy = 1008;
inline constexpr std::uint16_t too_big = 1009;
inline constexpr std::uint16_t internal_error = 1011;
}  // namespace close_code

// True for a code a peer may put in a Close frame: 1000-1003, 1007-1014, 3000-4999.
[[nodiscard]] bool valid_close_code(std::uint16_t code) noexcept;

// permessage-deflate parameters as negotiated (websocket_handshake.h fills them in).
struct deflate_params {
  bool server_no_context_takeover = false;
  bool client_no_context_takeover = false;
  int server_max_window_bits = 15;  // 9..15: zlib has no 256-byte window for raw deflate
  int client_max_window_bits = 15;
};

struct limits {
  std::size_t max_frame = 16u << 20;    // payload bytes of one frame
  std::size_t max_message = 16u << 20;  // a reassembled message, and its inflated size
};

enum class role : std::uint8_t { server, client };

enum class event_kind : std::uint8_t { none, text, binary, ping, pong, close, error };

struct event {
  event_kind kind = event_kind::none;
  std::string_view payload;  // message, ping/pong data, close reason, or the error's description
  std::uint16_t code = 0;    // close: the code received (1005 if none); error: the code to send
  // A data message's own buffer (payload is all of it), or null. The receiver of the event may
  // swap it for another string (any content) to keep the message without copying it.
  std::string* storage = nullptr;
};

struct receive_result {
  std::size_t consumed = 0;
  event ev;
};

// Incremental UTF-8 check (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
struct utf8_checker {
  std::uint8_t need = 0, lo = 0x80, hi = 0xBF;
  bool feed(const unsigned char* p, std::size_t n) noexcept;  // false at the first bad byte
  [[nodiscard]] bool complete() const noexcept { return need == 0; }
};
[[nodiscard]] bool is_utf8(std::string_view s) noexcept;

namespace detail {
class inflater;
}  // namespace detail

class receiver {
 public:
  // `pmd`: the negotiated permessage-deflate parameters, or none (then RSV1 is an error).
  explicit receiver(limits lim = {}, std::optional<deflate_params> pmd = std::nullopt,
                    role self = role::server);
  ~receiver();
  receiver(receiver&&) noexcept;
  receiver& operator=(receiver&&) noexcept;

  receive_result receive(std::string_view bytes);
  [[nodiscard]] bool finished() const noexcept { return state_ >= state::closed; }
  // Its buffers, and zlib's inflate state once a compressed message came (it is made then,
  // not with the receiver: most connections that negotiate permessage-deflate stay idle or
  // send small messages uncompressed).
  [[nodiscard]] std::size_t footprint() const noexcept;

 private:
  enum class state : std::uint8_t { header, payload, closed, failed };
  event fail(std::uint16_t code, const char* why) noexcept;
  bool parse_header(event& ev);  // false: an error is in `ev`
  event end_frame();
  event end_message();
  void release_message() noexcept;

  limits lim_;
  std::optional<deflate_params> pmd_;
  role self_;
  state state_ = state::header;
  unsigned char hdr_[14];
  std::size_t hdr_len_ = 0;
  // The frame being read.
  opcode op_ = opcode::continuation;
  bool fin_ = false;
  bool masked_ = false;
  unsigned char mask_[4] = {0, 0, 0, 0};
  std::uint64_t remaining_ = 0;
  std::size_t mask_pos_ = 0;
  // The message being reassembled.
  bool in_message_ = false;
  bool message_text_ = false;
  bool message_compressed_ = false;
  utf8_checker utf8_;
  bool clear_pending_ = false;
  std::string message_;
  std::string inflated_;
  char control_[125];
  std::size_t control_len_ = 0;
  std::unique_ptr<detail::inflater> inflater_;
};

}  // namespace lapwise::server::ws

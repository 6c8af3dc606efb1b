#include <algorithm>
#include <cstring>
#include <utility>

#include "lapwise/server/websocket.h"
#include "lapwise/server/websocket_sender.h"
#include "websocket_deflate.h"
#include "websocket_unmask.h"

namespace lapwise::server::ws {

bool valid_close_code(std::uint16_t code) noexcept {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

bool utf8_checker::feed(const unsigned char* p, std::size_t n) noexcept {
  std::size_t i = 0;
  while (i < n) {
    if (need == 0) {
      // ASCII runs are the common case: eight bytes per test.
      while (i + 8 <= n) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        if (w & 0x8080808080808080ull) break;
        i += 8;
      }
      if (i >= n) break;
      const unsigned char c = p[i++];
      if (c < 0x80) continue;
      lo = 0x80;
      hi = 0xBF;
      if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
      } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0) lo = 0xA0;  // overlong
        if (c == 0xED) hi = 0x9F;  // surrogates
      } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0) lo = 0x90;  // overlong
        if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
      } else {
        return false;
      }
    } else {
      const unsigned char c = p[i++];
      if (c < lo || c > hi) return false;
      lo = 0x80;
      hi = 0xBF;
      --need;
    }
  }
  return true;
}

bool is_utf8(std::string_view s) noexcept {
  utf8_checker u;
  return u.feed(reinterpret_cast<const unsigned char*>(s.data()), s.size()) && u.complete();
}

namespace {
constexpr std::size_t keep_capacity = 64 * 1024;

bool is_control(opcode op) noexcept { return static_cast<std::uint8_t>(op) >= 0x8; }

void release(std::string& s) noexcept {
  if (s.capacity() > keep_capacity) {
    std::string().swap(s);
  } else {
    s.clear();
  }
}
}  // namespace

receiver::receiver(limits lim, std::optional<deflate_params> pmd, role self)
    : lim_(lim), pmd_(pmd), self_(self) {}

receiver::~receiver() = default;
receiver::receiver(receiver&&) noexcept = default;
receiver& receiver::operator=(receiver&&) noexcept = default;

std::size_t receiver::footprint() const noexcept {
  return sizeof(*this) + message_.capacity() + inflated_.capacity() +
         (inflater_ ? 64 * 1024 : 0);  // zlib's inflate state and 32 KiB window, rounded up
}

event receiver::fail(std::uint16_t code, const char* why) noexcept {
  state_ = state::failed;
  release_message();
  return {event_kind::error, why, code};
}

void receiver::release_message() noexcept {
  release(message_);
  release(inflated_);
  clear_pending_ = false;
}

bool receiver::parse_header(event& ev) {
  const unsigned char b0 = hdr_[0], b1 = hdr_[1];
  fin_ = (b0 & 0x80) != 0;
  const bool rsv1 = (b0 & 0x40) != 0;
  op_ = static_cast<opcode>(b0 & 0x0F);
  masked_ = (b1 & 0x80) != 0;
  const std::uint8_t len7 = b1 & 0x7F;
  const std::uint8_t o = b0 & 0x0F;
  if ((b0 & 0x30) != 0) {
    ev = fail(close_code::protocol_error, "reserved bit RSV2 or RSV3 set");
    return false;
  }
  if ((o >= 0x3 && o <= 0x7) || o >= 0xB) {
    ev = fail(close_code::protocol_error, "reserved opcode");
    return false;
  }
  if (masked_ != (self_ == role::server)) {
    ev = fail(close_code::protocol_error,
              self_ == role::server ? "client frame not masked" : "server frame masked");
    return false;
  }
  if (is_control(op_)) {
    if (!fin_) {
      ev = fail(close_code::protocol_error, "fragmented control frame");
      return false;
    }
    if (len7 > 125) {
      ev = fail(close_code::protocol_error, "control frame longer than 125 bytes");
      return false;
    }
    if (rsv1) {
      ev = fail(close_code::protocol_error, "RSV1 on a control frame");
      return false;
    }
  } else if (op_ == opcode::continuation) {
    if (!in_message_) {
      ev = fail(close_code::protocol_error, "continuation frame without a message");
      return false;
    }
    if (rsv1) {
      ev = fail(close_code::protocol_error, "RSV1 on a continuation frame");
      return false;
    }
  } else {
    if (in_message_) {
      ev = fail(close_code::protocol_error, "new message inside a fragmented one");
      return false;
    }
    if (rsv1 && !pmd_) {
      ev = fail(close_code::protocol_error, "RSV1 set without permessage-deflate");
      return false;
    }
  }
  return true;
}

receive_result receiver::receive(std::string_view bytes) {
  receive_result r;
  if (clear_pending_) release_message();
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  std::size_t i = 0;
  while (r.ev.kind == event_kind::none) {
    if (state_ >= state::closed) {
      i = n;  // nothing after a Close or an error is read
      break;
    }
    if (i >= n) break;
    if (state_ == state::header) {
      // Validate after two bytes (fail fast), then gather the rest of the header.
      if (hdr_len_ < 2) {
        hdr_[hdr_len_++] = p[i++];
        if (hdr_len_ == 2 && !parse_header(r.ev)) break;
        if (hdr_len_ < 2) continue;
      }
      const std::uint8_t len7 = hdr_[1] & 0x7F;
      const std::size_t ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
      const std::size_t want = 2 + ext + (masked_ ? 4 : 0);
      const std::size_t take = std::min(want - hdr_len_, n - i);
      std::memcpy(hdr_ + hdr_len_, p + i, take);
      hdr_len_ += take;
      i += take;
      if (hdr_len_ < want) break;
      std::uint64_t len = len7;
      if (ext != 0) {
        len = 0;
        for (std::size_t k = 0; k < ext; ++k) len = (len << 8) | hdr_[2 + k];
        if (ext == 8 && (len >> 63) != 0) {
          r.ev = fail(close_code::protocol_error, "64-bit length with its top bit set");
          break;
        }
      }
      if (masked_) std::memcpy(mask_, hdr_ + 2 + ext, 4);
      hdr_len_ = 0;
      remaining_ = len;
      mask_pos_ = 0;
      if (!is_control(op_)) {
        if (len > lim_.max_frame) {
          r.ev = fail(close_code::too_big, "frame larger than max_frame");
          break;
        }
        if (op_ != opcode::continuation) {
          in_message_ = true;
          message_text_ = op_ == opcode::text;
          message_compressed_ = (hdr_[0] & 0x40) != 0;
          utf8_ = {};
        }
        if (len > lim_.max_message - std::min(lim_.max_message, message_.size())) {
          r.ev = fail(close_code::too_big, "message larger than max_message");
          break;
        }
      }
      control_len_ = 0;
      state_ = state::payload;
      if (remaining_ == 0) r.ev = end_frame();
      continue;
    }
    // Payload: unmask straight into the message (or control) buffer.
    const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, n - i));
    char* dst;
    if (is_control(op_)) {
      dst = control_ + control_len_;
      control_len_ += take;
    } else {
      const std::size_t at = message_.size();
      message_.resize(at + take);
      dst = message_.data() + at;
    }
    if (masked_) {
      mask_pos_ = detail::unmask(dst, p + i, take, mask_, mask_pos_);
    } else {
      std::memcpy(dst, p + i, take);
    }
    i += take;
    remaining_ -= take;
    if (!is_control(op_) && message_text_ && !message_compressed_ &&
        !utf8_.feed(reinterpret_cast<const unsigned char*>(dst), take)) {
      r.ev = fail(close_code::invalid_payload, "text message is not UTF-8");
      break;
    }
    if (remaining_ == 0) r.ev = end_frame();
  }
  r.consumed = i;
  return r;
}

event receiver::end_frame() {
  state_ = state::header;
  const std::string_view data(control_, control_len_);
  switch (op_) {
    case opcode::ping:
      return {event_kind::ping, data, 0};
    case opcode::pong:
      return {event_kind::pong, data, 0};
    case opcode::close: {
      if (data.size() == 1) return fail(close_code::protocol_error, "close payload of 1 byte");
      std::uint16_t code = close_code::no_status;
      std::string_view reason;
      if (data.size() >= 2) {
        code = static_cast<std::uint16_t>((static_cast<unsigned char>(data[0]) << 8) |
                                          static_cast<unsigned char>(data[1]));
        if (!valid_close_code(code)) return fail(close_code::protocol_error, "invalid close code");
        reason = data.substr(2);
        if (!is_utf8(reason)) return fail(close_code::invalid_payload, "close reason not UTF-8");
      }
      state_ = state::closed;
      release_message();
      return {event_kind::close, reason, code};
    }
    default:
      return fin_ ? end_message() : event{};
  }
}

event receiver::end_message() {
  in_message_ = false;
  clear_pending_ = true;
  const event_kind kind = message_text_ ? event_kind::text : event_kind::binary;
  if (!message_compressed_) {
    if (message_text_ && !utf8_.complete()) {
      return fail(close_code::invalid_payload, "text message ends inside a UTF-8 sequence");
    }
    return {kind, message_, 0, &message_};
  }
  inflated_.clear();
  if (!inflater_) {  // zlib's state is made for the first compressed message, not per connection
    const bool reset =
        self_ == role::server ? pmd_->client_no_context_takeover : pmd_->server_no_context_takeover;
    inflater_ = std::make_unique<detail::inflater>(reset);
  }
  switch (inflater_->inflate_message(message_, inflated_, lim_.max_message)) {
    case detail::inflater::result::too_big:
      return fail(close_code::too_big, "inflated message larger than max_message");
    case detail::inflater::result::bad_data:
      return fail(close_code::invalid_payload, "compressed message does not inflate");
    case detail::inflater::result::ok:
      break;
  }
  if (message_text_ && !is_utf8(inflated_)) {
    return fail(close_code::invalid_payload, "text message is not UTF-8");
  }
  return {kind, inflated_, 0, &inflated_};
}

void write_frame(std::string& out, opcode op, std::string_view payload, bool fin, bool compressed,
                 const unsigned char* mask) {
  unsigned char h[14];
  std::size_t hl = 2;
  h[0] = static_cast<unsigned char>((fin ? 0x80 : 0) | (compressed ? 0x40 : 0) |
                                    static_cast<std::uint8_t>(op));
  const std::uint64_t len = payload.size();
  const unsigned char m = mask ? 0x80 : 0;
  if (len < 126) {
    h[1] = static_cast<unsigned char>(m | len);
  } else if (len <= 0xFFFF) {
    h[1] = m | 126;
    h[2] = static_cast<unsigned char>(len >> 8);
    h[3] = static_cast<unsigned char>(len);
    hl = 4;
  } else {
    h[1] = m | 127;
    for (int k = 0; k < 8; ++k) h[2 + k] = static_cast<unsigned char>(len >> (56 - 8 * k));
    hl = 10;
  }
  if (mask) {
    std::memcpy(h + hl, mask, 4);
    hl += 4;
  }
  out.append(reinterpret_cast<const char*>(h), hl);
  const std::size_t at = out.size();
  out.append(payload);
  if (mask) {
    for (std::size_t k = 0; k < payload.size(); ++k) out[at + k] ^= static_cast<char>(mask[k & 3]);
  }
}

sender::sender(std::optional<deflate_params> pmd) : pmd_(pmd) {}

sender::~sender() = default;
sender::sender(sender&&) noexcept = default;
sender& sender::operator=(sender&&) noexcept = default;

std::size_t sender::footprint() const noexcept {
  if (!deflater_) return 0;
  // deflateInit2's own figure: the window twice over plus the hash chains at memLevel 8.
  return (std::size_t{1} << (pmd_->server_max_window_bits + 2)) + (std::size_t{1} << 17);
}

void sender::message(std::string& out, bool text, std::string_view payload) {
  const opcode op = text ? opcode::text : opcode::binary;
  if (pmd_ && payload.size() >= min_compress) {
    if (!deflater_) {  // made for the first message worth compressing (zlib's state is large)
      deflater_ = std::make_unique<detail::deflater>(pmd_->server_max_window_bits,
                                                     pmd_->server_no_context_takeover);
    }
    std::string z;
    if (deflater_->ready() && deflater_->deflate_message(payload, z)) {
      write_frame(out, op, z, true, true);
      return;
    }
  }
  write_frame(out, op, payload);
}

void sender::ping(std::string& out, std::string_view data) {
  write_frame(out, opcode::ping, data.substr(0, 125));
}

void sender::pong(std::string& out, std::string_view data) {
  write_frame(out, opcode::pong, data.substr(0, 125));
}

void sender::close(std::string& out, std::uint16_t code, std::string_view reason) {
  if (code == 0 || code == close_code::no_status) {
    write_frame(out, opcode::close, {});
    return;
  }
  reason = reason.substr(0, 123);
  // Cut at a character boundary so a truncated reason stays UTF-8.
  while (!reason.empty() && !is_utf8(reason)) reason.remove_suffix(1);
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(reason);
  write_frame(out, opcode::close, payload);
}

}  // namespace lapwise::server::ws

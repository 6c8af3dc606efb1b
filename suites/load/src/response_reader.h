// lapwise::load::response_reader — reads pipelined HTTP/1.1 responses from a byte stream.
//
// Contract:
// - feed() is called with the unconsumed bytes of the connection (in order) and the method of
//   the oldest outstanding request; it consumes what it can and says complete (one whole
//   response: `info` filled), need_more (read more, keep the unconsumed bytes; `consumed` may
//   be > 0: body bytes are consumed as they arrive, so a buffer never has to hold a body), or
//   error (framing or syntax: the connection is unusable).
// - The head is parsed by lapwise::parser::parse_response_head (strict RFC 9112); bodies are
//   delimited by Content-Length, chunked (decoded in place with parser::chunked_decoder, only
//   counted, never kept), or the end of the connection (`eof` = true once the peer closed).
// - No allocation; the bytes in `in` may be overwritten (in-place chunked decoding).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "lapwise/parser/http.h"

namespace lapwise::load {

struct response_info {
  int status = 0;
  std::uint64_t body_length = 0;  // decoded body bytes
  bool keep_alive = true;         // false: the server closes after this response
};

class response_reader {
 public:
  enum class status : std::uint8_t { complete, need_more, error };
  struct result {
    status state = status::need_more;
    std::size_t consumed = 0;  // bytes of `in` used by this call (also on need_more)
    parser::error_code error = parser::error_code::none;
  };

  response_reader() noexcept;
  result feed(std::span<char> in, std::string_view request_method, bool eof) noexcept;
  // The response completed by the last feed() that returned complete.
  [[nodiscard]] const response_info& info() const noexcept { return info_; }
  // True between a response's first byte and its end (a close then is an error).
  [[nodiscard]] bool in_message() const noexcept { return state_ != state::head; }
  void reset() noexcept;  // a fresh connection

 private:
  enum class state : std::uint8_t { head, length_body, chunked_body, close_body };
  result finish(std::size_t consumed) noexcept;

  std::array<parser::header, 100> headers_{};
  std::array<parser::header, 100> trailers_{};
  parser::chunked_decoder chunked_;
  state state_ = state::head;
  std::uint64_t remaining_ = 0;  // length_body: bytes still to come
  response_info info_{};
  response_info pending_{};  // the response being read
};

}  // namespace lapwise::load

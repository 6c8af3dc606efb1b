#include "response_reader.h"

#include <algorithm>

namespace lapwise::load {

using parser::body_framing;
using parser::error_code;

response_reader::response_reader() noexcept : chunked_(trailers_) {}

void response_reader::reset() noexcept {
  state_ = state::head;
  remaining_ = 0;
  pending_ = {};
  chunked_.reset();
}

response_reader::result response_reader::finish(std::size_t consumed) noexcept {
  info_ = pending_;
  pending_ = {};
  state_ = state::head;
  return {status::complete, consumed, error_code::none};
}

response_reader::result response_reader::feed(std::span<char> in, std::string_view request_method,
                                              bool eof) noexcept {
  std::size_t used = 0;
  if (state_ == state::head) {
    if (in.empty()) return {status::need_more, 0, error_code::none};  // between messages
    parser::response head;
    const auto r = parser::parse_response_head(std::string_view(in.data(), in.size()),
                                               request_method, head, headers_);
    if (r.status == parser::parse_status::error) return {status::error, 0, r.error};
    if (r.status == parser::parse_status::need_more) {
      return eof ? result{status::error, 0, error_code::incomplete_message}
                 : result{status::need_more, 0, error_code::none};
    }
    pending_ = {head.status, 0, head.keep_alive};
    used = r.consumed;
    switch (head.framing) {
      case body_framing::none:
        return finish(used);
      case body_framing::content_length:
        if (head.content_length == 0) return finish(used);
        remaining_ = head.content_length;
        state_ = state::length_body;
        break;
      case body_framing::chunked:
        chunked_.reset();
        state_ = state::chunked_body;
        break;
      case body_framing::until_close:
        pending_.keep_alive = false;
        state_ = state::close_body;
        break;
    }
  }
  std::span<char> rest = in.subspan(used);
  switch (state_) {
    case state::length_body: {
      const std::uint64_t take = std::min<std::uint64_t>(remaining_, rest.size());
      remaining_ -= take;
      pending_.body_length += take;
      used += take;
      if (remaining_ == 0) return finish(used);
      break;
    }
    case state::chunked_body: {
      // In place: the decoder never writes past what it has read, and the data is only counted.
      const auto r = chunked_.feed(std::string_view(rest.data(), rest.size()), rest);
      used += r.consumed;
      pending_.body_length += r.produced;
      if (r.status == parser::parse_status::error) return {status::error, used, r.error};
      if (r.status == parser::parse_status::complete) return finish(used);
      break;
    }
    case state::close_body:
      used += rest.size();
      pending_.body_length += rest.size();
      if (eof) return finish(used);
      return {status::need_more, used, error_code::none};
    case state::head:
      break;  // not reached: head either finished or moved to a body state above
  }
  if (eof) return {status::error, used, error_code::incomplete_message};
  return {status::need_more, used, error_code::none};
}

}  // namespace lapwise::load

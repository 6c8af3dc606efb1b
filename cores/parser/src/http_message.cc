// Whole messages: a head parser, then the body framed as the head says, so that a caller can
// walk a buffer of pipelined messages by `consumed`.
#include <algorithm>

#include "http_impl.h"

namespace lapwise::parser {
namespace {

constexpr parse_result need_more{parse_status::need_more, 0, error_code::none};
constexpr parse_result error_result(error_code e) { return {parse_status::error, 0, e}; }

struct body_view {
  std::string_view body;
  std::span<const header> trailers;
};

// The body after a head of `head_size` bytes whose fields took `used` slots of storage.
parse_result frame_body(std::string_view buf, std::size_t head_size, body_framing framing,
                        std::uint64_t content_length, std::span<header> storage, std::size_t used,
                        std::span<char> body_storage, const limits& lim, body_view& out) {
  std::string_view rest = buf.substr(head_size);
  switch (framing) {
    case body_framing::content_length:
      if (rest.size() < content_length) return need_more;
      out.body = rest.substr(0, static_cast<std::size_t>(content_length));
      return {parse_status::complete, head_size + out.body.size(), error_code::none};
    case body_framing::chunked: {
      limits body_limits = lim;  // the caller's buffer bounds the decoded body, and the fields
      body_limits.max_body = std::min<std::uint64_t>(lim.max_body, body_storage.size());
      body_limits.max_headers = lim.max_headers - std::min(lim.max_headers, used);
      chunked_decoder decoder(storage.subspan(used), body_limits);
      chunked_decoder::result r = decoder.feed(rest, body_storage);
      if (r.status == parse_status::error) return error_result(r.error);
      if (r.status == parse_status::need_more) return need_more;
      out.body = {body_storage.data(), r.produced};
      out.trailers = decoder.trailers();
      return {parse_status::complete, head_size + r.consumed, error_code::none};
    }
    case body_framing::until_close:  // handled by the caller, which knows about eof
    case body_framing::none:
      break;
  }
  return {parse_status::complete, head_size, error_code::none};
}

}  // namespace

parse_result parse_request(std::string_view buf, request& out, std::span<header> storage,
                           std::span<char> body_storage, const limits& lim) noexcept {
  parse_result r = parse_request_head(buf, out, storage, lim);
  if (r.status != parse_status::complete) return r;
  body_view b;
  r = frame_body(buf, r.consumed, out.framing, out.content_length, storage, out.headers.size(),
                 body_storage, lim, b);
  out.body = b.body;
  out.trailers = b.trailers;
  return r;
}

parse_result parse_response(std::string_view buf, std::string_view request_method, response& out,
                            std::span<header> storage, std::span<char> body_storage, bool eof,
                            const limits& lim) noexcept {
  parse_result r = parse_response_head(buf, request_method, out, storage, lim);
  if (r.status == parse_status::complete) {
    if (out.framing == body_framing::until_close) {
      if (!eof) return need_more;
      std::string_view rest = buf.substr(r.consumed);
      if (rest.size() > lim.max_body) return error_result(error_code::body_too_large);
      out.body = rest;
      return {parse_status::complete, buf.size(), error_code::none};
    }
    body_view b;
    r = frame_body(buf, r.consumed, out.framing, out.content_length, storage, out.headers.size(),
                   body_storage, lim, b);
    out.body = b.body;
    out.trailers = b.trailers;
  }
  if (r.status == parse_status::need_more && eof && !buf.empty()) {
    return error_result(error_code::incomplete_message);
  }
  return r;
}

}  // namespace lapwise::parser

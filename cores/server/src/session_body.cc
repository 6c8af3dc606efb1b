// Streamed request bodies (server.h: request::body_streamed()): the head is handed to the
// handler at once, the body follows in pieces of at most config::body_window bytes, each one
// asked for with request::read_body(). Reading pauses while a window is full (back-pressure),
// 100 Continue goes out at the first ask, and a body the handler answered without reading is
// dropped as it arrives (or, when the client still waits for 100 Continue, the connection
// closes after the answer, as RFC 9110 section 10.1.1 allows).
#include <algorithm>
#include <cstring>

#include "lapwise/server/session.h"

namespace lapwise::server {

namespace {
constexpr std::string_view continue_interim = "HTTP/1.1 100 Continue\r\n\r\n";
}  // namespace

// The head of a request whose body is not wholly buffered: dispatched now, with its body to
// follow, when its route is a handler's. False: not streamed (the caller reads it whole).
bool session::stream_body(std::string_view data, const parser::request& req, std::size_t head) {
  if (req.upgrade) return false;
  const std::string_view path = decoded_path(req);
  svc_.routes_.router().match_into(req.method, path, match_);
  if (match_.kind != router::status::found || svc_.routes_.entries()[match_.value].is_const) {
    return false;
  }
  const bool chunked = req.framing == parser::body_framing::chunked;
  streamed_next_ = true;
  answer(data, req, {}, head);
  streamed_next_ = false;
  if (chunked) {
    // What the whole-body path decoded in place already becomes the first bytes of the window,
    // and the decoder goes on from where it stopped.
    chunked_active_ = false;
    if (body_req_ != nullptr) body_req_->body_buf_.assign(data.data() + head, chunk_out_ - head);
    in_begin_ += chunk_raw_ - head;
  }
  return true;
}

// Moves the streamed body's bytes from the input into its request's window (or drops them once
// the request is answered), handing a piece over when the handler asked for one. True once
// the body is complete, so parsing goes on with what follows it.
bool session::feed_body() {
  for (;;) {
    request* r = body_req_;
    const std::size_t window = svc_.cfg_.body_window;
    const std::size_t room =
        r == nullptr ? ~std::size_t{0}
                     : (r->body_buf_.size() < window ? window - r->body_buf_.size() : 0);
    const std::size_t avail = in_end_ - in_begin_;
    if (room == 0 || avail == 0) return false;
    char* in = in_.get() + in_begin_;
    std::size_t took = 0;
    bool finished = false;
    if (!body_chunked_) {
      const auto n = static_cast<std::size_t>(
          std::min<std::uint64_t>(std::min<std::uint64_t>(avail, room), body_left_));
      if (r != nullptr) r->body_buf_.append(in, n);
      took = n;
      body_left_ -= n;
      finished = body_left_ == 0;
    } else {
      const std::size_t at = r != nullptr ? r->body_buf_.size() : 0;
      std::span<char> out(in, avail);  // dropped: decoded in place
      if (r != nullptr) {
        r->body_buf_.resize(at + std::min(room, avail));
        out = {r->body_buf_.data() + at, r->body_buf_.size() - at};
      }
      const parser::chunked_decoder::result res = chunked_->feed({in, avail}, out);
      if (r != nullptr) r->body_buf_.resize(at + res.produced);
      if (res.status == parser::parse_status::error) {
        body_failed(parser::http_status(res.error), parser::describe(res.error));
        return false;
      }
      if (chunked_->body_size() > chunk_limit_) {  // the route's own limit (session::body_limit)
        const auto too_large = parser::error_code::body_too_large;
        body_failed(parser::http_status(too_large), parser::describe(too_large));
        return false;
      }
      took = res.consumed;
      finished = res.status == parser::parse_status::complete;
    }
    in_begin_ += took;
    if (took > 0) body_continue_ = false;  // it is coming without the 100: none is sent now
    if (finished) {
      body_active_ = false;
      body_req_ = nullptr;
      if (r != nullptr) r->body_received_ = true;
    }
    if (r != nullptr && r->body_asked_ && (!r->body_buf_.empty() || r->body_received_)) {
      deliver_piece(*r);
    }
    if (finished) return true;
    if (took == 0) return false;  // a partial chunk line: wait for more input
  }
}

void session::deliver_piece(request& r) {
  const std::size_t window = svc_.cfg_.body_window;
  if (r.body_error_ == 0 && r.body_buf_.size() > window) {
    // What a chunked body decoded before it began to stream (stream_body()) can exceed the
    // window: it is handed over a window at a time, and reading waits until it is gone.
    r.body_piece_.assign(r.body_buf_, 0, window);
    r.body_buf_.erase(0, window);
  } else {
    r.body_piece_.swap(r.body_buf_);
    r.body_buf_.clear();
  }
  if (r.body_error_ != 0) r.body_piece_.clear();
  r.body_ = r.body_piece_;
  r.body_end_ = (r.body_received_ && r.body_buf_.empty()) || r.body_error_ != 0;
  r.body_asked_ = false;
  r.body_piece_ready_ = true;
  resume(r);
  woken_ = true;
}

session::slot* session::slot_of(request& r) noexcept {
  if (r.seq_ < base_seq_ || r.seq_ - base_seq_ >= slots_.size()) return nullptr;
  slot& s = slots_[static_cast<std::size_t>(r.seq_ - base_seq_)];
  return s.req.get() == &r ? &s : nullptr;
}

void session::read_body(request& r) {
  slot* s = slot_of(r);
  if (s == nullptr) return;  // answered already, or not this session's
  if (!r.body_streamed_ || r.body_end_) {
    // The whole body was given at dispatch (or the last piece has gone): an end, once more.
    if (r.body_streamed_) {
      r.body_piece_.clear();
      r.body_ = {};
    }
    r.body_end_ = true;
    r.body_piece_ready_ = true;
    resume(r);
    woken_ = true;
    return;
  }
  if (r.body_error_ != 0 || !r.body_buf_.empty() || r.body_received_) {
    deliver_piece(r);
    process();  // the window has room again: what the input holds moves on
    return;
  }
  r.body_asked_ = true;
  if (body_req_ == &r && body_continue_) {
    body_continue_ = false;
    send_continue(*s);
  }
}

// The interim response goes out in this request's place: after every earlier response, and
// never once its own final response has begun.
void session::send_continue(slot& s) {
  if (s.streaming || s.ready) return;
  if (&s == &slots_.front() && s.bytes.empty()) {
    append_out(continue_interim);
  } else {
    s.bytes.append(continue_interim);
    slot_bytes_ += continue_interim.size();
  }
}

// The streamed body cannot be read on (`status`: 413, 400 or 408, `text` the answer's body, as
// a whole body's failure would have it): nothing after it on this connection can be framed, so
// it closes; the handler learns it with its next piece.
void session::body_failed(int status, std::string_view text) {
  request* r = body_req_;
  body_active_ = false;
  body_req_ = nullptr;
  body_continue_ = false;
  closing_ = true;
  in_begin_ = in_end_;
  in_body_ = false;
  scanned_ = 0;
  if (r == nullptr) return;  // answered already: the connection just closes
  r->body_error_ = status;
  body_error_text_ = text;
  r->body_buf_.clear();
  if (r->body_asked_) deliver_piece(*r);
}

// The handler answers a request whose body streamed (any part but a chunk). A failed body
// replaces an answer that has not begun with its status; a body not yet read whole is
// dropped as it comes, or the connection closes when the client still waits for 100 Continue.
void session::body_answered(slot& s, request& r, response& resp) {
  if (r.body_error_ != 0) {
    s.close = true;
    if (!r.streaming_) {
      const int status = r.body_error_;
      resp = {status, "text/plain", {}, std::string(body_error_text_)};
    }
  }
  if (resp.kind == response::part::head || body_req_ != &r) return;
  body_req_ = nullptr;
  if (body_continue_) {  // the client will not send the body: the answer ends the connection
    body_continue_ = false;
    body_active_ = false;
    s.close = true;
    closing_ = true;
    in_begin_ = in_end_;
  }
}

}  // namespace lapwise::server

// The sans-IO connection core: framing, routing, ordering of responses, pausing.
#include "lapwise/server/session.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <optional>

#include "access_log.h"
#include "lapwise/common/inject.h"
#include "lapwise/parser/percent.h"
#include "lapwise/server/render.h"

namespace lapwise::server {

namespace {

constexpr std::size_t min_free = 4096;
// Capacities kept after a message; larger buffers are freed once emptied.
constexpr std::size_t keep_output = 64 << 10;
constexpr std::size_t keep_request = 16 << 10;
constexpr std::size_t large_buffer = session::large_buffer;
constexpr std::string_view continue_100 = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr std::size_t trailer_capacity = 32;

// Moves a view that points into [from, from + n) to the same offset in `to`; others (static
// storage such as the parser's "/") are kept.
std::string_view rebase(std::string_view v, const char* from, std::size_t n, const char* to) {
  if (v.data() < from || v.data() > from + n) return v;
  return {to + (v.data() - from), v.size()};
}

// No control byte (below 0x20, or DEL) in `s`, eight bytes at a time: then `s` is a
// field-value. False may still be one (HTAB); the caller asks the full rule then.
bool plain_text(std::string_view s) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    const std::uint64_t below_space = (w - ones * 0x20) & ~w & highs;
    const std::uint64_t x = w ^ (ones * 0x7f);
    const std::uint64_t del = (x - ones) & ~x & highs;
    if ((below_space | del) != 0) return false;
  }
  for (; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

void request::respond(response r) noexcept { owner_->complete(*this, std::move(r)); }
void request::read_body() noexcept { owner_->read_body(*this); }

namespace {
const net_address unknown_address{};
}  // namespace
const net_address& request::client() const noexcept {
  return client_ != nullptr ? *client_ : unknown_address;
}
const net_address& request::server() const noexcept {
  return server_ != nullptr ? *server_ : unknown_address;
}

namespace {
const session::time_point still_clock{};  // for owners that give no clock
}  // namespace

session::session(const service& svc, detail::responder& owner, std::vector<request*>& ready,
                 const char* date, const time_point* now)
    : svc_(svc), owner_(owner), ready_(ready), date_(date), now_(now ? now : &still_clock) {
  headers_.resize(std::max<std::size_t>(svc_.cfg_.limits.max_headers, 1));
}

session::~session() {
  websocket_end(1006);  // a channel still open hears of the end once
  svc_.memory_.fetch_sub(accounted_, std::memory_order_relaxed);
}

bool service::take_released(std::size_t threshold) const noexcept {
  if (released_.load(std::memory_order_relaxed) <= threshold) return false;
  released_.store(0, std::memory_order_relaxed);
  return true;
}

void session::release_input() noexcept {
  released(in_cap_);
  in_.reset();
  in_cap_ = in_begin_ = in_end_ = 0;
  sync_memory();
}

void session::account(std::size_t now) noexcept {
  if (now > accounted_) {
    svc_.memory_.fetch_add(now - accounted_, std::memory_order_relaxed);
  } else {
    svc_.memory_.fetch_sub(accounted_ - now, std::memory_order_relaxed);
  }
  accounted_ = now;
}

// Whether taking `more` bytes would put the server past max_memory.
bool session::over_budget(std::size_t more) const noexcept {
  const std::size_t cap = svc_.cfg_.max_memory;
  return cap != 0 && svc_.memory_.load(std::memory_order_relaxed) + more > cap;
}

// A message of `total` bytes (from in_begin_) is coming: make room for all of it at once
// rather than doubling towards it, within the server's budget. False: refused with a 503.
bool session::reserve_input(std::size_t total) {
  if (in_begin_ + total <= in_cap_) return true;
  if (total > in_cap_ && over_budget(total - in_cap_)) {
    overloaded();
    return false;
  }
  const std::size_t held = in_end_ - in_begin_;
  const std::size_t cap = std::max(total, held) + min_free;
  auto grown = std::make_unique<char[]>(cap);
  if (held > 0) std::memcpy(grown.get(), in_.get() + in_begin_, held);
  released(in_cap_);
  in_ = std::move(grown);
  in_cap_ = cap;
  in_end_ = held;
  in_begin_ = 0;
  sync_memory();
  return true;
}

std::span<char> session::read_space() {
  if (in_begin_ == in_end_ && !chunked_active_) {
    in_begin_ = in_end_ = 0;
    trim();
  }
  if (body_active_ && in_cap_ < stream_input && in_begin_ == in_end_ &&
      !over_budget(stream_input)) {
    // A streamed body is read in large reads: fewer system calls and hand-offs per megabyte.
    released(in_cap_);
    in_ = std::make_unique<char[]>(stream_input);
    in_cap_ = stream_input;
    in_begin_ = in_end_ = 0;
    sync_memory();
  }
  if (chunked_active_ && chunk_raw_ > chunk_out_) {
    // Reclaim the chunk framing already decoded: raw bytes move down to the decoded end.
    char* base = in_.get() + in_begin_;
    std::memmove(base + chunk_out_, base + chunk_raw_, in_end_ - in_begin_ - chunk_raw_);
    in_end_ -= chunk_raw_ - chunk_out_;
    chunk_raw_ = chunk_out_;
  }
  if (in_cap_ - in_end_ >= min_free) return {in_.get() + in_end_, in_cap_ - in_end_};
  if (in_begin_ > 0) {
    std::memmove(in_.get(), in_.get() + in_begin_, in_end_ - in_begin_);
    in_end_ -= in_begin_;
    in_begin_ = 0;
  }
  if (in_cap_ - in_end_ < min_free) {
    const parser::limits& lim = svc_.cfg_.limits;
    const std::size_t most = lim.max_request_line + lim.max_header_bytes +
                             static_cast<std::size_t>(lim.max_body) + 4 * min_free;
    if (in_end_ + min_free > most) {  // cannot happen while the parser enforces its limits
      fail(parser::error_code::body_too_large);
      return {};
    }
    const std::size_t cap = std::min(most, std::max({in_cap_ * 2, in_end_ + min_free, base_input}));
    auto grown = std::make_unique<char[]>(cap);
    if (in_end_ > 0) std::memcpy(grown.get(), in_.get(), in_end_);
    released(in_cap_);
    in_ = std::move(grown);
    in_cap_ = cap;
    sync_memory();
  }
  return {in_.get() + in_end_, in_cap_ - in_end_};
}

void session::commit(std::size_t n) {
  in_end_ += n;
  process();
}

void session::receive(std::string_view bytes) {
  while (!bytes.empty() && (!closing_ || body_active_) && !eof_) {
    std::span<char> space = read_space();
    if (space.empty()) return;
    const std::size_t n = std::min(space.size(), bytes.size());
    std::memcpy(space.data(), bytes.data(), n);
    bytes.remove_prefix(n);
    commit(n);
  }
}

void session::end_of_input() noexcept {
  if (body_active_) body_failed(400, "request body incomplete");  // the client left mid-body
  eof_ = true;
  in_begin_ = in_end_;  // a partial request is dropped: nobody will read its answer
  in_body_ = false;
  chunked_active_ = false;
  scanned_ = 0;
}

void session::drain() {
  draining_ = true;
  websocket_stop();  // Close 1001; the connection ends with the peer's Close
  process();
}

void session::timeout() {
  const phase p = current_phase();
  if (p == phase::waiting) return;
  if (ws_.state) {
    if (p == phase::websocket) {
      websocket_timer();
      return;
    }
    closing_ = true;  // the wait for a Close (ours or the peer's): the connection just ends
    return;
  }
  if (body_active_) {  // a streamed body stalled: its handler's answer becomes the 408
    body_failed(408, "request not received in time");
    return;
  }
  if ((p == phase::head || p == phase::body) && !closing_) {
    std::string bytes;
    static constexpr std::string_view text = "request not received in time";
    detail::render_response(
        bytes, {408, svc_.cfg_.server_name, date_, "text/plain", {}, true, false}, text);
    emit(std::move(bytes), true);
    if (svc_.access_) log_access({}, {}, {}, 1, {}, 408, static_cast<std::int64_t>(text.size()));
  }
  closing_ = true;
  in_begin_ = in_end_;
  in_body_ = false;
  chunked_active_ = false;
}

void session::consume(std::size_t n) noexcept {
  out_pos_ += std::min(n, out_.size() - out_pos_);
  if (out_pos_ == out_.size()) {
    if (out_.capacity() > keep_output) {
      released(out_.capacity());
      std::string().swap(out_);
    } else {
      out_.clear();
    }
    out_pos_ = 0;
    while (out_.empty() && !file_ && !later_.empty()) {  // the next queued piece is next
      out_.swap(later_.front().bytes);
      later_bytes_ -= out_.size();
      file_ = std::move(later_.front().file);
      later_.pop_front();
    }
  } else if (out_pos_ >= min_free && out_pos_ * 2 >= out_.size() &&
             out_.size() - out_pos_ <= svc_.cfg_.max_output) {
    // A client that reads slowly while it keeps pipelining never lets the output drain: drop
    // what it has read once that is at least half (each byte is moved O(1) times on average).
    // Not while the rest is one large response: that shrinks by itself, without a copy.
    if (out_.capacity() > keep_output) {
      released(out_.capacity());
      out_ = out_.substr(out_pos_);
    } else {
      out_.erase(0, out_pos_);
    }
    out_pos_ = 0;
  }
  process();
  if (ws_.state) websocket_output(false);  // room for the channel's sender, and its frames
  sync_memory();
  // A stream waiting for room resumes once the output is below its bound again.
  if (streams_waiting_ != 0 && unsent() + slot_bytes_ < svc_.cfg_.max_output) wake_streams();
}

bool session::wants_read() const noexcept {
  // A streamed body is read whatever the bounds on new requests say (its handler waits for
  // it), as far as its window.
  if (body_active_) return !eof_ && !body_window_full();
  if (closing_ || eof_) return false;
  if (draining_ && in_begin_ == in_end_ && !websocket_live()) return false;
  return slots_.size() < svc_.cfg_.max_pipelined && output_room();
}

bool session::done() const noexcept {
  if (!slots_.empty() || out_pos_ != out_.size() || later_bytes_ != 0 || file_) return false;
  return closing_ || eof_ || (draining_ && in_begin_ == in_end_ && !websocket_live());
}

std::size_t session::footprint() const noexcept {
  std::size_t n = in_cap_ + out_.capacity() + later_bytes_ + scratch_.capacity() + slot_bytes_ +
                  in_flight_bytes_ + ws_bytes();
  for (const auto& r : pool_) n += r->storage_.capacity();
  return n;
}

session::phase session::current_phase() const noexcept {
  if (body_active_ && !body_continue_ && !body_window_full()) return phase::body;
  if (!slots_.empty()) return phase::waiting;
  if (ws_.state) {
    if (websocket_awaiting_close()) return phase::head;  // header_timeout bounds it
    if (websocket_live()) return phase::websocket;
  }
  if (in_end_ == in_begin_) return phase::idle;
  return in_body_ ? phase::body : phase::head;
}

void session::process() {
  for (;;) {
    if (body_active_ && !feed_body()) break;  // a streamed body comes before what follows it
    if (closing_ || in_end_ <= in_begin_ || slots_.size() >= svc_.cfg_.max_pipelined ||
        !output_room() || ws_.state) {
      break;
    }
    if (!process_one({in_.get() + in_begin_, in_end_ - in_begin_})) return;
  }
  if (ws_.state && !closing_ && in_end_ > in_begin_ && output_room() && websocket_live()) {
    websocket_input();
  }
}

bool session::process_one(std::string_view data) {
  const parser::limits& lim = svc_.cfg_.limits;
  if (scanned_ > 0 && !chunked_active_) {
    // A head seen incomplete before: parse again only when it can have changed its verdict.
    const bool line_end =
        std::memchr(data.data() + scanned_, '\n', data.size() - scanned_) != nullptr;
    const bool over = (!head_has_line_ && data.size() > lim.max_request_line) ||
                      data.size() > lim.max_request_line + lim.max_header_bytes;
    if (!line_end && !over) {
      scanned_ = data.size();
      return false;
    }
  }
  parser::request req;
  const parser::parse_result res = parser::parse_request_head(data, req, headers_, lim);
  if (res.status == parser::parse_status::error) {
    fail(res.error);
    return false;
  }
  if (res.status == parser::parse_status::need_more) {
    if (!head_has_line_) head_has_line_ = std::memchr(data.data(), '\n', data.size()) != nullptr;
    scanned_ = data.size();
    return false;
  }
  scanned_ = 0;
  head_has_line_ = false;
  const std::size_t head = res.consumed;
  switch (req.framing) {
    case parser::body_framing::content_length: {
      if (svc_.routes_.has_body_limits() && req.content_length > body_limit(req)) {
        fail(parser::error_code::body_too_large);
        return false;
      }
      const std::size_t total = head + static_cast<std::size_t>(req.content_length);
      if (data.size() < total) {
        if (svc_.cfg_.stream_body_over != config::never_stream &&
            (req.expect_continue || req.content_length > svc_.cfg_.stream_body_over) &&
            stream_body(data, req, head)) {
          return true;
        }
        in_body_ = true;
        if (!reserve_input(total)) return false;
        if (req.expect_continue && !continue_sent_) {
          continue_sent_ = true;
          emit_view(continue_100, false);
        }
        return false;
      }
      answer(data, req, data.substr(head, total - head), total);
      return true;
    }
    case parser::body_framing::chunked: {
      if (!chunked_active_) {
        if (!chunked_) {
          trailers_.resize(trailer_capacity);
          chunked_ = std::make_unique<parser::chunked_decoder>(trailers_, lim);
        }
        chunked_->reset();
        chunked_active_ = true;
        chunk_raw_ = chunk_out_ = head;
        chunk_limit_ =
            svc_.routes_.has_body_limits() ? body_limit(req) : route_table::server_body_limit;
      }
      char* base = in_.get() + in_begin_;
      const parser::chunked_decoder::result r = chunked_->feed(
          data.substr(chunk_raw_), std::span<char>(base + chunk_out_, data.size() - chunk_out_));
      chunk_raw_ += r.consumed;
      chunk_out_ += r.produced;
      if (r.status == parser::parse_status::error) {
        chunked_active_ = false;
        fail(r.error);
        return false;
      }
      if (chunked_->body_size() > chunk_limit_) {
        chunked_active_ = false;
        fail(parser::error_code::body_too_large);
        return false;
      }
      if (r.status == parser::parse_status::need_more) {
        if (svc_.cfg_.stream_body_over != config::never_stream && stream_body(data, req, head)) {
          return true;
        }
        in_body_ = true;
        // The input buffer doubles while a chunked body grows: the budget is checked at each
        // doubling, here, before read_space() does it.
        if (in_cap_ - in_end_ < min_free && over_budget(in_cap_)) {
          chunked_active_ = false;
          overloaded();
          return false;
        }
        if (req.expect_continue && !continue_sent_) {
          continue_sent_ = true;
          emit_view(continue_100, false);
        }
        return false;
      }
      chunked_active_ = false;
      answer(data, req, data.substr(head, chunk_out_ - head), chunk_raw_);
      return true;
    }
    default:
      answer(data, req, {}, head);
      return true;
  }
}

bool session::want_close(const parser::request& req) const noexcept { return !req.keep_alive; }

std::string_view session::decode_into_scratch(std::string_view path) {
  scratch_.resize(path.size());
  return {scratch_.data(), parser::percent_decode_path(path, scratch_.data())};
}

std::uint64_t session::body_limit(const parser::request& req) {
  const std::string_view path = decoded_path(req);
  svc_.routes_.router().match_into(req.method, path, match_);
  if (match_.kind != router::status::found) return svc_.server_max_body_;  // 404/405: the server's
  const std::uint64_t own = svc_.routes_.entries()[match_.value].max_body;
  return own == route_table::server_body_limit ? svc_.server_max_body_ : own;
}

void session::answer(std::string_view data, const parser::request& req, std::string_view body,
                     std::size_t total) {
  ++parsed_;
  in_body_ = false;
  continue_sent_ = false;
  const std::string_view path = decoded_path(req);
  if (req.upgrade && upgrade_websocket(req, path, total)) return;
  // A deferred WebSocket handshake: the connection ends after its answer unless that is a 101.
  const bool close =
      want_close(req) || (draining_ && in_begin_ + total == in_end_) || ws_.state != nullptr;
  const bool ka10 = !close && req.version_minor == 0;
  svc_.routes_.router().match_into(req.method, path, match_);
  // HEAD without a route of its own is the GET route's answer without its body (RFC 9110
  // section 9.3.2); checked only off the found path, so other requests pay nothing.
  bool head_only = false;
  if (match_.kind == router::status::method_not_allowed && req.method == "HEAD") {
    svc_.routes_.router().match_into("GET", path, match_);
    head_only = match_.kind == router::status::found;
    if (!head_only) svc_.routes_.router().match_into(req.method, path, match_);  // its 405
  }
  const auto& cfg = svc_.cfg_;
  if (match_.kind == router::status::found) {
    const route_table::entry& e = svc_.routes_.entries()[match_.value];
    if (e.is_const) {
      const int v = close ? 1 : ka10 ? 2 : 0;
      const service::rendered& r = svc_.rendered_[match_.value];
      std::string_view whole = r.bytes[v];
      if (head_only && e.fixed.status != 204 && e.fixed.status != 304) {
        whole.remove_suffix(e.fixed.body.size());  // Content-Length stays the GET's
      }
      if (slots_.empty()) {
        std::string& out = out_back();
        const std::size_t at = out.size();
        out += whole;
        std::memcpy(out.data() + at + r.date_at[v], date_, detail::date_length);
        if (&out != &out_) later_bytes_ += whole.size();
      } else {
        std::string bytes(whole);
        std::memcpy(bytes.data() + r.date_at[v], date_, detail::date_length);
        emit(std::move(bytes), close);
      }
      closing_ = closing_ || close;
      if (svc_.access_) {
        log_access(req, e.fixed.status,
                   head_only ? 0 : static_cast<std::int64_t>(e.fixed.body.size()));
      }
    } else {
      dispatch(req, data, body, path, match_.value, total, close, ka10, head_only);
    }
  } else if (const std::uint32_t unmatched = svc_.routes_.unmatched();
             unmatched != route_table::no_entry) {
    dispatch(req, data, body, path, unmatched, total, close, ka10, false);
  } else if (match_.kind == router::status::method_not_allowed) {
    std::string allow = "Allow: ";
    allow += match_.allowed;
    allow += "\r\n";
    // HEAD is served wherever GET is (above): say so, after GET.
    const std::string_view listed = match_.allowed;
    if (listed.find("HEAD") == std::string_view::npos) {
      for (std::size_t at = listed.find("GET"); at != std::string_view::npos;
           at = listed.find("GET", at + 3)) {
        const bool starts = at == 0 || listed[at - 1] == ' ' || listed[at - 1] == ',';
        const bool ends = at + 3 == listed.size() || listed[at + 3] == ',';
        if (starts && ends) {
          allow.insert(7 + at + 3, ", HEAD");
          break;
        }
      }
    }
    std::string bytes;
    static constexpr std::string_view text = "Method Not Allowed";
    detail::render_response(bytes, {405, cfg.server_name, date_, "text/plain", allow, close, ka10},
                            text);
    emit(std::move(bytes), close);
    if (svc_.access_) log_access(req, 405, static_cast<std::int64_t>(text.size()));
  } else {
    std::string bytes;
    static constexpr std::string_view text = "Not Found";
    detail::render_response(bytes, {404, cfg.server_name, date_, "text/plain", {}, close, ka10},
                            text);
    emit(std::move(bytes), close);
    if (svc_.access_) log_access(req, 404, static_cast<std::int64_t>(text.size()));
  }
  if (ws_.state) websocket_unrouted();
  in_begin_ += total;
  // The gates' injected-slowdown self-test (inject.h; nothing in a normal build): about the
  // session's own instructions per request in units (parsing, routing and rendering of a
  // 90-byte GET: ~1,450 instructions), so a 3% build costs ~3% more per request.
  LAPWISE_INJECT_WORK(total * 2 + 300);
}

void session::dispatch(const parser::request& req, std::string_view data, std::string_view body,
                       std::string_view path, std::uint32_t entry, std::size_t total, bool close,
                       bool ka10, bool head_only) {
  if (over_budget(0)) {
    overloaded();
    if (svc_.access_) log_access(req, 503, -1);
    return;
  }
  request* r = acquire();
  // One copy of the head and body (contiguous in the input, a chunked body decoded in place),
  // plus the decoded path when it differs: every view is moved onto the copy.
  const std::size_t span = body.data() != nullptr
                               ? static_cast<std::size_t>(body.data() + body.size() - data.data())
                               : total;
  const bool decoded = path.data() != req.path.data();
  r->storage_.clear();
  r->storage_.reserve(span + (decoded ? path.size() : 0));
  r->storage_.append(data.data(), span);
  const char* from = data.data();
  const char* to = r->storage_.data();
  r->method_ = rebase(req.method, from, span, to);
  r->query_ = rebase(req.query, from, span, to);
  r->raw_path_ = rebase(req.path, from, span, to);
  r->version_minor_ = req.version_minor;
  r->resumed_ = r->gone_ = r->streaming_ = false;
  r->context_ = nullptr;
  if (!addresses_known_) {  // once per connection, for the first handler request
    addresses_known_ = true;
    owner_.addresses(peer_, local_);
  }
  r->client_ = &peer_;
  r->server_ = &local_;
  r->body_streamed_ = streamed_next_;
  if (streamed_next_) {
    r->body_asked_ = r->body_received_ = r->body_end_ = r->body_piece_ready_ = false;
    r->body_error_ = 0;
    body_req_ = r;
    body_active_ = true;
    body_continue_ = req.expect_continue;
    body_chunked_ = req.framing == parser::body_framing::chunked;
    body_left_ = body_chunked_ ? 0 : req.content_length;
    in_flight_bytes_ += 2 * svc_.cfg_.body_window;  // its window and the piece it holds, at most
  }
  if (ws_.state) r->websocket_ = websocket_channel();  // a deferred handshake
  r->body_ = rebase(body, from, span, to);
  std::string_view new_path = rebase(path, from, span, to);
  if (decoded) {
    const std::size_t at = r->storage_.size();
    r->storage_.append(path);
    new_path = {r->storage_.data() + at, path.size()};
  }
  r->path_ = new_path;
  r->header_store_.resize(req.headers.size());
  for (std::size_t i = 0; i < req.headers.size(); ++i) {
    r->header_store_[i] = {rebase(req.headers[i].name, from, span, to),
                           rebase(req.headers[i].value, from, span, to)};
  }
  r->headers_ = r->header_store_;
  r->param_count_ = match_.param_count;
  for (std::size_t i = 0; i < match_.param_count; ++i) {
    const router::param& p = match_.params[i];
    r->params_[i] = {p.name, rebase(p.value, path.data(), path.size(), new_path.data())};
  }
  r->route_ = svc_.routes_.entries()[entry].id;
  r->seq_ = base_seq_ + slots_.size();
  in_flight_bytes_ += r->storage_.capacity();
  slot& s = slots_.emplace_back();  // built in place: a slot is a few strings wide
  s.req.reset(r);
  s.entry = entry;
  s.expected = svc_.expected_[entry].load(std::memory_order_relaxed);
  in_flight_expected_ += s.expected;
  s.close = close;
  s.keep_alive10 = ka10;
  s.head_only = head_only || req.method == "HEAD";  // a HEAD route's body is never sent
  closing_ = closing_ || close;
  ready_.push_back(r);
}

request* session::acquire() {
  std::unique_ptr<request> r;
  if (!pool_.empty()) {
    r = std::move(pool_.back());
    pool_.pop_back();
  } else {
    r = std::make_unique<request>();
  }
  r->owner_ = &owner_;
  return r.release();
}

void session::complete(request& r, response&& resp) {
  if (r.seq_ < base_seq_ || r.seq_ - base_seq_ >= slots_.size()) return;  // not ours
  slot& s = slots_[static_cast<std::size_t>(r.seq_ - base_seq_)];
  if (s.req.get() != &r) return;
  if (r.websocket_ && websocket_answer(s, r, resp)) return;
  if (draining_ && &s == &slots_.back() && in_begin_ == in_end_) s.close = true;
  if (r.body_streamed_ && resp.kind != response::part::chunk) body_answered(s, r, resp);
  if (resp.kind != response::part::whole || r.streaming_) {
    stream(s, r, std::move(resp));
    return;
  }
  // Most responses carry no extra header and a plain content type: checked here in a few
  // instructions, the full rule runs only for the rest.
  if (!resp.headers.empty() || !plain_text(resp.content_type) || resp.file) {
    auto err = validate_response(resp);
    if (!err && resp.file) err = resp.file.check();
    if (err) {
      report(*err);
      resp = {500, "text/plain", {}, "Internal Server Error"};
    }
  }
  // A large body is sent from the handler's string after its head: no copy of it is made.
  const bool bodyless = resp.status == 204 || resp.status == 304;
  const bool apart = resp.body.size() >= large_buffer && !bodyless && !s.head_only;
  if (svc_.access_) {
    const auto sent = static_cast<std::int64_t>(resp.body.size() + resp.file.length());
    log_access(r, resp.status, bodyless || s.head_only ? 0 : sent);
  }
  const std::size_t interim = s.bytes.size();  // a 100 Continue still waiting, counted already
  detail::head_fields head{resp.status,       svc_.cfg_.server_name, date_,
                           resp.content_type, resp.headers,          s.close,
                           s.keep_alive10};
  head.extra_length = resp.file.length() + (s.head_only ? resp.head_length : 0);
  detail::render_response(s.bytes, head, resp.body, !apart && !s.head_only);
  if (apart) s.body = std::move(resp.body);
  if (resp.file && !bodyless && !s.head_only) keep_file(s, r.seq_, {{}, std::move(resp.file)});
  s.ready = true;
  released(resp.body.capacity());  // freed on return: counts towards giving memory back
  slot_bytes_ += s.bytes.size() - interim + s.body.size();
  in_flight_expected_ -= s.expected;
  const std::size_t now = s.bytes.size() + s.body.size();
  // Taught to every connection, but written only on a real change: io threads share the line.
  std::atomic<std::size_t>& expected = svc_.expected_[s.entry];
  const std::size_t was = expected.load(std::memory_order_relaxed);
  if (now > was + was / 4 || now < was - was / 4) expected.store(now, std::memory_order_relaxed);
  retire(s);
  flush_slots();
  process();
  sync_memory();
}

void session::retire(slot& s) {
  if (s.req->body_streamed_) {  // its window's buffers are not kept in the pool
    in_flight_bytes_ -= std::min(in_flight_bytes_, 2 * svc_.cfg_.body_window);
    std::string().swap(s.req->body_buf_);
    std::string().swap(s.req->body_piece_);
    s.req->body_streamed_ = false;
  }
  if (s.req->websocket_) s.req->websocket_.reset();
  std::string& storage = s.req->storage_;
  in_flight_bytes_ -= std::min(in_flight_bytes_, storage.capacity());
  if (storage.capacity() > keep_request) {
    released(storage.capacity());
    std::string().swap(storage);
  }
  if (pool_.size() < 16) pool_.push_back(std::move(s.req));
  s.req.reset();
}

// One part of a streamed response (server.h: response). Its bytes go straight to the output
// when every earlier response is out, else they wait in the slot (counted in slot_bytes_).
void session::stream(slot& s, request& r, response&& resp) {
  using part = response::part;
  std::string piece;
  const bool first = !r.streaming_;
  if (first) {
    std::optional<std::string> err;
    if (resp.kind != part::head) {
      err = "a streamed response part came before its head";
    } else if (!resp.headers.empty() || !plain_text(resp.content_type)) {
      err = validate_response(resp);
    }
    if (!err && resp.file) err = resp.file.check();
    if (err) {
      report(*err);
      complete(r, {500, "text/plain", {}, "Internal Server Error"});
      return;
    }
    r.streaming_ = s.streaming = true;
    const bool http11 = r.version_minor_ >= 1;
    if (!http11) s.close = closing_ = true;  // the close delimits the body
    const bool bodyless = resp.status == 204 || resp.status == 304 || r.method_ == "HEAD";
    s.chunked = http11 && !bodyless;
    s.raw = !http11 && !bodyless;
    in_flight_expected_ -= s.expected;  // what it sends is counted as it comes
    s.expected = 0;
    using framing = detail::head_fields::framing;
    if (svc_.access_) log_access(r, resp.status, bodyless ? 0 : -1);
    detail::render_response(
        piece,
        {resp.status, svc_.cfg_.server_name, date_, resp.content_type, resp.headers, s.close,
         s.keep_alive10, http11 ? framing::chunked : framing::close},
        {}, false);
  }
  if (resp.file && !take_file(s, resp.file, first)) r.gone_ = true;  // session_file.cc
  const std::size_t size = resp.body.size() + resp.file.length();
  if (size != 0 && (s.chunked || s.raw)) {
    if (s.chunked) {
      char hex[20];
      auto [p, ec] = std::to_chars(hex, hex + sizeof hex, size, 16);
      piece.append(hex, p).append("\r\n").append(resp.body);
      if (!resp.file) piece.append("\r\n");
    } else {
      piece += resp.body;
    }
  }
  const bool end = resp.kind == part::end || resp.kind == part::whole;
  std::string after;  // what follows the file's bytes
  std::string& tail = resp.file ? after : piece;
  if (resp.file && s.chunked) tail += "\r\n";
  if (end && s.chunked) tail += "0\r\n\r\n";
  if (!gone_ && !s.broken && (!piece.empty() || resp.file)) {
    if (resp.file || s.files) {
      queue_file(s, r.seq_, piece, std::move(resp.file), std::move(after));
    } else if (&s == &slots_.front()) {
      append_out(piece);
    } else {
      s.bytes += piece;
      slot_bytes_ += piece.size();
    }
  }
  if (end) {
    if (s.waiting) {
      s.waiting = false;
      --streams_waiting_;
    }
    s.ready = true;
    retire(s);
    flush_slots();
    process();
  } else if (s.gone_told) {
    s.gone_told = false;  // handed back already, gone, while its producer was between parts
  } else if (gone_ || r.gone_ || unsent() + slot_bytes_ < svc_.cfg_.max_output) {
    resume(r);
  } else {
    s.waiting = true;
    ++streams_waiting_;
  }
  sync_memory();
}

void session::wake_streams() {
  for (slot& s : slots_) {
    if (!s.waiting) continue;
    s.waiting = false;
    resume(*s.req);
  }
  streams_waiting_ = 0;
  woken_ = true;
}

bool session::closed() {
  gone_ = true;
  drop_files();
  const bool told = tell_gone();
  return websocket_end(1006) || told;
}

bool session::watching_peer() const noexcept {
  if (eof_ || gone_) return false;
  for (const slot& s : slots_) {
    if (s.req && !s.req->gone_ && (s.streaming || svc_.cfg_.tell_gone)) return true;
  }
  return false;
}

bool session::tell_gone() {
  bool told = false;
  for (slot& s : slots_) {
    if (!s.req) continue;
    request& r = *s.req;
    if (s.streaming) {
      // Told at once, also between two parts (its producer is quiet: an SSE stream waiting
      // for its next event); the part it sends next is dropped and handed back as ever.
      if (s.waiting) {
        s.waiting = false;
        --streams_waiting_;
      } else if (r.gone_) {
        continue;  // told already
      } else if (std::find(ready_.begin(), ready_.end(), &r) != ready_.end()) {
        r.gone_ = true;  // its last part's resumption has not reached the handler: it tells
        continue;
      } else {
        s.gone_told = true;  // this resumption stands for its next part's
      }
      r.gone_ = true;
    } else {
      if (r.gone_) continue;  // told once
      r.gone_ = true;
      if (!svc_.cfg_.tell_gone) continue;
    }
    resume(r);
    told = true;
  }
  return told;
}

void session::report(const std::string& message) const {
  if (svc_.cfg_.report) {
    svc_.cfg_.report(message);
  } else {
    std::fprintf(stderr, "lapwise server: answered 500: %s\n", message.c_str());
  }
}

void session::flush_slots() {
  while (!slots_.empty()) {
    slot& s = slots_.front();
    if (!s.ready) {
      if (!s.bytes.empty()) {  // its parts (or 100 Continue) so far; the next go out directly
        slot_bytes_ -= s.bytes.size();
        append_out(s.bytes);
        std::string().swap(s.bytes);
      }
      if (s.files) flush_files(s);
      return;
    }
    slot_bytes_ -= s.bytes.size() + s.body.size();
    if (out_pos_ == out_.size() && later_.empty() && s.bytes.size() > out_.capacity()) {
      out_.swap(s.bytes);  // a large response becomes the output without a copy
      out_pos_ = 0;
    } else {
      append_out(s.bytes);
    }
    if (!s.body.empty()) append_large(std::move(s.body));
    if (s.files) flush_files(s);
    closing_ = closing_ || s.close;
    slots_.pop_front();
    ++base_seq_;
  }
}

void session::append_large(std::string&& body) {
  if (out_pos_ == out_.size() && later_.empty()) {
    out_.swap(body);
    out_pos_ = 0;
    return;
  }
  later_bytes_ += body.size();
  later_.push_back({std::move(body), {}});
  later_.emplace_back();  // what comes next is appended here
}

void session::emit(std::string&& bytes, bool close) {
  if (slots_.empty()) {
    append_out(bytes);
  } else {
    slot& s = slots_.emplace_back();
    s.bytes = std::move(bytes);
    s.ready = true;
    s.close = close;
    slot_bytes_ += s.bytes.size();
  }
  closing_ = closing_ || close;
}

void session::emit_view(std::string_view bytes, bool close) { emit(std::string(bytes), close); }

// Over the server's memory cap: 503, try again shortly, and this connection ends (what it
// sent after this request is not read).
void session::overloaded() {
  std::string bytes;
  detail::render_response(
      bytes, {503, svc_.cfg_.server_name, date_, "text/plain", "Retry-After: 1\r\n", true, false},
      "server busy: memory limit reached");
  emit(std::move(bytes), true);  // closing_: nothing after it is parsed
}

void session::fail(parser::error_code e) {
  std::string bytes;
  const std::string_view text = parser::describe(e);
  detail::render_response(
      bytes, {parser::http_status(e), svc_.cfg_.server_name, date_, "text/plain", {}, true, false},
      text);
  emit(std::move(bytes), true);
  if (svc_.access_) {
    log_access({}, {}, {}, 1, {}, parser::http_status(e), static_cast<std::int64_t>(text.size()));
  }
  in_begin_ = in_end_;
  in_body_ = false;
  chunked_active_ = false;
  scanned_ = 0;
}

void session::log_access(std::string_view method, std::string_view path, std::string_view query,
                         int version_minor, std::span<const parser::header> headers, int status,
                         std::int64_t bytes) {
  detail::access_log* log = svc_.access_.get();
  if (log == nullptr) return;
  if (!addresses_known_) {  // once per connection, as for the first handler request
    addresses_known_ = true;
    owner_.addresses(peer_, local_);
  }
  log->add({peer_.host, method, path, query, version_minor, status, bytes, headers}, date_);
}

}  // namespace lapwise::server

// The session's WebSocket mode: the upgrade (at once, or deferred to the handler), bytes to
// the codec, frames from the channel to the output, the close handshake and its report.
#include <algorithm>
#include <mutex>
#include <utility>

#include "lapwise/server/session.h"
#include "lapwise/server/websocket_app.h"
#include "lapwise/server/websocket_handshake.h"

namespace lapwise::server {

using time_point = session::time_point;

struct session::ws_state {
  ws::app* app;
  std::shared_ptr<ws::channel> ch;
  ws::receiver rx;
  std::string head;            // a deferred handshake's 101, without its final CRLF
  bool live = false;           // the 101 is out: input is frames
  bool reported = false;       // on_closed() was called
  bool error_pending = false;  // a protocol error waits for the app's close (websocket_app.h)
  std::uint16_t code = 1006;   // what on_closed() says once the handshake completes
  // Keep-alive (config::websocket_*): stamped from the owner's clock as traffic passes, read
  // only when the deadline comes (websocket_timer()).
  time_point heard_at{};    // the last bytes from the peer
  time_point message_at{};  // the last message either way
  time_point ping_at{};     // our keep-alive Ping, while ping_out
  bool ping_out = false;
  ws_state(ws::app* a, std::optional<ws::deflate_params> pmd, std::string path, std::size_t bound)
      : app(a), ch(std::make_shared<ws::channel>(std::move(path), pmd, bound)), rx(a->lim, pmd) {}
};

session::ws_holder::ws_holder() noexcept = default;
session::ws_holder::~ws_holder() = default;

std::size_t session::ws_bytes() const noexcept {
  if (!ws_.state) return 0;
  std::lock_guard lock(ws_.state->ch->mu_);
  return sizeof(ws_state) + sizeof(ws::channel) + ws_.state->rx.footprint() +
         ws_.state->ch->tx_.footprint() + ws_.state->ch->outbox_.capacity();
}

bool session::websocket_live() const noexcept {
  return ws_.state && ws_.state->live && !ws_.state->reported;
}

bool session::websocket_awaiting_close() const noexcept {
  if (!websocket_live()) return false;
  std::lock_guard lock(ws_.state->ch->mu_);
  return ws_.state->ch->close_sent_ ? !ws_.state->rx.finished() : ws_.state->error_pending;
}

bool session::upgrade_websocket(const parser::request& req, std::string_view path,
                                std::size_t total) {
  ws::app* a = svc_.cfg_.websocket;
  if (a == nullptr || !req.upgrade || !slots_.empty() || !ws::wants_websocket(req.headers)) {
    return false;
  }
  std::optional<ws::handshake_options> opts = a->upgrade(path);
  if (!opts) return false;
  if (opts->deferred) opts->select_subprotocol = nullptr;  // the handler picks it
  ws::handshake hs = ws::accept_handshake({req.method, req.version_minor, req.headers}, *opts);
  if (svc_.access_ && (!hs.accepted || !opts->deferred))
    log_access(req, hs.status, hs.accepted ? 0 : -1);
  if (!hs.accepted) {
    in_begin_ += total;
    emit(std::move(hs.response), true);
    closing_ = true;
    return true;
  }
  auto w = std::make_unique<ws_state>(a, hs.deflate, std::string(path), svc_.cfg_.max_output);
  w->ch->link_ = &owner_;
  w->ch->sess_ = this;
  if (opts->deferred) {  // answer() routes it; dispatch() hands the channel to the handler
    hs.response.resize(hs.response.size() - 2);
    w->head = std::move(hs.response);
    ws_.state = std::move(w);
    return false;
  }
  in_begin_ += total;
  append_out(hs.response);
  w->ch->subprotocol_ = std::move(hs.subprotocol);
  w->live = true;
  w->heard_at = w->message_at = *now_;
  ws_.state = std::move(w);
  websocket_input();
  return true;
}

bool session::websocket_answer(slot& s, request& r, response& resp) {
  ws_state* w = ws_.state.get();
  if (w == nullptr || w->live || r.websocket_ != w->ch) return false;
  const auto refuse = [&] {
    websocket_end(1006);
    ws_.state.reset();
    return false;  // the answer goes out as an HTTP response, and the connection closes
  };
  if (resp.status != 101 || resp.kind != response::part::whole) return refuse();
  std::optional<std::string> err;
  if (gone_ || eof_) {
    err = "the client left before the WebSocket handshake was accepted";
  } else if (!resp.body.empty() && !ws::offered_subprotocol(r.headers(), resp.body)) {
    err = "the WebSocket subprotocol '" + resp.body + "' was not offered by the client";
  } else if (!resp.headers.empty()) {
    err = validate_response({200, {}, resp.headers, {}});
  }
  if (err) {
    if (!gone_) report(*err);
    resp = {500, "text/plain", {}, "Internal Server Error"};
    return refuse();
  }
  if (svc_.access_) log_access(r, 101, 0);
  s.bytes = std::move(w->head);
  if (!resp.body.empty()) s.bytes.append("Sec-WebSocket-Protocol: ").append(resp.body) += "\r\n";
  s.bytes.append(resp.headers) += "\r\n";
  w->ch->subprotocol_ = std::move(resp.body);
  s.ready = true;
  s.close = false;
  closing_ = false;  // set only because the handshake could have been refused
  in_flight_expected_ -= s.expected;
  slot_bytes_ += s.bytes.size();
  retire(s);
  flush_slots();
  w->live = true;
  w->heard_at = w->message_at = *now_;
  websocket_output(false);  // what was sent before the accept follows the 101
  if (draining_) websocket_stop();
  process();
  sync_memory();
  return true;
}

void session::websocket_input() {
  ws_state& w = *ws_.state;
  w.heard_at = *now_;  // any byte is a sign of life (a Pong, a frame, part of one)
  {
    std::lock_guard lock(w.ch->mu_);
    w.ch->flush_due_ = true;  // what on_event() sends is taken below, with the replies
  }
  std::string_view in(in_.get() + in_begin_, in_end_ - in_begin_);
  while (true) {
    const ws::receive_result r = w.rx.receive(in);
    in.remove_prefix(r.consumed);
    switch (r.ev.kind) {
      case ws::event_kind::none:
        break;
      case ws::event_kind::ping: {
        std::lock_guard lock(w.ch->mu_);
        if (!w.ch->close_sent_) w.ch->tx_.pong(w.ch->outbox_, r.ev.payload);
        continue;
      }
      case ws::event_kind::pong:
        continue;
      case ws::event_kind::close:  // echo the peer's code; a Close without one gets none
        w.code = r.ev.code;
        w.ch->close(r.ev.code, {});
        w.app->on_event(*w.ch, r.ev);
        continue;
      case ws::event_kind::error:
        w.code = r.ev.code;
        w.error_pending = w.app->app_closes_on_error;
        if (!w.error_pending) w.ch->close(r.ev.code, r.ev.payload);
        w.app->on_event(*w.ch, r.ev);
        continue;
      default:
        w.message_at = *now_;
        w.app->on_event(*w.ch, r.ev);
        continue;
    }
    if (in.empty() || r.consumed == 0) break;
  }
  in_begin_ = in_end_;  // the receiver keeps what it needs of a partial frame
  woken_ = true;        // the app may collect events until the loop turn ends
  websocket_output(false);
  sync_memory();
}

void session::websocket_output(bool poke) {
  ws_state* w = ws_.state.get();
  if (w == nullptr) return;
  bool room = false, finished = false;
  {
    std::lock_guard lock(w->ch->mu_);
    w->ch->flush_due_ = false;
    if (!w->live || w->reported) return;
    if (w->ch->message_queued_) {  // the application sent a message since the last flush
      w->ch->message_queued_ = false;
      w->message_at = *now_;
    }
    std::string& box = w->ch->outbox_;
    if (!box.empty()) {
      if (gone_) {
        box.clear();
      } else if (out_pos_ == out_.size() && later_.empty()) {
        out_.clear();  // everything written: the queue becomes the output, without a copy
        out_pos_ = 0;
        out_.swap(box);
      } else {
        append_out(box);
        box.clear();
      }
      if (box.capacity() > session::large_buffer) {
        released(box.capacity());
        std::string().swap(box);
      }
    }
    w->ch->unsent_ = unsent();
    if (w->ch->want_room_ && w->ch->unsent_ < w->ch->bound_) {
      w->ch->want_room_ = false;
      room = true;
    }
    finished = w->ch->close_sent_ && w->rx.finished();
  }
  if (room) {
    w->app->on_writable(*w->ch);
    woken_ = true;
  }
  if (finished) {
    closing_ = true;
    websocket_end(w->code);
  }
  if (poke) owner_.poke();
}

void session::websocket_unrouted() {
  if (ws_.state->live) return;
  if (!slots_.empty() && slots_.back().req && slots_.back().req->websocket_ == ws_.state->ch) {
    return;  // with the handler
  }
  websocket_end(1006);
  ws_.state.reset();
}

std::shared_ptr<ws::channel> session::websocket_channel() const { return ws_.state->ch; }

// RFC 6455 5.5.2: a Ping may serve as a keep-alive; any bytes from the peer after it (its Pong,
// or a frame it was sending anyway) answer it. Deadlines are computed from stamps only when
// they come, so traffic costs a store per read and per message, never a timer operation.
time_point session::websocket_deadline() const noexcept {
  const ws_state& w = *ws_.state;
  const config& c = svc_.cfg_;
  time_point due = time_point::max();
  if (c.websocket_idle_timeout.count() > 0) due = w.message_at + c.websocket_idle_timeout;
  if (c.websocket_ping_interval.count() > 0) {
    if (!w.ping_out) {
      due = std::min(due, w.heard_at + c.websocket_ping_interval);
    } else if (c.websocket_ping_timeout.count() > 0) {
      due = std::min(due, w.ping_at + c.websocket_ping_timeout);
    } else {  // no limit: an unanswered Ping is followed by another after the interval
      due = std::min(due, w.ping_at + c.websocket_ping_interval);
    }
  }
  return due;
}

// Close codes (RFC 6455 7.4.1): an unanswered keep-alive is 1011, what the `websockets`
// library (uvicorn's) sends for it: the connection failed a condition the server needs, where
// 1001 ("going away") says the endpoint itself is leaving; 1001 stays for a stop and for the
// application's idle timeout, which ends a healthy connection the server no longer keeps.
void session::websocket_timer() {
  ws_state& w = *ws_.state;
  const config& c = svc_.cfg_;
  const time_point now = *now_;
  const auto close_with = [&](std::uint16_t code, std::string_view why) {
    w.ch->close(code, why);  // the peer then has header_timeout to send its Close
    websocket_output(false);
  };
  if (c.websocket_idle_timeout.count() > 0 && now >= w.message_at + c.websocket_idle_timeout) {
    close_with(1001, "idle timeout");
    return;
  }
  if (c.websocket_ping_interval.count() <= 0) return;
  if (w.ping_out) {
    if (w.heard_at >= w.ping_at) {
      w.ping_out = false;  // answered
    } else if (c.websocket_ping_timeout.count() > 0) {
      if (now >= w.ping_at + c.websocket_ping_timeout) close_with(1011, "keepalive ping timeout");
      return;
    } else if (now >= w.ping_at + c.websocket_ping_interval) {
      w.ping_out = false;  // no limit on the answer: ping again
    }
  }
  if (!w.ping_out && now >= w.heard_at + c.websocket_ping_interval) {
    w.ping_out = true;
    w.ping_at = now;
    {
      std::lock_guard lock(w.ch->mu_);
      if (w.ch->close_sent_ || w.ch->ended_) return;
      w.ch->tx_.ping(w.ch->outbox_, {});
    }
    websocket_output(false);
  }
}

void session::websocket_stop() {
  if (!websocket_live()) return;
  ws_.state->ch->close(1001, "server stopping");
  websocket_output(false);
}

bool session::websocket_end(std::uint16_t code) {
  ws_state* w = ws_.state.get();
  if (w == nullptr || w->reported) return false;
  w->reported = true;
  if (w->error_pending) code = w->code;  // the protocol error is why it ended
  {
    std::lock_guard lock(w->ch->mu_);
    w->ch->ended_ = true;
    w->ch->link_ = nullptr;
    w->ch->want_room_ = false;
  }
  w->ch->sess_ = nullptr;
  w->app->on_closed(*w->ch, code);
  woken_ = true;
  return true;
}

}  // namespace lapwise::server

// The session's WebSocket mode: the upgrade (at once, or deferred to the handler), bytes to
// the codec, frames from the channel to the output, the close handshake and its report.
#include <mutex>
#include <utility>

#include "lapwise/server/session.h"
#include "lapwise/server/websocket_app.h"
#include "lapwise/server/websocket_handshake.h"

namespace lapwise::server {

struct session::ws_state {
  ws::app* app;
  std::shared_ptr<ws::channel> ch;
  ws::receiver rx;
  std::string head;            // a deferred handshake's 101, without its final CRLF
  bool live = false;           // the 101 is out: input is frames
  bool reported = false;       // on_closed() was called
  bool error_pending = false;  // a protocol error waits for the app's close (websocket_app.h)
  std::uint16_t code = 1006;   // what on_closed() says once the handshake completes
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
  websocket_output(false);  // what was sent before the accept follows the 101
  if (draining_) websocket_stop();
  process();
  sync_memory();
  return true;
}

void session::websocket_input() {
  ws_state& w = *ws_.state;
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

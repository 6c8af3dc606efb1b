// The session's WebSocket mode: the upgrade, then bytes to the codec and frames back out.
#include <utility>

#include "lapwise/server/session.h"
#include "lapwise/server/websocket_app.h"
#include "lapwise/server/websocket_endpoint.h"
#include "lapwise/server/websocket_handshake.h"

namespace lapwise::server {

struct session::ws_state final : ws::channel {
  ws::app* app;
  ws::endpoint ep;
  std::string path_, subprotocol_;
  std::string* out = nullptr;  // set while the codec runs (the replies' destination)
  ws_state(ws::app* a, std::optional<ws::deflate_params> pmd, std::string path, std::string sub)
      : app(a), ep(a->lim, pmd), path_(std::move(path)), subprotocol_(std::move(sub)) {}
  bool send(bool text, std::string_view payload) override {
    return out != nullptr && ep.send(*out, text, payload);
  }
  void close(std::uint16_t code, std::string_view reason) override {
    if (out != nullptr) ep.close(*out, code, reason);
  }
  std::string_view path() const noexcept override { return path_; }
  std::string_view subprotocol() const noexcept override { return subprotocol_; }
};

session::ws_holder::ws_holder() noexcept = default;
session::ws_holder::~ws_holder() = default;

std::size_t session::ws_bytes() const noexcept {
  return ws_.state ? sizeof(ws_state) + ws_.state->ep.footprint() : 0;
}

bool session::upgrade_websocket(const parser::request& req, std::string_view path,
                                std::size_t total) {
  ws::app* a = svc_.cfg_.websocket;
  if (a == nullptr || !req.upgrade || !slots_.empty() || !ws::wants_websocket(req.headers)) {
    return false;
  }
  std::optional<ws::handshake_options> opts = a->upgrade(path);
  if (!opts) return false;
  ws::handshake hs = ws::accept_handshake({req.method, req.version_minor, req.headers}, *opts);
  in_begin_ += total;
  if (!hs.accepted) {
    emit(std::move(hs.response), true);
    closing_ = true;
    return true;
  }
  append_out(hs.response);
  ws_.state = std::make_unique<ws_state>(a, hs.deflate, std::string(path), hs.subprotocol);
  websocket_input();
  return true;
}

void session::websocket_input() {
  ws_state& w = *ws_.state;
  std::string out;
  w.out = &out;
  std::string_view in(in_.get() + in_begin_, in_end_ - in_begin_);
  while (true) {
    const ws::receive_result r = w.ep.receive(in, out);
    in.remove_prefix(r.consumed);
    if (r.ev.kind != ws::event_kind::none) {
      w.app->on_event(w, r.ev);
    } else if (in.empty() || r.consumed == 0) {
      break;
    }
  }
  w.out = nullptr;
  in_begin_ = in_end_;  // the receiver keeps what it needs of a partial frame
  if (!out.empty()) append_out(out);
  if (w.ep.done()) closing_ = true;
  sync_memory();
}

}  // namespace lapwise::server

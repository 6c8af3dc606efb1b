#include "lapwise/server/websocket_endpoint.h"

namespace lapwise::server::ws {

endpoint::endpoint(limits lim, std::optional<deflate_params> pmd) : rx_(lim, pmd), tx_(pmd) {}

receive_result endpoint::receive(std::string_view bytes, std::string& out) {
  receive_result total;
  while (true) {
    auto r = rx_.receive(bytes.substr(total.consumed));
    total.consumed += r.consumed;
    switch (r.ev.kind) {
      case event_kind::ping:
        if (!close_sent_) tx_.pong(out, r.ev.payload);
        continue;
      case event_kind::pong:
        continue;
      case event_kind::close:
        // Echo the peer's code; a Close without one is answered without one.
        close(out, r.ev.code, {});
        break;
      case event_kind::error:
        close(out, r.ev.code, r.ev.payload);
        break;
      default:
        break;
    }
    total.ev = r.ev;
    return total;
  }
}

bool endpoint::send(std::string& out, bool text, std::string_view payload) {
  if (close_sent_) return false;
  tx_.message(out, text, payload);
  return true;
}

bool endpoint::ping(std::string& out, std::string_view data) {
  if (close_sent_) return false;
  tx_.ping(out, data);
  return true;
}

void endpoint::close(std::string& out, std::uint16_t code, std::string_view reason) {
  if (close_sent_) return;
  close_sent_ = true;
  tx_.close(out, code, reason);
}

}  // namespace lapwise::server::ws

// ws::channel: the thread-safe handle an application sends on (websocket_app.h). Frames are
// written here, under the lock, in the order the calls take it (the deflate context is
// shared by every frame); the session takes them on its io thread (websocket_session.cc).
#include <utility>

#include "lapwise/server/session.h"
#include "lapwise/server/websocket_app.h"

namespace lapwise::server::ws {

channel::channel(std::string path, std::optional<deflate_params> pmd, std::size_t bound)
    : tx_(pmd), bound_(bound), path_(std::move(path)) {}

channel::~channel() = default;

void channel::post_flush_locked() {
  if (flush_due_ || link_ == nullptr) return;
  flush_due_ = true;
  // The session is looked up on the io thread: it may be gone by the time this runs.
  link_->post([self = shared_from_this()] {
    if (self->sess_ != nullptr) self->sess_->websocket_output(true);
  });
}

send_result channel::queue_locked(bool text, std::string_view payload) {
  if (close_sent_ || ended_) return send_result::closed;
  if (outbox_.size() + unsent_ >= bound_) {
    want_room_ = true;
    return send_result::full;
  }
  tx_.message(outbox_, text, payload);
  message_queued_ = true;
  post_flush_locked();
  if (outbox_.size() + unsent_ >= bound_) {
    want_room_ = true;
    return send_result::wait;
  }
  return send_result::ok;
}

send_result channel::send(bool text, std::string_view payload) {
  std::lock_guard lock(mu_);
  return queue_locked(text, payload);
}

send_result channel::ping(std::string_view data) {
  std::lock_guard lock(mu_);
  if (close_sent_ || ended_) return send_result::closed;
  tx_.ping(outbox_, data);
  post_flush_locked();
  return outbox_.size() + unsent_ >= bound_ ? send_result::wait : send_result::ok;
}

bool channel::close(std::uint16_t code, std::string_view reason) {
  std::lock_guard lock(mu_);
  if (close_sent_ || ended_) return false;
  close_sent_ = true;
  tx_.close(outbox_, code, reason);
  post_flush_locked();
  return true;
}

bool channel::ended() const {
  std::lock_guard lock(mu_);
  return ended_;
}

bool channel::attach(void* context) {
  std::lock_guard lock(mu_);
  if (ended_) return false;
  context_.store(context, std::memory_order_release);
  return true;
}

}  // namespace lapwise::server::ws

// Private: the work other threads hand a loop (a handler's answer, a channel's flush), queued
// under a lock and run on the loop's thread. Both transports keep one per loop; only how the
// loop is woken differs (the epoll loop's eventfd, one Asio post), and that wake is needed once
// per batch: push() says when, and answer_batch may hold it until the outermost batch ends.
#pragma once

#include <functional>
#include <mutex>
#include <utility>
#include <vector>

#include "answer_batch.h"

namespace lapwise::server::detail {

class post_queue {
 public:
  // Queues `f` (any thread); the first of a batch calls wake(key) now or, under an
  // answer_batch on this thread, once when the outermost one ends.
  void push(std::function<void()> f, const void* key, void (*wake)(const void*)) {
    bool first;
    {
      std::lock_guard lock(mu_);
      first = posted_.empty();
      posted_.push_back(std::move(f));
    }
    if (first && !defer_wake(key, wake)) wake(key);
  }
  // On the loop's thread: runs what was queued so far, in order.
  void run() {
    {
      std::lock_guard lock(mu_);
      running_.swap(posted_);
    }
    for (auto& f : running_) f();
    running_.clear();
  }

 private:
  std::mutex mu_;
  std::vector<std::function<void()>> posted_, running_;
};

}  // namespace lapwise::server::detail

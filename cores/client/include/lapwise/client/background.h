// A batch run on its own thread, handing finished request indices to one consumer thread (the
// Python binding). The consumer either waits with a timeout, so that it can run signal
// handlers between waits (Ctrl-C), or watches notify_fd() from an event loop (asyncio's
// add_reader) and calls poll() when it is readable.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "lapwise/client/client.h"

namespace lapwise::client {

class background_run {
 public:
  // Starts running `b` on a new thread.
  explicit background_run(std::unique_ptr<batch> b);
  // Cancels the run if it is still going, and joins the thread.
  ~background_run();
  background_run(const background_run&) = delete;
  background_run& operator=(const background_run&) = delete;

  // Indices finished since the last wait()/poll(), waiting up to `timeout` for at least one
  // (returns at once, possibly empty, when the run has finished).
  std::vector<std::size_t> wait(duration timeout);
  // Same without waiting; also empties notify_fd().
  std::vector<std::size_t> poll();
  // Waits up to `timeout` for run() to return, without handing out indices; true once it has.
  // The consumer that needs no per-result callback uses this: it sleeps through the run
  // instead of waking for every batch of results (it shares a CPU with the run's thread).
  bool wait_end(duration timeout);
  // True once run() has returned and every index has been handed out.
  [[nodiscard]] bool finished();
  // An eventfd that is readable while undelivered indices (or the end of the run) are pending.
  [[nodiscard]] int notify_fd() const noexcept { return event_fd_; }

  void cancel() noexcept { batch_->cancel(); }
  // Waits for the thread; results() is then complete.
  void join();
  [[nodiscard]] batch& get() noexcept { return *batch_; }

 private:
  void push(std::size_t index);
  std::vector<std::size_t> take_locked();

  std::unique_ptr<batch> batch_;
  std::mutex mutex_;
  std::condition_variable ready_;      // a first pending index, or the end of the run
  std::condition_variable ended_cv_;   // the end of the run only
  std::vector<std::size_t> finished_;  // not yet handed out
  bool ended_ = false;                 // run() returned
  bool signalled_ = false;             // event_fd_ holds an unread count
  int event_fd_ = -1;
  std::thread thread_;
};

}  // namespace lapwise::client

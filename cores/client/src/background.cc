#include "lapwise/client/background.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace lapwise::client {

background_run::background_run(std::unique_ptr<batch> b) : batch_(std::move(b)) {
  event_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  thread_ = std::thread([this] {
    batch_->run([this](std::size_t i) { push(i); });
    std::lock_guard lock(mutex_);
    ended_ = true;
    if (!signalled_ && event_fd_ >= 0) {
      std::uint64_t one = 1;
      [[maybe_unused]] auto w = ::write(event_fd_, &one, sizeof one);
      signalled_ = true;
    }
    ready_.notify_all();
    ended_cv_.notify_all();
  });
}

background_run::~background_run() {
  cancel();
  join();
  if (event_fd_ >= 0) ::close(event_fd_);
}

void background_run::push(std::size_t index) {
  std::lock_guard lock(mutex_);
  finished_.push_back(index);
  // One eventfd write per batch of results, not per result: the reader drains them all.
  if (!signalled_ && event_fd_ >= 0) {
    std::uint64_t one = 1;
    [[maybe_unused]] auto w = ::write(event_fd_, &one, sizeof one);
    signalled_ = true;
  }
  if (finished_.size() == 1) ready_.notify_one();
}

std::vector<std::size_t> background_run::take_locked() {
  if (signalled_ && event_fd_ >= 0) {
    std::uint64_t count;
    [[maybe_unused]] auto r = ::read(event_fd_, &count, sizeof count);
    signalled_ = false;
  }
  std::vector<std::size_t> out;
  out.swap(finished_);
  return out;
}

std::vector<std::size_t> background_run::wait(duration timeout) {
  std::unique_lock lock(mutex_);
  ready_.wait_for(lock, timeout, [this] { return ended_ || !finished_.empty(); });
  return take_locked();
}

std::vector<std::size_t> background_run::poll() {
  std::lock_guard lock(mutex_);
  return take_locked();
}

bool background_run::wait_end(duration timeout) {
  std::unique_lock lock(mutex_);
  return ended_cv_.wait_for(lock, timeout, [this] { return ended_; });
}

bool background_run::finished() {
  std::lock_guard lock(mutex_);
  return ended_ && finished_.empty();
}

void background_run::join() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace lapwise::client

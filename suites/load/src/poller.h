// lapwise::load::poller — one epoll set per driver thread, with a nanosecond wait.
//
// Level-triggered: a socket that still has bytes after one recv is reported again by the next
// wait, so the driver reads once per readiness and never issues a speculative recv that would
// only return EAGAIN. The wait takes its timeout in nanoseconds (epoll_pwait2) so the open-loop
// pacing needs no timerfd (no timerfd_settime per wakeup); on a kernel without epoll_pwait2 it
// falls back to epoll_wait, rounding the timeout up to whole milliseconds (requests then leave
// later, and that lateness is measured and charged, never hidden).
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <span>

namespace lapwise::load {

class poller {
 public:
  poller() noexcept;  // check ok(): creating an epoll set can fail (fd limit)
  ~poller();
  poller(const poller&) = delete;
  poller& operator=(const poller&) = delete;

  [[nodiscard]] bool ok() const noexcept { return fd_ >= 0; }
  [[nodiscard]] int error() const noexcept { return error_; }  // errno of the failed create

  // Registers / changes / removes fd with `events` (EPOLLIN, EPOLLOUT) and `cookie` returned
  // with its events. 0 on success, else errno.
  int add(int fd, std::uint32_t events, void* cookie) noexcept;
  int modify(int fd, std::uint32_t events, void* cookie) noexcept;
  int remove(int fd) noexcept;

  // Waits at most timeout_ns (0: poll, < 0: forever) for events; returns how many were stored
  // in `out` (0 on timeout or EINTR), or -errno on failure.
  int wait(std::span<epoll_event> out, std::int64_t timeout_ns) noexcept;

 private:
  int fd_ = -1;
  int error_ = 0;
  bool have_pwait2_ = true;
};

}  // namespace lapwise::load

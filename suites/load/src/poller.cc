#include "poller.h"

#include <unistd.h>

#include <cerrno>
#include <ctime>

namespace lapwise::load {

poller::poller() noexcept : fd_(::epoll_create1(EPOLL_CLOEXEC)) {
  if (fd_ < 0) error_ = errno;
}

poller::~poller() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {
int control(int epfd, int op, int fd, std::uint32_t events, void* cookie) noexcept {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = cookie;
  return ::epoll_ctl(epfd, op, fd, &ev) == 0 ? 0 : errno;
}
}  // namespace

int poller::add(int fd, std::uint32_t events, void* cookie) noexcept {
  return control(fd_, EPOLL_CTL_ADD, fd, events, cookie);
}

int poller::modify(int fd, std::uint32_t events, void* cookie) noexcept {
  return control(fd_, EPOLL_CTL_MOD, fd, events, cookie);
}

int poller::remove(int fd) noexcept { return control(fd_, EPOLL_CTL_DEL, fd, 0, nullptr); }

int poller::wait(std::span<epoll_event> out, std::int64_t timeout_ns) noexcept {
  const int max = static_cast<int>(out.size());
  int n = 0;
  if (have_pwait2_) {
    timespec ts{};
    timespec* tsp = nullptr;
    if (timeout_ns >= 0) {
      ts.tv_sec = static_cast<time_t>(timeout_ns / 1'000'000'000);
      ts.tv_nsec = static_cast<long>(timeout_ns % 1'000'000'000);
      tsp = &ts;
    }
    n = ::epoll_pwait2(fd_, out.data(), max, tsp, nullptr);
    if (n < 0 && errno == ENOSYS) {
      have_pwait2_ = false;
    } else {
      return n >= 0 ? n : (errno == EINTR ? 0 : -errno);
    }
  }
  int ms = -1;
  if (timeout_ns >= 0) {
    const std::int64_t up = (timeout_ns + 999'999) / 1'000'000;
    ms = up > 1'000'000'000 ? 1'000'000'000 : static_cast<int>(up);
  }
  n = ::epoll_wait(fd_, out.data(), max, ms);
  return n >= 0 ? n : (errno == EINTR ? 0 : -errno);
}

}  // namespace lapwise::load

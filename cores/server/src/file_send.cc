// sendfile(2) and its pread(2) fallback for file_body (file_send.h).
#include "file_send.h"

#include <sys/sendfile.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <ctime>

namespace lapwise::server::detail {

namespace {

// sendfile has no MSG_NOSIGNAL: writing to a socket whose peer left raises SIGPIPE, which
// ends a process that keeps the default action. The io thread blocks it (its other writes
// pass MSG_NOSIGNAL, so nothing else is affected) once, and takes back a SIGPIPE that a
// failed sendfile left pending, so that it never reaches anyone.
void block_sigpipe_once() noexcept {
  thread_local bool blocked = false;
  if (blocked) return;
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  blocked = true;
}

void take_pending_sigpipe() noexcept {
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  const timespec none{0, 0};
  const int saved = errno;
  while (sigtimedwait(&pipe, nullptr, &none) == SIGPIPE) {
  }
  errno = saved;
}

}  // namespace

ssize_t sendfile_some(int sock, const file_body& f, std::size_t most) noexcept {
  block_sigpipe_once();
  off_t at = static_cast<off_t>(f.offset());
  for (;;) {
    const ssize_t sent = ::sendfile(sock, f.fd(), &at, most);
    if (sent >= 0 || errno != EINTR) {
      if (sent < 0 && errno == EPIPE) take_pending_sigpipe();
      return sent;
    }
  }
}

ssize_t pread_some(const file_body& f, char* into, std::size_t cap) noexcept {
  if (cap > f.length()) cap = static_cast<std::size_t>(f.length());
  for (;;) {
    const ssize_t got = ::pread(f.fd(), into, cap, static_cast<off_t>(f.offset()));
    if (got >= 0 || errno != EINTR) return got;
  }
}

}  // namespace lapwise::server::detail

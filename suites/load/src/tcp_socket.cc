#include "tcp_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lapwise::load::tcp {

bool parse_endpoint(const std::string& host, std::uint16_t port, endpoint& out) noexcept {
  out = {};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.addr);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    out.len = sizeof(sockaddr_in);
    return true;
  }
  out = {};
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.addr);
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    out.len = sizeof(sockaddr_in6);
    return true;
  }
  out = {};
  return false;
}

connect_result start_connect(const endpoint& to) noexcept {
  connect_result r;
  const int fd = ::socket(to.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    r.error = errno;
    return r;
  }
  // Requests are small and must leave at once: Nagle would hold a pipelined batch's tail back.
  const int one = 1;
  if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
    r.error = errno;
    ::close(fd);
    return r;
  }
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&to.addr), to.len) == 0) {
    r.fd = fd;
    r.done = true;
    return r;
  }
  if (errno == EINPROGRESS) {
    r.fd = fd;
    return r;
  }
  r.error = errno;
  ::close(fd);
  return r;
}

int connect_error(int fd) noexcept {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

bool io_result::would_block() const noexcept {
  return n < 0 && (error == EAGAIN || error == EWOULDBLOCK || error == EINTR);
}

io_result send_some(int fd, const char* data, std::size_t size) noexcept {
  io_result r;
  r.n = ::send(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
  if (r.n < 0) r.error = errno;
  return r;
}

io_result recv_some(int fd, char* data, std::size_t size) noexcept {
  io_result r;
  r.n = ::recv(fd, data, size, MSG_DONTWAIT);
  if (r.n < 0) r.error = errno;
  return r;
}

void close_fd(int& fd) noexcept {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

std::string describe(int error) { return std::strerror(error); }

}  // namespace lapwise::load::tcp

// lapwise::load::tcp — the few raw, non-blocking TCP socket calls the driver makes (no Asio:
// the load generator's own CPU per request is what it measures against, so every syscall
// counts). Errors are values (an errno), never exceptions or signals.
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace lapwise::load::tcp {

struct endpoint {
  sockaddr_storage addr{};
  socklen_t len = 0;
};

// A numeric IPv4 or IPv6 address (no name lookup) and a port; false for anything else.
bool parse_endpoint(const std::string& host, std::uint16_t port, endpoint& out) noexcept;

struct connect_result {
  int fd = -1;        // >= 0: a non-blocking socket, connected or connecting
  bool done = false;  // connected already (else: EPOLLOUT says when, connect_error() how)
  int error = 0;      // errno when fd < 0
};
// Opens a non-blocking, close-on-exec TCP socket with TCP_NODELAY and starts connecting it.
connect_result start_connect(const endpoint& to) noexcept;
// After a connecting socket became writable: 0 when connected, else the errno of the failure.
int connect_error(int fd) noexcept;

// One send/recv on a non-blocking socket: n >= 0 bytes, or n < 0 with `error` = errno
// (EAGAIN/EWOULDBLOCK: nothing now). send never raises SIGPIPE; recv n == 0 is the peer's close.
struct io_result {
  std::ptrdiff_t n = 0;
  int error = 0;
  [[nodiscard]] bool would_block() const noexcept;
};
io_result send_some(int fd, const char* data, std::size_t size) noexcept;
io_result recv_some(int fd, char* data, std::size_t size) noexcept;

void close_fd(int& fd) noexcept;  // closes (if open) and sets fd to -1
std::string describe(int error);  // strerror text for an errno

}  // namespace lapwise::load::tcp

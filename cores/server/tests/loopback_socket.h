// What the server tests that talk over real sockets share: a blocking client socket on
// 127.0.0.1 (reads give up after 10 s, so a test that waits for a wrong server still ends),
// sending all of a string, and reading until a marker.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace lapwise::server::loopback {

// Connected to 127.0.0.1:port, or -1 (a failed expectation).
inline int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ADD_FAILURE() << "connect to 127.0.0.1:" << port;
    ::close(fd);
    return -1;
  }
  return fd;
}

inline void send_all(int fd, std::string_view s) {
  EXPECT_EQ(::send(fd, s.data(), s.size(), MSG_NOSIGNAL), static_cast<ssize_t>(s.size()));
}

// What came until `until` was seen (or the peer closed, or 10 s of silence).
inline std::string read_until(int fd, std::string_view until) {
  std::string got;
  char buf[4096];
  while (got.find(until) == std::string::npos) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

}  // namespace lapwise::server::loopback

// tcp_socket and poller: the raw calls the driver makes, on real sockets (a listening socket
// of the test and a connected pair), checking results and error values, never timings.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <string>

#include "poller.h"
#include "tcp_socket.h"

namespace lapwise::load {
namespace {

TEST(Tcp, EndpointsAreNumericOnly) {
  tcp::endpoint ep;
  EXPECT_TRUE(tcp::parse_endpoint("127.0.0.1", 8080, ep));
  EXPECT_EQ(ep.addr.ss_family, AF_INET);
  EXPECT_EQ(ep.len, sizeof(sockaddr_in));
  EXPECT_TRUE(tcp::parse_endpoint("::1", 80, ep));
  EXPECT_EQ(ep.addr.ss_family, AF_INET6);
  for (const char* bad : {"localhost", "", "1.2.3", "[::1]", "256.0.0.1"}) {
    EXPECT_FALSE(tcp::parse_endpoint(bad, 80, ep)) << bad;
    EXPECT_EQ(ep.len, 0u) << bad;
  }
}

// A listening socket on 127.0.0.1 with an ephemeral port; closed by the destructor.
struct listener {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  std::uint16_t port = 0;
  listener() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd, 8) != 0) return;
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~listener() { ::close(fd); }
};

TEST(Tcp, ConnectSendRecvThroughThePoller) {
  listener l;
  ASSERT_NE(l.port, 0);
  tcp::endpoint ep;
  ASSERT_TRUE(tcp::parse_endpoint("127.0.0.1", l.port, ep));
  tcp::connect_result c = tcp::start_connect(ep);
  ASSERT_GE(c.fd, 0) << tcp::describe(c.error);
  poller p;
  ASSERT_TRUE(p.ok());
  int cookie = 0;
  ASSERT_EQ(p.add(c.fd, EPOLLOUT, &cookie), 0);
  std::array<epoll_event, 4> ev{};
  ASSERT_EQ(p.wait(ev, 5'000'000'000), 1) << "a loopback connect completes";
  void* const got = ev[0].data.ptr;  // a copy: epoll_event is packed on x86-64
  EXPECT_EQ(got, &cookie);
  EXPECT_EQ(tcp::connect_error(c.fd), 0);
  const int peer = ::accept(l.fd, nullptr, nullptr);
  ASSERT_GE(peer, 0);
  ASSERT_EQ(p.modify(c.fd, EPOLLIN, &cookie), 0);
  EXPECT_EQ(p.wait(ev, 0), 0) << "nothing to read yet";
  std::array<char, 16> buf{};
  tcp::io_result r = tcp::recv_some(c.fd, buf.data(), buf.size());
  EXPECT_TRUE(r.would_block());
  r = tcp::send_some(c.fd, "ping", 4);
  EXPECT_EQ(r.n, 4);
  ASSERT_EQ(::read(peer, buf.data(), 4), 4);
  EXPECT_EQ(std::string(buf.data(), 4), "ping");
  ASSERT_EQ(::write(peer, "pong!", 5), 5);
  ASSERT_EQ(p.wait(ev, 5'000'000'000), 1);
  EXPECT_TRUE(ev[0].events & EPOLLIN);
  r = tcp::recv_some(c.fd, buf.data(), buf.size());
  EXPECT_EQ(r.n, 5);
  ::close(peer);
  ASSERT_EQ(p.wait(ev, 5'000'000'000), 1) << "level-triggered: the close is readable";
  r = tcp::recv_some(c.fd, buf.data(), buf.size());
  EXPECT_EQ(r.n, 0) << "the peer's close";
  EXPECT_EQ(p.remove(c.fd), 0);
  tcp::close_fd(c.fd);
  EXPECT_EQ(c.fd, -1);
  r = tcp::send_some(c.fd, "x", 1);
  EXPECT_EQ(r.error, EBADF) << "errors are values";
}

TEST(Tcp, RefusedConnectIsAnErrorValue) {
  std::uint16_t port;
  {
    listener l;
    port = l.port;
  }  // nothing listens there now
  tcp::endpoint ep;
  ASSERT_TRUE(tcp::parse_endpoint("127.0.0.1", port, ep));
  tcp::connect_result c = tcp::start_connect(ep);
  if (c.fd >= 0) {  // in progress: the failure is reported once the socket is writable
    poller p;
    int cookie = 0;
    ASSERT_EQ(p.add(c.fd, EPOLLOUT, &cookie), 0);
    std::array<epoll_event, 1> ev{};
    ASSERT_EQ(p.wait(ev, 5'000'000'000), 1);
    EXPECT_EQ(tcp::connect_error(c.fd), ECONNREFUSED);
    tcp::close_fd(c.fd);
  } else {
    EXPECT_EQ(c.error, ECONNREFUSED);
  }
}

TEST(Poller, BadDescriptorsAreErrorValues) {
  poller p;
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p.add(-1, EPOLLIN, nullptr), EBADF);
  EXPECT_EQ(p.modify(12345, EPOLLIN, nullptr), EBADF);
  EXPECT_EQ(p.remove(12345), EBADF);
  std::array<epoll_event, 1> ev{};
  EXPECT_EQ(p.wait(ev, 1000), 0) << "an empty set times out";
}

}  // namespace
}  // namespace lapwise::load

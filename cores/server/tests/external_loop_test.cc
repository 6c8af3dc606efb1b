// config::external_loop: the test's own thread runs the server through poll() (server.h), as
// an asyncio loop does in lapwise.asgi: where an answer is written from, when, and how the
// server stops when nobody polls any more.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "lapwise/server/server.h"

namespace lapwise::server {
namespace {

using namespace std::chrono_literals;

// Keeps what it is handed; answers inside handle() only when asked to.
class holding_handler : public handler {
 public:
  bool answer_inside = false;
  std::vector<request*> held;
  void handle(std::span<request* const> batch) noexcept override {
    for (request* r : batch) {
      if (answer_inside) {
        r->respond({200, "text/plain", {}, "inside"});
      } else {
        held.push_back(r);
      }
    }
  }
};

class client_socket {
 public:
  explicit client_socket(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    EXPECT_EQ(::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  }
  ~client_socket() { ::close(fd_); }
  void send_get() {
    const std::string req = "GET /x HTTP/1.1\r\nHost: a\r\n\r\n";
    EXPECT_EQ(::send(fd_, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  }
  // What the socket holds now, without waiting; "<eof>" once the server closed.
  std::string take() {
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0) return "<eof>";
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  }

 private:
  int fd_;
};

config external_config() {
  config cfg;
  cfg.external_loop = true;
  cfg.io = io_mode::epoll;
  return cfg;
}

route_table one_route() {
  route_table routes;
  EXPECT_FALSE(routes.add_dynamic("GET", "/x", 0));
  return routes;
}

// Polls as an event loop would (waiting on poll_fd() at most `most`) until `done` holds.
template <class Done>
bool poll_until(server& s, Done done, std::chrono::milliseconds most = 2000ms) {
  const auto end = std::chrono::steady_clock::now() + most;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    pollfd p{s.poll_fd(), POLLIN, 0};
    ::poll(&p, 1, 10);
    if (s.poll() < 0 && !done()) return false;
  }
  return true;
}

bool has_body(const std::string& got, const char* body) {
  return got.find(body) != std::string::npos;
}

// Where the answer comes from, and when it reaches the socket.
enum class answered_from {
  inside_handle,
  batch_on_loop_thread,
  alone_on_loop_thread,
  other_thread
};

TEST(ExternalLoop, AnswersReachTheSocket) {
  struct row {
    const char* name;
    answered_from from;
    bool written_at_once;  // before any further poll()
  };
  const row rows[] = {
      {"answered in handle(): the poll that dispatched writes it", answered_from::inside_handle,
       true},
      {"under an answer_batch on the loop thread: written when the batch ends",
       answered_from::batch_on_loop_thread, true},
      {"alone on the loop thread: the next poll writes it", answered_from::alone_on_loop_thread,
       false},
      {"from another thread: the next poll writes it", answered_from::other_thread, false},
  };
  for (const row& r : rows) {
    SCOPED_TRACE(r.name);
    holding_handler h;
    h.answer_inside = r.from == answered_from::inside_handle;
    server s(external_config(), one_route(), &h);
    ASSERT_FALSE(s.start());
    ASSERT_GE(s.poll_fd(), 0);
    client_socket c(s.port());
    c.send_get();
    std::string got;
    if (r.from == answered_from::inside_handle) {
      ASSERT_TRUE(poll_until(s, [&] { return has_body(got += c.take(), "inside"); }));
      continue;
    }
    ASSERT_TRUE(poll_until(s, [&] { return !h.held.empty(); }));
    request* held = h.held.front();
    switch (r.from) {
      case answered_from::batch_on_loop_thread: {
        answer_batch batch;
        held->respond({200, "text/plain", {}, "later"});
        break;
      }
      case answered_from::alone_on_loop_thread:
        held->respond({200, "text/plain", {}, "later"});
        break;
      default:
        std::thread([held] { held->respond({200, "text/plain", {}, "later"}); }).join();
        break;
    }
    if (r.written_at_once) {
      // The bytes are in the client's socket already: loopback delivers within the send.
      for (int i = 0; i < 200 && !has_body(got, "later"); ++i) {
        got += c.take();
        if (!has_body(got, "later")) std::this_thread::sleep_for(1ms);
      }
      EXPECT_TRUE(has_body(got, "later")) << got;
    } else {
      EXPECT_EQ(c.take(), "");  // nothing wrote it yet
      pollfd p{s.poll_fd(), POLLIN, 0};
      EXPECT_EQ(::poll(&p, 1, 2000), 1);  // the poll fd says a poll() is due
      ASSERT_TRUE(poll_until(s, [&] { return has_body(got += c.take(), "later"); }));
    }
  }
}

TEST(ExternalLoop, StopFromAnotherThreadEndsThePolls) {
  holding_handler h;
  h.answer_inside = true;
  server s(external_config(), one_route(), &h);
  ASSERT_FALSE(s.start());
  client_socket c(s.port());
  c.send_get();
  std::string got;
  ASSERT_TRUE(poll_until(s, [&] { return has_body(got += c.take(), "inside"); }));
  EXPECT_FALSE(s.wait(0ms));  // still running: nobody stopped it
  std::thread([&s] { s.stop(); }).join();
  int last = 0;
  ASSERT_TRUE(poll_until(s, [&] { return (last = s.poll()) < 0; }));
  EXPECT_TRUE(s.wait(0ms));
  EXPECT_EQ(s.poll(), -1);  // and stays stopped
}

TEST(ExternalLoop, NobodyPollingAnyMoreClosesEverySocket) {
  holding_handler h;
  auto s = std::make_unique<server>(external_config(), one_route(), &h);
  ASSERT_FALSE(s->start());
  client_socket c(s->port());
  c.send_get();
  ASSERT_TRUE(poll_until(*s, [&] { return !h.held.empty(); }));  // a request held, unanswered
  s->poll_last();
  EXPECT_TRUE(s->wait(0ms));
  std::string got;
  for (int i = 0; i < 200 && got.find("<eof>") == std::string::npos; ++i) {
    got += c.take();
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_NE(got.find("<eof>"), std::string::npos) << got;
  s.reset();  // and the destructor has nothing left to do
}

TEST(ExternalLoop, RefusedWithoutEpollOrWithMoreThanOneThread) {
  struct row {
    const char* name;
    io_mode io;
    unsigned threads;
  };
  const row rows[] = {{"asio", io_mode::asio, 1}, {"two threads", io_mode::epoll, 2}};
  for (const row& r : rows) {
    SCOPED_TRACE(r.name);
    config cfg = external_config();
    cfg.io = r.io;
    cfg.threads = r.threads;
    holding_handler h;
    server s(cfg, one_route(), &h);
    const auto err = s.start();
    ASSERT_TRUE(err);
    EXPECT_NE(err->find("external_loop"), std::string::npos) << *err;
    EXPECT_EQ(s.poll_fd(), -1);
    EXPECT_EQ(s.poll(), -1);
  }
}

}  // namespace
}  // namespace lapwise::server

// The whole client against a tiny HTTP/1.1 server on a loopback port in this process: results
// in order, retries counted exactly, read timeouts, refused connections, cancellation, and the
// input checks. The server thread is joined before each test ends.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lapwise/client/client.h"

namespace lapwise::client {
namespace {

using std::chrono::milliseconds;

// Paths: /ok -> 200 "ok"; /flaky/<id>/<n> -> 503 for the first n arrivals of <id>, then 200;
// /stall -> never answers; /v10 -> 200 "ok" with an HTTP/1.0 status line. Every request is
// counted.
class tiny_server {
 public:
  tiny_server() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd_, 128);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~tiny_server() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  [[nodiscard]] std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int count() {
    std::lock_guard lock(mutex_);
    return count_;
  }

 private:
  void serve() {
    std::vector<pollfd> fds{{fd_, POLLIN, 0}};
    std::map<int, std::string> bufs;
    while (!stop_) {
      if (poll(fds.data(), fds.size(), 20) <= 0) continue;
      std::vector<pollfd> next{fds[0]};
      if (fds[0].revents & POLLIN) {
        int c = accept(fd_, nullptr, nullptr);
        if (c >= 0) next.push_back({c, POLLIN, 0});
      }
      for (std::size_t k = 1; k < fds.size(); ++k) {
        int c = fds[k].fd;
        if (fds[k].revents & (POLLIN | POLLHUP | POLLERR)) {
          char buf[4096];
          ssize_t n = read(c, buf, sizeof buf);
          if (n <= 0) {
            close(c);
            bufs.erase(c);
            continue;
          }
          bufs[c].append(buf, static_cast<std::size_t>(n));
          std::size_t end;
          while ((end = bufs[c].find("\r\n\r\n")) != std::string::npos) {
            std::string head = bufs[c].substr(0, end);
            bufs[c].erase(0, end + 4);
            answer(c, head.substr(4, head.find(' ', 4) - 4));
          }
        }
        next.push_back(fds[k]);
      }
      fds = next;
    }
    for (std::size_t k = 1; k < fds.size(); ++k) close(fds[k].fd);
  }
  void answer(int c, const std::string& path) {
    int status = 200;
    {
      std::lock_guard lock(mutex_);
      ++count_;
      if (path == "/stall") return;
      if (path.rfind("/flaky/", 0) == 0) {
        std::size_t slash = path.rfind('/');
        int fails = std::stoi(path.substr(slash + 1));
        if (arrivals_[path]++ < fails) status = 503;
      }
    }
    std::string body = status == 200 ? "ok" : "busy";
    std::string out = (path == "/v10" ? "HTTP/1.0 " : "HTTP/1.1 ") + std::to_string(status) +
                      " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    [[maybe_unused]] auto w = write(c, out.data(), out.size());
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mutex_;
  int count_ = 0;
  std::map<std::string, int> arrivals_;
};

std::vector<request> gets(std::vector<std::string> urls) {
  std::vector<request> out;
  for (auto& u : urls) out.push_back(request{"GET", std::move(u), {}, {}});
  return out;
}

std::vector<result> run_ok(std::vector<request> reqs, const policy& p) {
  auto out = fetch_many(std::move(reqs), p);
  EXPECT_TRUE(std::holds_alternative<std::vector<result>>(out));
  return std::get<std::vector<result>>(std::move(out));
}

TEST(Transport, ManyGetsInOrder) {
  tiny_server s;
  std::vector<std::string> urls;
  for (int i = 0; i < 200; ++i) urls.push_back(s.url("/ok?i=" + std::to_string(i)));
  policy p;
  p.concurrency = 8;
  auto res = run_ok(gets(urls), p);
  ASSERT_EQ(res.size(), 200u);
  for (std::size_t i = 0; i < res.size(); ++i) {
    const auto* r = std::get_if<response>(&res[i]);
    ASSERT_NE(r, nullptr) << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "ok");
    EXPECT_EQ(r->attempts, 1u);
    EXPECT_EQ(r->url, urls[i]);
    EXPECT_EQ(r->version, http_version::v1_1);
  }
  EXPECT_EQ(s.count(), 200);
}

TEST(Transport, ReportsTheVersionOfEachResponse) {
  tiny_server s;
  policy p;
  p.concurrency = 2;
  auto res = run_ok(gets({s.url("/v10"), s.url("/ok"), s.url("/v10")}), p);
  ASSERT_EQ(res.size(), 3u);
  const http_version want[] = {http_version::v1_0, http_version::v1_1, http_version::v1_0};
  for (std::size_t i = 0; i < res.size(); ++i) {
    const auto* r = std::get_if<response>(&res[i]);
    ASSERT_NE(r, nullptr) << i;
    EXPECT_EQ(r->status, 200) << i;
    EXPECT_EQ(r->version, want[i]) << i;
  }
}

TEST(Types, HttpVersionSpellings) {
  EXPECT_EQ(to_string(http_version::v1_0), "1.0");
  EXPECT_EQ(to_string(http_version::v1_1), "1.1");
  EXPECT_EQ(to_string(http_version::v2), "2");
  EXPECT_EQ(to_string(http_version::v3), "3");
  EXPECT_EQ(to_string(http_version::unknown), "");
}

TEST(Transport, RetriesAreCountedExactly) {
  tiny_server s;
  policy p;
  p.retries = 3;
  p.backoff_base = milliseconds(1);
  p.backoff_cap = milliseconds(5);
  auto res = run_ok(gets({s.url("/flaky/a/2"), s.url("/flaky/b/5"), s.url("/flaky/c/0")}), p);
  const auto& a = std::get<response>(res[0]);
  const auto& b = std::get<response>(res[1]);
  const auto& c = std::get<response>(res[2]);
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.attempts, 3u);
  EXPECT_EQ(b.status, 503);  // retries spent: the last response is the result
  EXPECT_EQ(b.attempts, 4u);
  EXPECT_EQ(c.attempts, 1u);
  EXPECT_EQ(s.count(), 3 + 4 + 1);
}

TEST(Transport, ReadTimeoutAndRefusedConnect) {
  tiny_server s;
  int closed_port;
  {
    tiny_server gone;
    closed_port = std::stoi(gone.url("").substr(17));
  }
  policy p;
  p.retries = 0;
  p.read_timeout = milliseconds(100);
  auto res =
      run_ok(gets({s.url("/stall"), "http://127.0.0.1:" + std::to_string(closed_port) + "/"}), p);
  const auto* stalled = std::get_if<error>(&res[0]);
  ASSERT_NE(stalled, nullptr);
  EXPECT_EQ(stalled->kind, error_kind::timeout);
  EXPECT_NE(stalled->message.find("read timeout"), std::string::npos) << stalled->message;
  const auto* refused = std::get_if<error>(&res[1]);
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(refused->kind, error_kind::connect);
}

TEST(Transport, CancelLeavesOneResultPerRequest) {
  tiny_server s;
  std::vector<std::string> urls(50, s.url("/stall"));
  policy p;
  p.concurrency = 4;
  invalid_input why;
  auto b = batch::create(gets(urls), p, &why);
  ASSERT_NE(b, nullptr);
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(100));
    b->cancel();
  });
  std::vector<int> seen(50, 0);
  b->run([&](std::size_t i) { ++seen[i]; });
  canceller.join();
  for (int n : seen) EXPECT_EQ(n, 1);
  int in_flight = 0, unsent = 0;
  for (const auto& r : b->results()) {
    const auto* e = std::get_if<error>(&r);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->kind, error_kind::cancelled);
    in_flight += e->message.find("in flight") != std::string::npos;
    unsent += e->message == "cancelled before it was sent";
  }
  EXPECT_EQ(in_flight, 4);
  EXPECT_EQ(unsent, 46);
  EXPECT_EQ(b->stats().cancelled, 50u);
}

struct invalid_case {
  request req;
  std::string message_part;
};

TEST(Transport, InvalidInputIsRefusedBeforeSending) {
  const invalid_case cases[] = {
      {{"GET", "ftp://127.0.0.1/", {}, {}}, "unsupported scheme 'ftp'"},
      {{"GET", "no-scheme/path", {}, {}}, "invalid URL"},
      {{"GET", "http://127.0.0.1/a b", {}, {}}, "space or control"},
      {{"GET", "http:///x", {}, {}}, "no host"},
      {{"GET", "http://", {}, {}}, "no host"},
      {{"G ET", "http://127.0.0.1/", {}, {}}, "method"},
      {{"GET", "http://127.0.0.1/", {{"X", "a\r\nB: c"}}, {}}, "CR, LF or NUL"},
      {{"GET", "http://127.0.0.1/", {{"Bad Name", "x"}}, {}}, "header name"},
  };
  for (const auto& c : cases) {
    auto out = fetch_many({request{"GET", "http://127.0.0.1/", {}, {}}, c.req}, policy{});
    const auto* bad = std::get_if<invalid_input>(&out);
    ASSERT_NE(bad, nullptr) << c.message_part;
    EXPECT_EQ(bad->index, 1u);
    EXPECT_NE(bad->message.find(c.message_part), std::string::npos) << bad->message;
  }
  policy p;
  p.concurrency = 0;
  auto out = fetch_many({}, p);
  ASSERT_TRUE(std::holds_alternative<invalid_input>(out));
  EXPECT_EQ(std::get<invalid_input>(out).index, invalid_input::npos);
}

}  // namespace
}  // namespace lapwise::client

// A loopback HTTP/1.1 server for the client's tests, one thread per connection, where each path
// acts out a behaviour (drop the connection, stream forever, drip bytes, ...) and every request
// that arrives is logged with its arrival time, so tests judge the client by what the server
// saw. The destructor closes every socket and joins every thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lapwise::client::testing {

struct arrival {
  std::string method;
  std::string path;  // the request target as sent
  std::string body;
  int nth_on_connection = 0;  // 0 for a connection's first request
  std::chrono::steady_clock::time_point at;
};

struct connection {
  int fd = -1;
  const std::atomic<bool>* stop = nullptr;

  // Writes everything (false once the peer is gone or the server stops).
  bool send(std::string_view data) const {
    while (!data.empty()) {
      if (stop->load()) return false;
      ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  // Sleeps up to `d`, returning early (false) when the server stops.
  bool pause(std::chrono::milliseconds d) const {
    auto until = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < until) {
      if (stop->load()) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
  }
};

// What a handler returns: keep the connection for the next request, or close it.
enum class next_step { keep, close };

using handler = std::function<next_step(const connection&, const arrival&)>;

inline std::string ok_response(std::string_view body, std::string_view extra = {}) {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         std::string(extra) + "\r\n" + std::string(body);
}

class scripted_server {
 public:
  // `route(path)` picks the handler for a request target (the longest matching prefix).
  explicit scripted_server(std::map<std::string, handler> routes) : routes_(std::move(routes)) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd_, 256);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~scripted_server() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    acceptor_.join();
    {
      std::lock_guard lock(mutex_);
      for (int c : open_) ::shutdown(c, SHUT_RDWR);
    }
    for (auto& t : workers_) t.join();
    ::close(fd_);
  }
  scripted_server(const scripted_server&) = delete;
  scripted_server& operator=(const scripted_server&) = delete;

  [[nodiscard]] std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  [[nodiscard]] int port() const { return port_; }

  std::vector<arrival> log() {
    std::lock_guard lock(mutex_);
    return log_;
  }

 private:
  void accept_loop() {
    while (!stop_) {
      int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) {
        if (stop_) break;
        continue;
      }
      std::lock_guard lock(mutex_);
      open_.push_back(c);
      workers_.emplace_back([this, c] { serve(c); });
    }
  }

  void serve(int c) {
    connection conn{c, &stop_};
    std::string buf;
    int nth = 0;
    while (!stop_) {
      std::size_t end;
      while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
        if (!read_more(c, &buf)) return finish(c);
      }
      std::string head = buf.substr(0, end);
      buf.erase(0, end + 4);
      std::size_t length = 0;
      if (auto at = lower(head).find("\r\ncontent-length:"); at != std::string::npos) {
        length = std::stoul(head.substr(at + 17));
      }
      while (buf.size() < length) {
        if (!read_more(c, &buf)) return finish(c);
      }
      arrival a;
      a.method = head.substr(0, head.find(' '));
      std::size_t t0 = head.find(' ') + 1;
      a.path = head.substr(t0, head.find(' ', t0) - t0);
      a.body = buf.substr(0, length);
      buf.erase(0, length);
      a.nth_on_connection = nth++;
      a.at = std::chrono::steady_clock::now();
      const handler* h = nullptr;
      std::size_t best = 0;
      for (const auto& [prefix, fn] : routes_) {
        if (a.path.rfind(prefix, 0) == 0 && prefix.size() >= best) {
          h = &fn;
          best = prefix.size();
        }
      }
      {
        std::lock_guard lock(mutex_);
        log_.push_back(a);
      }
      if (!h || (*h)(conn, a) == next_step::close) break;
    }
    finish(c);
  }

  static std::string lower(std::string s) {
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  }

  static bool read_more(int c, std::string* buf) {
    char tmp[16384];
    ssize_t n = ::recv(c, tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf->append(tmp, static_cast<std::size_t>(n));
    return true;
  }

  void finish(int c) {
    std::lock_guard lock(mutex_);
    // Closed under the lock, so that the destructor never shuts down a number reused since.
    for (auto& o : open_) {
      if (o == c) o = -1;
    }
    ::close(c);
  }

  std::map<std::string, handler> routes_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<int> open_;
  std::vector<std::thread> workers_;
  std::vector<arrival> log_;
};

}  // namespace lapwise::client::testing

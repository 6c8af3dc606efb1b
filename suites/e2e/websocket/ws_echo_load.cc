// lapwise-ws-load: a closed-loop WebSocket echo client on one epoll thread, so that the client,
// not the server, is the cheaper side of an echo benchmark.
//
//   lapwise-ws-load --port P [--path /echo] [-c 64] [--size 32] [--binary] [--warmup 1]
//                   [--duration 5] [--messages N] [--server-pid PID] [--timeout 10]
//
// Each connection does the opening handshake (checking the 101 and Sec-WebSocket-Accept), then
// keeps one masked message in flight: an echo that arrives complete and byte-identical (and of
// the same type) is counted and answered by the next message. After --warmup seconds the
// measured window runs until --duration seconds or --messages echoes, whichever comes first.
// With --server-pid the server's CPU time (utime+stime of it and its children, from /proc) is
// read at both ends of the window. Prints one JSON object on stdout; exit 1 on any failure
// (a wrong echo, a close, a reset, a stall over --timeout).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using steady = std::chrono::steady_clock;

struct options {
  int port = 0;
  std::string path = "/echo";
  int connections = 64;
  std::size_t size = 32;
  bool binary = false;
  double warmup = 1.0, duration = 5.0, timeout = 10.0;
  std::uint64_t messages = 0;  // 0: bounded by duration only
  int server_pid = 0;
};

// The RFC 6455 example key and its accept value: every connection may use the same key.
constexpr std::string_view kKey = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr std::string_view kAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
constexpr unsigned char kMask[4] = {0x37, 0xfa, 0x21, 0x3d};

double seconds(steady::duration d) { return std::chrono::duration<double>(d).count(); }

double own_cpu() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// utime+stime+cutime+cstime of pid and of its live children, in seconds.
double process_cpu(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const std::size_t paren = text.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(paren + 2));
  std::string f;
  double ticks = 0;
  for (int i = 3; i <= 17 && (fields >> f); ++i) {
    if (i >= 14) ticks += std::strtod(f.c_str(), nullptr);
  }
  double total = ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
  std::ifstream children("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) +
                         "/children");
  for (int child; children >> child;) total += process_cpu(child);
  return total;
}

struct connection {
  int fd = -1;
  std::string out;  // unsent bytes of the current frame
  bool watching_out = false;
  // The server frame being read.
  unsigned char hdr[10];
  std::size_t hdr_len = 0, hdr_need = 2;
  std::uint64_t remaining = 0;
  std::uint8_t op = 0;
  bool fin = false;
  // The echo being matched.
  std::size_t matched = 0;
  bool in_message = false;
  std::string control;  // a ping's payload, answered with a pong
};

class load {
 public:
  explicit load(const options& o) : o_(o) {
    payload_.resize(o.size);
    for (std::size_t i = 0; i < o.size; ++i) payload_[i] = static_cast<char>('a' + i % 26);
    frame_ = frame(o.binary ? 0x2 : 0x1, payload_);
  }

  int run() {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    conns_.resize(static_cast<std::size_t>(o_.connections));
    for (std::size_t i = 0; i < conns_.size(); ++i) {
      if (!open(conns_[i])) return fail("connection " + std::to_string(i) + ": " + error_);
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = i;
      epoll_ctl(ep_, EPOLL_CTL_ADD, conns_[i].fd, &ev);
    }
    const auto start = steady::now();
    const auto measure_from = start + std::chrono::duration_cast<steady::duration>(
                                          std::chrono::duration<double>(o_.warmup));
    const auto measure_until = measure_from + std::chrono::duration_cast<steady::duration>(
                                                  std::chrono::duration<double>(o_.duration));
    for (auto& c : conns_) {
      if (!send_frame(c, frame_)) return fail("send: " + error_);
    }
    bool measuring = false;
    double cpu0 = 0, server0 = 0;
    steady::time_point t0{}, t1{}, last_progress = steady::now();
    std::vector<epoll_event> events(conns_.size());
    while (true) {
      const auto now = steady::now();
      if (!measuring && now >= measure_from) {
        measuring = true;
        measuring_ = true;
        t0 = now;
        cpu0 = own_cpu();
        server0 = o_.server_pid ? process_cpu(o_.server_pid) : 0;
        counted_ = 0;
      }
      if (measuring && (now >= measure_until || (o_.messages && counted_ >= o_.messages))) {
        t1 = now;
        break;
      }
      if (seconds(now - last_progress) > o_.timeout) return fail("no echo for --timeout seconds");
      const int n = epoll_wait(ep_, events.data(), static_cast<int>(events.size()), 100);
      for (int k = 0; k < n; ++k) {
        connection& c = conns_[events[k].data.u64];
        if ((events[k].events & EPOLLOUT) && !flush(c)) return fail("send: " + error_);
        if (events[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
          const std::uint64_t before = counted_;
          if (!read(c)) return fail(error_);
          if (counted_ != before) last_progress = steady::now();
        }
      }
    }
    const double cpu = own_cpu() - cpu0;
    const double server_cpu = o_.server_pid ? process_cpu(o_.server_pid) - server0 : 0;
    const double wall = seconds(t1 - t0);
    for (auto& c : conns_) ::close(c.fd);
    std::printf(
        "{\"messages\": %llu, \"wall_s\": %.6f, \"client_cpu_s\": %.6f, \"server_cpu_s\": %.6f, "
        "\"connections\": %d, \"size\": %zu, \"binary\": %s, \"total_echoes\": %llu}\n",
        static_cast<unsigned long long>(counted_), wall, cpu, server_cpu, o_.connections, o_.size,
        o_.binary ? "true" : "false", static_cast<unsigned long long>(total_));
    return 0;
  }

 private:
  static std::string frame(std::uint8_t op, std::string_view data) {
    std::string f;
    f.push_back(static_cast<char>(0x80 | op));
    if (data.size() < 126) {
      f.push_back(static_cast<char>(0x80 | data.size()));
    } else if (data.size() < 65536) {
      f.push_back(static_cast<char>(0x80 | 126));
      f.push_back(static_cast<char>(data.size() >> 8));
      f.push_back(static_cast<char>(data.size() & 0xff));
    } else {
      f.push_back(static_cast<char>(0x80 | 127));
      for (int s = 56; s >= 0; s -= 8) f.push_back(static_cast<char>((data.size() >> s) & 0xff));
    }
    f.append(reinterpret_cast<const char*>(kMask), 4);
    for (std::size_t i = 0; i < data.size(); ++i) {
      f.push_back(static_cast<char>(static_cast<unsigned char>(data[i]) ^ kMask[i % 4]));
    }
    return f;
  }

  int fail(const std::string& why) {
    std::string quoted;  // a JSON string: the reason may quote a server's bytes
    for (const char ch : why) {
      const auto u = static_cast<unsigned char>(ch);
      if (ch == '"' || ch == '\\') {
        quoted += '\\';
        quoted += ch;
      } else if (u < 0x20 || u >= 0x7f) {
        char esc[8];
        std::snprintf(esc, sizeof esc, "\\u%04x", u);
        quoted += esc;
      } else {
        quoted += ch;
      }
    }
    std::printf("{\"error\": \"%s\", \"messages\": %llu}\n", quoted.c_str(),
                static_cast<unsigned long long>(counted_));
    return 1;
  }

  bool open(connection& c) {
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(o_.port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(c.fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      return error("connect failed");
    }
    const int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const std::string req = "GET " + o_.path +
                            " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(o_.port) +
                            "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            "Sec-WebSocket-Key: " +
                            std::string(kKey) + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    if (::send(c.fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
      return error("handshake send failed");
    }
    // Read the head one byte at a time: nothing after it may be swallowed.
    std::string head;
    while (head.size() < 8192 && head.find("\r\n\r\n") == std::string::npos) {
      pollfd p{c.fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(o_.timeout * 1000)) != 1) return error("no 101");
      char ch;
      if (::recv(c.fd, &ch, 1, 0) != 1) return error("closed during the handshake");
      head.push_back(ch);
    }
    if (head.rfind("HTTP/1.1 101", 0) != 0) return error("not a 101: " + head.substr(0, 40));
    std::string lower = head;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const std::size_t at = lower.find("\r\nsec-websocket-accept:");
    if (at == std::string::npos || head.find(kAccept, at) == std::string::npos) {
      return error("wrong or missing Sec-WebSocket-Accept");
    }
    return true;
  }

  bool error(std::string why) {
    error_ = std::move(why);
    return false;
  }

  bool send_frame(connection& c, std::string_view f) {
    c.out.append(f);
    return flush(c);
  }

  bool flush(connection& c) {
    while (!c.out.empty()) {
      const ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno == EAGAIN) break;
      if (n <= 0) return error("send failed");
      c.out.erase(0, static_cast<std::size_t>(n));
    }
    // Watch for room only while bytes wait: level-triggered EPOLLOUT would fire every turn.
    const bool need = !c.out.empty();
    if (need != c.watching_out) {
      epoll_event ev{};
      ev.events = EPOLLIN | (need ? static_cast<unsigned>(EPOLLOUT) : 0u);
      ev.data.u64 = static_cast<std::uint64_t>(&c - conns_.data());
      epoll_ctl(ep_, EPOLL_CTL_MOD, c.fd, &ev);
      c.watching_out = need;
    }
    return true;
  }

  bool read(connection& c) {
    const ssize_t n = ::recv(c.fd, buf_, sizeof buf_, MSG_DONTWAIT);
    if (n == 0) return error("the server closed a connection");
    if (n < 0) return errno == EAGAIN ? true : error("recv failed");
    const unsigned char* p = reinterpret_cast<const unsigned char*>(buf_);
    std::size_t left = static_cast<std::size_t>(n);
    while (left > 0) {
      if (c.hdr_len < c.hdr_need) {
        c.hdr[c.hdr_len++] = *p++;
        --left;
        if (c.hdr_len == 2) {
          if (c.hdr[1] & 0x80) return error("a masked frame from the server");
          const unsigned len7 = c.hdr[1] & 0x7f;
          c.hdr_need = len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
        }
        if (c.hdr_len < c.hdr_need) continue;
        if (!begin_frame(c)) return false;
        if (c.remaining == 0 && !end_frame(c)) return false;
        continue;
      }
      const std::size_t take = static_cast<std::size_t>(
          std::min<std::uint64_t>(c.remaining, static_cast<std::uint64_t>(left)));
      if (c.op >= 0x8) {
        c.control.append(reinterpret_cast<const char*>(p), take);
      } else {
        if (c.matched + take > payload_.size() ||
            std::memcmp(payload_.data() + c.matched, p, take) != 0) {
          return error("the echo differs from the message sent");
        }
        c.matched += take;
      }
      p += take;
      left -= take;
      c.remaining -= take;
      if (c.remaining == 0 && !end_frame(c)) return false;
    }
    return true;
  }

  bool begin_frame(connection& c) {
    c.fin = (c.hdr[0] & 0x80) != 0;
    c.op = c.hdr[0] & 0x0f;
    if (c.hdr[0] & 0x70) return error("reserved bits set (no extension was offered)");
    const unsigned len7 = c.hdr[1] & 0x7f;
    c.remaining = len7;
    if (len7 == 126) c.remaining = (std::uint64_t{c.hdr[2]} << 8) | c.hdr[3];
    if (len7 == 127) {
      c.remaining = 0;
      for (int i = 2; i < 10; ++i) c.remaining = (c.remaining << 8) | c.hdr[i];
    }
    if (c.op == 0x8) return error("the server closed a connection (Close frame)");
    if (c.op >= 0x8) {
      c.control.clear();
      return true;
    }
    const std::uint8_t want = o_.binary ? 0x2 : 0x1;
    if (c.op != 0 && (c.in_message || c.op != want)) return error("wrong message type");
    if (c.op == 0 && !c.in_message) return error("a continuation without a message");
    if (c.op != 0) {
      c.in_message = true;
      c.matched = 0;
    }
    return true;
  }

  bool end_frame(connection& c) {
    c.hdr_len = 0;
    c.hdr_need = 2;
    if (c.op == 0x9) return send_frame(c, frame(0xA, c.control));
    if (c.op >= 0x8) return true;  // an unsolicited pong
    if (!c.fin) return true;
    if (c.matched != payload_.size()) return error("the echo is shorter than the message sent");
    c.in_message = false;
    ++total_;
    // At the message bound the connection goes quiet, so the window holds exactly that many.
    if (measuring_ && o_.messages && counted_ >= o_.messages) return true;
    ++counted_;
    return send_frame(c, frame_);
  }

  options o_;
  std::string payload_, frame_, error_;
  std::vector<connection> conns_;
  int ep_ = -1;
  bool measuring_ = false;
  std::uint64_t counted_ = 0, total_ = 0;
  char buf_[1 << 17];
};

int usage() {
  std::fprintf(stderr,
               "usage: lapwise-ws-load --port P [--path /echo] [-c 64] [--size 32] [--binary] "
               "[--warmup S] [--duration S] [--messages N] [--server-pid PID] [--timeout S]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--binary") {
      o.binary = true;
      continue;
    }
    if (i + 1 >= argc) return usage();
    const char* v = argv[++i];
    if (arg == "--port") {
      o.port = std::atoi(v);
    } else if (arg == "--path") {
      o.path = v;
    } else if (arg == "-c") {
      o.connections = std::atoi(v);
    } else if (arg == "--size") {
      o.size = std::strtoull(v, nullptr, 10);
    } else if (arg == "--warmup") {
      o.warmup = std::strtod(v, nullptr);
    } else if (arg == "--duration") {
      o.duration = std::strtod(v, nullptr);
    } else if (arg == "--messages") {
      o.messages = std::strtoull(v, nullptr, 10);
    } else if (arg == "--server-pid") {
      o.server_pid = std::atoi(v);
    } else if (arg == "--timeout") {
      o.timeout = std::strtod(v, nullptr);
    } else {
      return usage();
    }
  }
  if (o.port <= 0 || o.connections <= 0 || o.duration <= 0) return usage();
  return load(o).run();
}

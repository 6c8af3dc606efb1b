// run(): against a tiny in-process HTTP server on 127.0.0.1, every request is accounted for
// (issued == ok + failed, sent == issued once drained) in closed and open loop, with pipelining,
// wrong answers, a server that drops connections, one that never answers, and no server at all.
// Only counts are asserted, never timings.
#include "lapwise/load/driver.h"

#include <gtest/gtest.h>

#include <asio.hpp>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "lapwise/load/schedule.h"
#include "lapwise/parser/http.h"

namespace lapwise::load {
namespace {

using asio::ip::tcp;

// slow: every batch of requests is answered slow_ms after it was read.
constexpr int slow_ms = 20;
enum class behaviour { answer, silent, close_every_10, slow };

// Answers GET /plaintext (Content-Length), /chunked (chunked) and anything else with 500;
// requests are parsed with the parser core, pipelined requests answered in one write.
class tiny_server {
 public:
  explicit tiny_server(behaviour b)
      : behaviour_(b), acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~tiny_server() {
    asio::post(io_, [this] { io_.stop(); });
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::uint64_t served() const { return served_.load(); }
  std::uint64_t accepted() const { return accepted_.load(); }

 private:
  struct session : std::enable_shared_from_this<session> {
    session(tiny_server& s, tcp::socket sock) : server(s), socket(std::move(sock)) {}
    void read() {
      auto self = shared_from_this();
      socket.async_read_some(asio::buffer(chunk), [self](asio::error_code ec, std::size_t n) {
        if (ec) return;
        self->in.append(self->chunk.data(), n);
        self->answer();
      });
    }
    void answer() {
      std::string out;
      bool close_after = false;
      while (true) {
        parser::request req;
        parser::header headers[32];
        auto r = parser::parse_request_head(in, req, headers);
        if (r.status != parser::parse_status::complete) break;
        std::string target(req.target);
        in.erase(0, r.consumed);
        if (server.behaviour_ == behaviour::silent) continue;
        if (target == "/plaintext") {
          out += "HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\nHello, World!";
        } else if (target == "/chunked") {
          out +=
              "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nHello,\r\n7\r\n "
              "World!\r\n0\r\n\r\n";
        } else {
          out += "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n";
        }
        ++server.served_;
        if (server.behaviour_ == behaviour::close_every_10 && ++answered % 10 == 0) {
          close_after = true;  // drops any requests pipelined behind this one
          break;
        }
      }
      auto self = shared_from_this();
      auto buf = std::make_shared<std::string>(std::move(out));
      if (server.behaviour_ == behaviour::slow && !buf->empty()) {
        auto timer = std::make_shared<asio::steady_timer>(socket.get_executor());
        timer->expires_after(std::chrono::milliseconds(slow_ms));
        timer->async_wait([self, buf, timer](asio::error_code ec) {
          if (ec) return;
          asio::async_write(self->socket, asio::buffer(*buf),
                            [self, buf](asio::error_code e, std::size_t) {
                              if (!e) self->read();
                            });
        });
        return;
      }
      asio::async_write(socket, asio::buffer(*buf),
                        [self, buf, close_after](asio::error_code ec, std::size_t) {
                          if (ec) return;
                          if (close_after) {
                            asio::error_code ignored;
                            self->socket.close(ignored);
                            return;
                          }
                          self->read();
                        });
    }
    tiny_server& server;
    tcp::socket socket;
    std::array<char, 16384> chunk{};
    std::string in;
    std::uint64_t answered = 0;
  };

  void accept() {
    acceptor_.async_accept([this](asio::error_code ec, tcp::socket sock) {
      if (ec) return;
      ++accepted_;
      sock.set_option(tcp::no_delay(true));
      std::make_shared<session>(*this, std::move(sock))->read();
      accept();
    });
  }

  behaviour behaviour_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<std::uint64_t> served_{0}, accepted_{0};
};

config base_config(std::uint16_t port) {
  config cfg;
  cfg.port = port;
  cfg.connections = 4;
  cfg.duration_s = 5;  // an upper bound: these runs end by count (-n) well before
  cfg.timeout_ms = 2000;
  request_spec plain;
  plain.target = "/plaintext";
  plain.expect_length = 13;
  cfg.requests = {plain};
  return cfg;
}

std::uint64_t error_count(const report& r, failure_kind k) {
  return r.measured.errors[static_cast<std::size_t>(k)];
}

void expect_accounted(const report& r) {
  EXPECT_EQ(r.measured.issued, r.measured.ok + r.measured.failed);
  std::uint64_t sum = 0;
  for (auto e : r.measured.errors) sum += e;
  EXPECT_EQ(sum, r.measured.failed);
  EXPECT_EQ(r.latency_ns.count(), r.measured.ok);
  EXPECT_EQ(r.warmup.issued, r.warmup.ok + r.warmup.failed);
}

// Open loop: one send and one generator lateness per measured request written, one response
// time per ok response; the generator's share of a request's lateness never exceeds the whole
// (per request, so at every percentile). Closed loop records none of them.
void expect_lateness_accounted(const config& cfg, const report& r) {
  if (cfg.rate == 0) {
    EXPECT_EQ(r.send_lateness_ns.count(), 0u);
    EXPECT_EQ(r.loadgen_lateness_ns.count(), 0u);
    EXPECT_EQ(r.response_ns.count(), 0u);
    return;
  }
  EXPECT_EQ(r.send_lateness_ns.count(), r.measured.sent);
  EXPECT_EQ(r.loadgen_lateness_ns.count(), r.measured.sent);
  EXPECT_EQ(r.response_ns.count(), r.measured.ok);
  for (double p : {50.0, 99.0, 100.0}) {
    EXPECT_LE(r.loadgen_lateness_ns.value_at_percentile(p),
              r.send_lateness_ns.value_at_percentile(p))
        << "p" << p;
  }
  EXPECT_LE(r.loadgen_lateness_ns.max_value(), r.send_lateness_ns.max_value());
}

TEST(Run, ClosedLoopCountsAddUp) {
  struct row {
    std::uint32_t connections, pipeline, threads;
  };
  for (const row rw : {row{4, 1, 1}, row{3, 8, 1}, row{4, 16, 2}}) {
    tiny_server server(behaviour::answer);
    config cfg = base_config(server.port());
    cfg.connections = rw.connections;
    cfg.pipeline = rw.pipeline;
    cfg.threads = rw.threads;
    cfg.max_requests = 3000;
    request_spec chunked = cfg.requests[0];
    chunked.target = "/chunked";
    cfg.requests.push_back(chunked);
    std::string error;
    report r = run(cfg, error);
    ASSERT_TRUE(error.empty()) << error;
    expect_accounted(r);
    expect_lateness_accounted(cfg, r);
    EXPECT_EQ(r.measured.issued, 3000u) << "-n is exact in closed loop";
    EXPECT_EQ(r.measured.sent, r.measured.issued);
    EXPECT_EQ(r.measured.ok, 3000u) << (r.first_errors.empty() ? "" : r.first_errors[0]);
    EXPECT_EQ(server.served(), 3000u) << "the server saw each request once";
    EXPECT_EQ(r.connects, rw.connections) << "keep-alive: no reconnections";
    EXPECT_GT(r.elapsed_s, 0.0);
    EXPECT_GT(r.bytes_written, 0u);
  }
}

TEST(Run, WrongStatusAndLengthAreCountedPerRequest) {
  tiny_server server(behaviour::answer);
  config cfg = base_config(server.port());
  // One connection: it cycles through the three requests in order, so 900 requests are exactly
  // 300 of each. (With several, each connection cycles from its own start and how the budget
  // splits between them depends on timing: the per-kind counts could differ by one.)
  cfg.connections = 1;
  cfg.max_requests = 900;
  cfg.pipeline = 4;
  request_spec missing;
  missing.target = "/missing";  // answered 500
  request_spec short_body;
  short_body.target = "/plaintext";
  short_body.expect_length = 12;  // the server sends 13
  cfg.requests.push_back(missing);
  cfg.requests.push_back(short_body);
  std::string error;
  report r = run(cfg, error);
  ASSERT_TRUE(error.empty()) << error;
  expect_accounted(r);
  expect_lateness_accounted(cfg, r);
  EXPECT_EQ(r.measured.issued, 900u);
  EXPECT_EQ(r.measured.ok, 300u);
  EXPECT_EQ(error_count(r, failure_kind::status), 300u);
  EXPECT_EQ(error_count(r, failure_kind::body), 300u);
  EXPECT_EQ(r.connects, cfg.connections) << "a wrong answer does not drop the connection";
  ASSERT_FALSE(r.first_errors.empty());
}

TEST(Run, DroppedConnectionsFailTheirRequestsAndReconnect) {
  tiny_server server(behaviour::close_every_10);
  config cfg = base_config(server.port());
  cfg.max_requests = 2000;
  cfg.pipeline = 4;
  std::string error;
  report r = run(cfg, error);
  ASSERT_TRUE(error.empty()) << error;
  expect_accounted(r);
  expect_lateness_accounted(cfg, r);
  EXPECT_EQ(r.measured.issued, 2000u);
  EXPECT_GT(r.measured.ok, 0u);
  EXPECT_GT(error_count(r, failure_kind::read), 0u) << "requests pipelined behind a close";
  EXPECT_EQ(r.measured.failed,
            error_count(r, failure_kind::read) + error_count(r, failure_kind::write));
  EXPECT_GT(r.connects, cfg.connections);
  EXPECT_EQ(server.served(), r.measured.ok);
}

TEST(Run, OpenLoopIssuesTheScheduleAndCountsAddUp) {
  tiny_server server(behaviour::answer);
  config cfg = base_config(server.port());
  cfg.rate = 4000;
  cfg.duration_s = 0.4;
  cfg.max_requests = 0;
  std::string error;
  report r = run(cfg, error);
  ASSERT_TRUE(error.empty()) << error;
  expect_accounted(r);
  expect_lateness_accounted(cfg, r);
  const schedule s(cfg.rate, cfg.connections);
  EXPECT_EQ(r.measured.issued, s.total_due(400'000'000 - 1)) << "exactly the schedule";
  EXPECT_EQ(r.measured.sent, r.measured.issued);
  EXPECT_EQ(r.measured.ok, r.measured.issued) << (r.first_errors.empty() ? "" : r.first_errors[0]);
}

TEST(Run, OpenLoopCountBoundAndWarmup) {
  tiny_server server(behaviour::answer);
  config cfg = base_config(server.port());
  cfg.rate = 5000;
  cfg.warmup_s = 0.1;
  cfg.duration_s = 5;
  cfg.max_requests = 700;
  std::string error;
  report r = run(cfg, error);
  ASSERT_TRUE(error.empty()) << error;
  expect_accounted(r);
  expect_lateness_accounted(cfg, r);
  EXPECT_EQ(r.measured.issued, 700u);
  EXPECT_EQ(r.measured.ok, 700u);
  EXPECT_EQ(r.warmup.issued, schedule(cfg.rate, cfg.connections).total_due(100'000'000 - 1));
  EXPECT_EQ(server.served(), r.measured.ok + r.warmup.ok);
}

// Every global request belongs to exactly one thread's connections, whatever the split (the
// pacing timer of each thread skips the others'), and rates above one pacing wakeup per request
// release batches: the -n count is still exact.
TEST(Run, OpenLoopThreadsShareTheScheduleExactly) {
  struct row {
    std::uint32_t connections, threads, pipeline;
    double rate;
  };
  for (const row rw : {row{7, 3, 1, 4000}, row{5, 2, 4, 30000}, row{1, 1, 2, 50000}}) {
    tiny_server server(behaviour::answer);
    config cfg = base_config(server.port());
    cfg.connections = rw.connections;
    cfg.threads = rw.threads;
    cfg.pipeline = rw.pipeline;
    cfg.rate = rw.rate;
    cfg.max_requests = 1500;
    std::string error;
    report r = run(cfg, error);
    ASSERT_TRUE(error.empty()) << error;
    expect_accounted(r);
    expect_lateness_accounted(cfg, r);
    EXPECT_EQ(r.measured.issued, 1500u) << rw.connections << " connections, " << rw.threads;
    EXPECT_EQ(r.measured.ok, 1500u) << (r.first_errors.empty() ? "" : r.first_errors[0]);
    EXPECT_EQ(server.served(), 1500u) << "the server saw each request once";
    EXPECT_EQ(r.connects, rw.connections);
  }
}

// A server that takes 20 ms per answer behind one connection without pipelining: request j
// cannot be written before j answers came back, so it leaves at least j * 20 ms - j / rate
// after its intended time. That wait is send lateness (charged to the latency, which counts
// from the intended time) and the server's doing, so the response time (written to answered)
// is at least the server's 20 ms. Causal lower bounds only, never an upper bound on time.
TEST(Run, OpenLoopWaitingForAFullConnectionIsSendLateness) {
  tiny_server server(behaviour::slow);
  config cfg = base_config(server.port());
  cfg.connections = 1;
  cfg.pipeline = 1;
  cfg.rate = 200;  // one every 5 ms, four times what the server can answer
  cfg.duration_s = 0.1;
  std::string error;
  report r = run(cfg, error);
  ASSERT_TRUE(error.empty()) << error;
  expect_accounted(r);
  expect_lateness_accounted(cfg, r);
  ASSERT_EQ(r.measured.issued, 20u);
  ASSERT_EQ(r.measured.ok, 20u) << (r.first_errors.empty() ? "" : r.first_errors[0]);
  const std::uint64_t ms = 1'000'000;
  EXPECT_GE(r.response_ns.min_value(), (slow_ms - 1) * ms);
  EXPECT_GE(r.send_lateness_ns.max_value(), 19 * (slow_ms - 5) * ms) << "the last request waited";
  EXPECT_GE(r.latency_ns.max_value(), r.send_lateness_ns.max_value())
      << "latency counts from intended";
}

TEST(Run, SilentServerMeansTimeouts) {
  for (double rate : {0.0, 2000.0}) {
    tiny_server server(behaviour::silent);
    config cfg = base_config(server.port());
    cfg.rate = rate;
    cfg.duration_s = 0.3;
    cfg.timeout_ms = 100;
    cfg.pipeline = 2;
    std::string error;
    report r = run(cfg, error);
    ASSERT_TRUE(error.empty()) << error;
    expect_accounted(r);
    expect_lateness_accounted(cfg, r);
    EXPECT_GT(r.measured.issued, 0u);
    EXPECT_EQ(r.measured.ok, 0u);
    EXPECT_EQ(error_count(r, failure_kind::timeout), r.measured.failed);
  }
}

TEST(Run, NoServerMeansConnectErrorsAndABoundedRun) {
  std::uint16_t port;
  {
    asio::io_context io;
    tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }  // closed again: nothing listens there now
  config cfg = base_config(port);
  cfg.duration_s = 0.2;
  std::string error;
  report r = run(cfg, error);
  ASSERT_TRUE(error.empty()) << error;
  EXPECT_GT(r.connect_errors, 0u);
  EXPECT_EQ(r.measured.issued, 0u);
  expect_accounted(r);
  expect_lateness_accounted(cfg, r);
}

TEST(Run, InvalidConfigsAreErrorValues) {
  config cfg = base_config(1);
  cfg.host = "localhost";  // names are not resolved
  std::string error;
  run(cfg, error);
  EXPECT_NE(error.find("numeric"), std::string::npos) << error;
  cfg = base_config(1);
  cfg.requests.clear();
  run(cfg, error);
  EXPECT_EQ(error, "no requests");
  cfg = base_config(1);
  cfg.threads = 8;
  EXPECT_EQ(check_config(cfg), "more threads than connections");
  cfg = base_config(0);
  EXPECT_FALSE(check_config(cfg).empty());
}

}  // namespace
}  // namespace lapwise::load

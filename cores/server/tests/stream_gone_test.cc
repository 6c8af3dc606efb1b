// A streamed response learns at once that its client left, also while its producer is quiet
// between two parts (an SSE stream waiting for its next event): sans I/O (a table of endings,
// pipelined bytes that are data, the watch the transports keep while not reading), and over
// sockets on both transports (a close, a close while reading is paused, a half-close whose
// client still reads, pipelined requests behind the stream).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lapwise/server/server.h"
#include "lapwise/server/session.h"
#include "loopback_socket.h"

namespace lapwise::server {
namespace {

using namespace std::chrono_literals;
constexpr char kDate[] = "Tue, 01 Jan 2030 00:00:00 GMT";
const std::string kGet = "GET /events HTTP/1.1\r\nHost: a\r\n\r\n";

response part(response::part kind, std::string body) {
  response r{200, "text/event-stream", {}, std::move(body)};
  r.kind = kind;
  return r;
}

struct owner : detail::responder {
  std::unique_ptr<service> svc;
  std::vector<request*> ready;
  std::unique_ptr<session> s;
  explicit owner(bool tell_gone = false) {
    config cfg;
    cfg.tell_gone = tell_gone;
    route_table t;
    EXPECT_FALSE(t.add_dynamic("GET", "/events", 1));
    EXPECT_FALSE(t.add_const("GET", "/plain", {200, "text/plain", {}, "plain"}));
    svc = std::make_unique<service>(std::move(cfg), std::move(t));
    s = std::make_unique<session>(*svc, *this, ready, kDate);
  }
  void complete(request& r, response&& resp) noexcept override { s->complete(r, std::move(resp)); }
  std::vector<request*> take_ready() {
    std::vector<request*> r;
    r.swap(ready);
    return r;
  }
  std::string output() {
    std::string out;
    while (!s->output().empty()) {
      out += s->output();
      s->consume(s->output().size());
    }
    return out;
  }
  // A stream whose head went out and whose producer took its resumption: now quiet.
  request* quiet_stream() {
    s->receive(kGet);
    auto got = take_ready();
    EXPECT_EQ(got.size(), 1u);
    request* r = got.at(0);
    r->respond(part(response::part::head, "data: 1\n\n"));
    EXPECT_EQ(take_ready(), std::vector<request*>{r});  // taken: the producer goes quiet
    output();
    return r;
  }
};

TEST(StreamGone, Table) {
  struct row {
    const char* name;
    std::function<void(owner&)> ending;
    bool told;         // handed back resumed() and gone() at once, before any next part
    bool later_parts;  // what the producer sends next still goes out
  };
  const std::vector<row> table = {
      {"client_closed", [](owner& o) { o.s->closed(); }, true, false},
      {"client_reset_mid_turn",
       [](owner& o) {
         o.s->end_of_input();
         o.s->closed();
       },
       true, false},
      {"half_close_still_reading", [](owner& o) { o.s->input_ended(); }, true, true},
      {"pipelined_request_is_data_not_a_leaving",
       [](owner& o) { o.s->receive("GET /plain HTTP/1.1\r\nHost: a\r\n\r\n"); }, false, true},
      {"pipelined_partial_bytes_are_data", [](owner& o) { o.s->receive("GET /pla"); }, false, true},
  };
  for (const bool tell_gone : {false, true}) {  // streams are told whatever config::tell_gone
    for (const row& c : table) {
      SCOPED_TRACE(std::string(c.name) + (tell_gone ? " tell_gone" : ""));
      owner o(tell_gone);
      request* r = o.quiet_stream();
      EXPECT_TRUE(o.s->watching_peer());
      c.ending(o);
      const auto got = o.take_ready();
      if (c.told) {
        ASSERT_EQ(got, std::vector<request*>{r});
        EXPECT_TRUE(r->resumed());
        EXPECT_TRUE(r->gone());
        EXPECT_FALSE(o.s->watching_peer());  // told once
        EXPECT_FALSE(o.s->input_ended());    // a FIN after it: not told twice
        EXPECT_TRUE(o.take_ready().empty());
      } else {
        EXPECT_TRUE(got.empty());
        EXPECT_FALSE(r->gone());
        EXPECT_TRUE(o.s->watching_peer());
      }
      // The producer's next part: handed back as every part is, unless the news of the leaving
      // stood for it (one resumption per part, whichever came first).
      r->respond(part(response::part::chunk, "data: 2\n\n"));
      EXPECT_EQ(o.take_ready(), c.told ? std::vector<request*>{} : std::vector<request*>{r});
      EXPECT_EQ(r->gone(), c.told);
      if (c.told) {  // a producer that sends on all the same is handed back after each part
        r->respond(part(response::part::chunk, "data: 3\n\n"));
        EXPECT_EQ(o.take_ready(), std::vector<request*>{r});
      }
      const std::string out = o.output();
      EXPECT_EQ(out.find("data: 2") != std::string::npos, c.later_parts) << out;
      r->respond(part(response::part::end, ""));
      EXPECT_TRUE(o.take_ready().empty());
      EXPECT_FALSE(o.s->watching_peer());
      if (!c.told && c.later_parts && std::string(c.name).find("partial") == std::string::npos) {
        EXPECT_NE(o.output().find("plain"), std::string::npos);  // answered after the stream
      }
    }
  }
}

TEST(StreamGone, WatchedOnlyWhileSomethingWouldBeTold) {
  for (const bool tell_gone : {false, true}) {
    SCOPED_TRACE(tell_gone ? "tell_gone" : "default");
    owner o(tell_gone);
    EXPECT_FALSE(o.s->watching_peer());  // nothing held
    o.s->receive(kGet);
    auto got = o.take_ready();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(o.s->watching_peer(), tell_gone);  // a held whole response: told only if asked
    got[0]->respond(part(response::part::head, ""));
    o.take_ready();
    EXPECT_TRUE(o.s->watching_peer());  // a stream: always
    got[0]->respond(part(response::part::end, ""));
    EXPECT_FALSE(o.s->watching_peer());
  }
}

// ------------------------------------------------------------------------------ over sockets

// Streams "data: start" at once, then stays quiet; records each resumption that says gone and
// then ends the stream (what it sends then still reaches a client that only half-closed).
struct quiet_streams final : handler {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<request*> streams;
  int gone = 0;
  void handle(std::span<request* const> batch) noexcept override {
    for (request* r : batch) {
      if (!r->resumed()) {
        r->respond(part(response::part::head, "data: start\n\n"));
        std::lock_guard lock(mu);
        streams.push_back(r);
        cv.notify_all();
        continue;
      }
      if (!r->gone()) continue;  // a part was taken: the producer stays quiet
      {
        std::lock_guard lock(mu);
        ++gone;
        cv.notify_all();
      }
      r->respond(part(response::part::end, "data: bye\n\n"));
    }
  }
  bool wait(const std::function<bool()>& ready) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 10s, ready);
  }
};

struct served {
  quiet_streams h;
  std::unique_ptr<server> srv;
  explicit served(io_mode io) {
    config cfg;
    cfg.io = io;
    route_table routes;
    EXPECT_FALSE(routes.add_dynamic("GET", "/events", 1));
    EXPECT_FALSE(routes.add_const("GET", "/plain", {200, "text/plain", {}, "plain"}));
    srv = std::make_unique<server>(cfg, std::move(routes), &h);
    EXPECT_FALSE(srv->start());
  }
  ~served() {
    srv->stop();
    EXPECT_TRUE(srv->wait(10000ms));
  }
};

using loopback::connect_to;
using loopback::read_until;
using loopback::send_all;

class StreamGoneServer : public ::testing::TestWithParam<io_mode> {};

// A client that closes while its stream is quiet: the producer hears it without sending.
// With "Connection: close" the server reads nothing more from that connection (it watches for
// the FIN instead); without it, it reads on.
TEST_P(StreamGoneServer, AClientThatClosesIsToldAtOnce) {
  for (const std::string& extra : {std::string(), std::string("Connection: close\r\n")}) {
    SCOPED_TRACE(extra.empty() ? "keep-alive" : "Connection: close");
    served s(GetParam());
    const int fd = connect_to(s.srv->port());
    send_all(fd, "GET /events HTTP/1.1\r\nHost: a\r\n" + extra + "\r\n");
    EXPECT_NE(read_until(fd, "data: start").find("data: start"), std::string::npos);
    ::close(fd);
    EXPECT_TRUE(s.h.wait([&] { return s.h.gone == 1; }));
  }
}

// Half-close semantics: a client that shuts its write side has left, as other servers take
// it (the producer is told at once), but it may still read: what is sent then reaches it.
TEST_P(StreamGoneServer, AHalfCloseIsToldAndWhatFollowsStillArrives) {
  served s(GetParam());
  const int fd = connect_to(s.srv->port());
  send_all(fd, kGet);
  EXPECT_NE(read_until(fd, "data: start").find("data: start"), std::string::npos);
  ::shutdown(fd, SHUT_WR);
  EXPECT_TRUE(s.h.wait([&] { return s.h.gone == 1; }));
  const std::string rest = read_until(fd, "0\r\n\r\n");
  EXPECT_NE(rest.find("data: bye"), std::string::npos) << rest;
  EXPECT_NE(rest.find("0\r\n\r\n"), std::string::npos) << rest;  // the last chunk: complete
  ::close(fd);
}

// Pipelining: bytes that come behind a quiet stream are requests, not a leaving. They are
// answered after the stream ends, and the stream was never told gone.
TEST_P(StreamGoneServer, PipelinedRequestsBehindAQuietStreamAreData) {
  served s(GetParam());
  const int fd = connect_to(s.srv->port());
  send_all(fd, kGet);
  EXPECT_NE(read_until(fd, "data: start").find("data: start"), std::string::npos);
  send_all(fd, "GET /plain HTTP/1.1\r\nHost: a\r\n\r\nGET /pla");  // one whole, one begun
  std::this_thread::sleep_for(100ms);  // room for a wrong verdict; nothing timed is asserted
  request* r = nullptr;
  {
    std::lock_guard lock(s.h.mu);
    EXPECT_EQ(s.h.gone, 0);
    ASSERT_EQ(s.h.streams.size(), 1u);
    r = s.h.streams[0];
  }
  r->respond(part(response::part::end, "data: end\n\n"));
  send_all(fd, "in HTTP/1.1\r\nHost: a\r\n\r\n");
  std::string out;
  const auto answers = [&] {
    std::size_t n = 0;
    for (auto at = out.find("\r\n\r\nplain"); at != std::string::npos;
         at = out.find("\r\n\r\nplain", at + 1)) {
      ++n;
    }
    return n;
  };
  char buf[4096];
  while (answers() < 2) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  EXPECT_EQ(answers(), 2u) << out;
  EXPECT_LT(out.find("data: end"), out.find("plain")) << out;  // in order, after the stream
  ::close(fd);
  std::lock_guard lock(s.h.mu);
  EXPECT_EQ(s.h.gone, 0);
}

INSTANTIATE_TEST_SUITE_P(Transports, StreamGoneServer,
                         ::testing::Values(io_mode::epoll, io_mode::asio),
                         [](const auto& info) { return std::string(io_mode_name(info.param)); });

}  // namespace
}  // namespace lapwise::server

// Per-route body limits (route_table::add_dynamic's max_body) in the sans-IO session: a body
// over its route's limit is 413 before any handler sees it, whatever the framing and whether
// the body is read whole or streamed; a route with a larger limit than the server's accepts it.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "held_session.h"
#include "lapwise/server/session.h"

namespace lapwise::server {
namespace {

constexpr char limit_date[] = "Tue, 01 Jan 2030 00:00:00 GMT";
constexpr std::uint64_t server_limit = 100;

// Routes: /small (limit 10), /large (limit 1000), /plain (the server's 100).
route_table limit_routes(bool any_limits) {
  route_table t;
  EXPECT_FALSE(
      t.add_dynamic("POST", "/small", 1, any_limits ? 10 : route_table::server_body_limit));
  EXPECT_FALSE(
      t.add_dynamic("POST", "/large", 2, any_limits ? 1000 : route_table::server_body_limit));
  EXPECT_FALSE(t.add_dynamic("POST", "/plain", 3));
  return t;
}

config limit_config(bool streamed) {
  config cfg;
  cfg.limits.max_body = server_limit;
  if (streamed) {
    cfg.stream_body_over = 4;
    cfg.body_window = 4096;
  }
  return cfg;
}

struct limit_rig : held_session {
  explicit limit_rig(bool streamed, bool any_limits = true)
      : held_session(limit_config(streamed), limit_routes(any_limits), limit_date) {}
  // The status the client gets, and the body the handler read (empty when none ran).
  std::pair<int, std::string> exchange(const std::string& bytes, bool streamed) {
    s->receive(bytes);
    std::string got;
    if (!ready.empty()) {
      request* r = ready.front();
      ready.clear();
      if (!streamed) {
        got = r->body();
      } else {
        for (int guard = 0; guard < 1000; ++guard) {
          r->read_body();
          if (ready.empty()) break;
          ready.clear();
          if (!r->take_piece()) break;
          if (r->body_error() != 0) break;
          got += r->body();
          if (r->body_end()) break;
        }
      }
      r->respond({200, "text/plain", {}, "ok"});
    }
    const std::string o = out();
    const int status = o.size() >= 12 ? std::stoi(o.substr(9, 3)) : 0;
    return {status, got};
  }
};

std::string chunked(std::size_t n) {
  std::string out;
  for (std::size_t left = n; left > 0;) {  // chunks of 7: the limit falls inside one
    const std::size_t k = std::min<std::size_t>(left, 7);
    out += std::to_string(k) + "\r\n" + std::string(k, 'c') + "\r\n";
    left -= k;
  }
  return out + "0\r\n\r\n";
}

struct limit_row {
  const char* path;
  std::size_t size;
  bool is_chunked;
  int status;  // 200: the handler read the whole body
};

TEST(RouteBodyLimit, EachRouteHoldsItsOwnLimit) {
  const std::vector<limit_row> rows = {
      {"/small", 10, false, 200},  {"/small", 11, false, 413},   {"/small", 10, true, 200},
      {"/small", 11, true, 413},   {"/small", 50, true, 413},    {"/plain", 100, false, 200},
      {"/plain", 101, false, 413}, {"/plain", 101, true, 413},   {"/large", 101, false, 200},
      {"/large", 1000, true, 200}, {"/large", 1001, false, 413}, {"/large", 1001, true, 413},
      {"/none", 101, false, 413},  // no route: the server's limit (then its 404)
      {"/none", 50, false, 404},
  };
  for (bool streamed : {false, true}) {
    for (const limit_row& row : rows) {
      SCOPED_TRACE(std::string(row.path) + " " + std::to_string(row.size) +
                   (row.is_chunked ? " chunked" : " length") + (streamed ? " streamed" : ""));
      limit_rig rig(streamed);
      std::string req = std::string("POST ") + row.path + " HTTP/1.1\r\nHost: a\r\n";
      if (row.is_chunked) {
        req += "Transfer-Encoding: chunked\r\n\r\n" + chunked(row.size);
      } else {
        req +=
            "Content-Length: " + std::to_string(row.size) + "\r\n\r\n" + std::string(row.size, 'x');
      }
      const auto [status, body] = rig.exchange(req, streamed);
      EXPECT_EQ(status, row.status);
      if (row.status == 200) {
        EXPECT_EQ(body.size(), row.size);
      } else if (!streamed || !row.is_chunked) {
        EXPECT_TRUE(body.empty());  // known from the head: no handler ran
      }
    }
  }
}

TEST(RouteBodyLimit, WithoutRouteLimitsTheServersLimitHoldsEverywhere) {
  for (const char* path : {"/small", "/large", "/plain"}) {
    limit_rig rig(false, false);
    EXPECT_EQ(rig.svc->cfg().limits.max_body, server_limit);
    const std::string body(101, 'x');
    const auto [status, got] = rig.exchange(
        std::string("POST ") + path + " HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n" + body,
        false);
    EXPECT_EQ(status, 413) << path;
  }
}

TEST(RouteBodyLimit, AZeroLimitIsRefused) {
  route_table t;
  EXPECT_TRUE(t.add_dynamic("POST", "/x", 1, 0));
  EXPECT_FALSE(t.has_body_limits());
  EXPECT_FALSE(t.add_dynamic("POST", "/y", 2, 5));
  EXPECT_FALSE(t.add_dynamic("POST", "/z", 3, 7));
  EXPECT_EQ(t.largest_body_limit(), 7u);
}

}  // namespace
}  // namespace lapwise::server

// Streamed request bodies in the sans-IO session: bytes in, pieces and answers out.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "held_session.h"
#include "lapwise/server/session.h"

namespace lapwise::server {
namespace {

constexpr char body_date[] = "Tue, 01 Jan 2030 00:00:00 GMT";

// One session whose handler requests are held: the test asks for pieces and answers.
route_table body_routes() {
  route_table t;
  EXPECT_FALSE(t.add_dynamic("POST", "/up", 1));
  EXPECT_FALSE(t.add_dynamic("GET", "/next", 2));
  EXPECT_FALSE(t.add_const("GET", "/plain", {200, "text/plain", {}, "plain"}));
  return t;
}

config body_config(std::size_t window, std::size_t over, std::uint64_t max_body) {
  config cfg;
  cfg.stream_body_over = over;
  cfg.body_window = window;
  cfg.limits.max_body = max_body;
  return cfg;
}

struct body_rig : held_session {
  explicit body_rig(std::size_t window = 8, std::size_t over = 4, std::uint64_t max_body = 1000)
      : held_session(body_config(window, over, max_body), body_routes(), body_date) {}
  // Feeds `bytes` in pieces of `step` (0: at once).
  void feed(std::string_view bytes, std::size_t step = 0) {
    if (step == 0) step = bytes.size();
    for (std::size_t i = 0; i < bytes.size(); i += step) s->receive(bytes.substr(i, step));
  }
  // The next request handed over (new or resumed); null when none.
  request* next() {
    if (ready.empty()) return nullptr;
    request* r = ready.front();
    ready.erase(ready.begin());
    return r;
  }
  // Reads r's body to its end, feeding `rest` in `step`s while it waits; returns what came.
  // What it did not need to feed is fed at the end.
  std::string read_all(request& r, std::string_view rest = {}, std::size_t step = 1) {
    std::string got = read_until_end(r, rest, step);
    feed(rest, step);
    return got;
  }
  std::string read_until_end(request& r, std::string_view& rest, std::size_t step) {
    std::string got;
    for (int guard = 0; guard < 100000; ++guard) {
      r.read_body();
      request* back = next();
      while (back == nullptr && !rest.empty()) {
        const std::size_t n = std::min(step, rest.size());
        s->receive(rest.substr(0, n));
        rest.remove_prefix(n);
        back = next();
      }
      if (back == nullptr) return got + "<stalled>";
      EXPECT_EQ(back, &r);
      EXPECT_TRUE(r.resumed());
      EXPECT_TRUE(r.take_piece());
      EXPECT_FALSE(r.take_piece());
      if (r.body_error() != 0) return got + "<error " + std::to_string(r.body_error()) + ">";
      EXPECT_LE(r.body().size(), svc->cfg().body_window);
      got.append(r.body());
      if (r.body_end()) return got;
    }
    return got + "<endless>";
  }
};

const std::string up_head = "POST /up HTTP/1.1\r\nHost: a\r\n";

struct body_row {
  const char* name;
  std::string framing;  // header line(s) after the Host line
  std::string body;     // as sent
  std::string decoded;
};

std::vector<body_row> body_rows() {
  const std::string big(100, 'x');
  return {
      {"content-length", "Content-Length: 26\r\n", "abcdefghijklmnopqrstuvwxyz",
       "abcdefghijklmnopqrstuvwxyz"},
      {"content-length large", "Content-Length: 100\r\n", big, big},
      {"chunked", "Transfer-Encoding: chunked\r\n", "3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\n\r\n",
       "abcdefg"},
      {"chunked with trailers", "Transfer-Encoding: chunked\r\n",
       "a\r\n0123456789\r\n1\r\nZ\r\n0\r\nT: v\r\nU: w\r\n\r\n", "0123456789Z"},
      {"chunked one large chunk", "Transfer-Encoding: chunked\r\n",
       "64\r\n" + big + "\r\n0\r\n\r\n", big},
  };
}

// Every framing, delivered at once or byte by byte, whatever the window: the pieces make up
// the body, and the request pipelined after it is parsed and answered in order.
TEST(SessionBody, PiecesMakeUpTheBodyAndTheNextRequestFollows) {
  for (const body_row& row : body_rows()) {
    for (std::size_t window : {1u, 3u, 8u, 4096u}) {
      for (std::size_t step : {0u, 1u, 7u}) {
        SCOPED_TRACE(std::string(row.name) + " window " + std::to_string(window) + " step " +
                     std::to_string(step));
        body_rig rig(window);
        const std::string head = up_head + row.framing + "\r\n";
        const std::string after = "GET /next HTTP/1.1\r\nHost: a\r\n\r\n";
        rig.feed(head, step);
        request* r = rig.next();
        ASSERT_NE(r, nullptr);
        EXPECT_TRUE(r->body_streamed());
        EXPECT_TRUE(r->body().empty());
        EXPECT_EQ(r->client().host, "10.0.0.1");
        EXPECT_EQ(r->server().port, 80);
        EXPECT_EQ(rig.read_all(*r, row.body + after, step == 0 ? 1 << 20 : step), row.decoded);
        r->respond({200, "text/plain", {}, "ok"});
        request* n = rig.next();
        ASSERT_NE(n, nullptr);
        EXPECT_EQ(n->route(), 2u);
        EXPECT_FALSE(n->body_streamed());
        n->respond({200, "text/plain", {}, "next"});
        const std::string o = rig.out();
        EXPECT_NE(o.find("ok"), std::string::npos);
        EXPECT_NE(o.find("next"), std::string::npos);
        EXPECT_LT(o.find("ok"), o.find("next"));
        EXPECT_FALSE(rig.s->done());
      }
    }
  }
}

// A chunked body whose first chunks arrive with its head is decoded by the whole-body path
// before it turns out to stream: those bytes still reach the handler a window at a time.
TEST(SessionBody, ChunksDecodedBeforeStreamingKeepToTheWindow) {
  for (std::size_t window : {1u, 3u, 8u}) {
    SCOPED_TRACE("window " + std::to_string(window));
    body_rig rig(window, 0);
    rig.feed(up_head + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nb\r\n, streaming\r\n");
    request* r = rig.next();
    ASSERT_NE(r, nullptr);
    ASSERT_TRUE(r->body_streamed());
    EXPECT_EQ(rig.read_all(*r, "3\r\n!!!\r\n0\r\n\r\n"), "hello, streaming!!!");
    r->respond({200, "text/plain", {}, "ok"});
    EXPECT_NE(rig.out().find("ok"), std::string::npos);
  }
}

TEST(SessionBody, SmallBufferedBodiesStayWhole) {
  body_rig rig(8, 4);
  rig.feed(up_head + "Content-Length: 10\r\n\r\n0123456789");  // over 4 but all here: whole
  request* r = rig.next();
  ASSERT_NE(r, nullptr);
  EXPECT_FALSE(r->body_streamed());
  EXPECT_EQ(r->body(), "0123456789");
  // read_body() on a whole body hands it back once, as the last piece.
  r->read_body();
  ASSERT_EQ(rig.next(), r);
  EXPECT_TRUE(r->take_piece());
  EXPECT_TRUE(r->body_end());
  EXPECT_EQ(r->body(), "0123456789");
  r->respond({200, "text/plain", {}, "ok"});
  body_rig small(8, 64);
  small.feed(up_head + "Content-Length: 10\r\n\r\n01234");  // not over 64: waits, then whole
  EXPECT_EQ(small.next(), nullptr);
  small.feed("56789");
  request* w = small.next();
  ASSERT_NE(w, nullptr);
  EXPECT_FALSE(w->body_streamed());
  EXPECT_EQ(w->body(), "0123456789");
}

// The session stops reading while the window is full and the handler has not asked.
TEST(SessionBody, AFullWindowPausesReading) {
  body_rig rig(8);
  rig.feed(up_head + "Content-Length: 100\r\n\r\n");
  request* r = rig.next();
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(rig.s->wants_read());
  EXPECT_EQ(rig.s->current_phase(), session::phase::body);
  rig.feed(std::string(20, 'a'));  // 8 taken into the window, 12 stay in the input
  EXPECT_FALSE(rig.s->wants_read());
  EXPECT_EQ(rig.s->current_phase(), session::phase::waiting);  // the handler's turn: no timeout
  r->read_body();
  ASSERT_EQ(rig.next(), r);
  EXPECT_EQ(r->body(), std::string(8, 'a'));
  EXPECT_FALSE(r->body_end());
  EXPECT_FALSE(rig.s->wants_read());  // the next 8 moved from the input at once
  r->read_body();
  ASSERT_EQ(rig.next(), r);
  EXPECT_EQ(r->body().size(), 8u);
  EXPECT_TRUE(rig.s->wants_read());  // 4 in the window: room again
  EXPECT_EQ(rig.read_all(*r, std::string(80, 'b')), std::string(4, 'a') + std::string(80, 'b'));
  r->respond({200, "text/plain", {}, "ok"});
  EXPECT_NE(rig.out().find("ok"), std::string::npos);
}

TEST(SessionBody, ContinueIsSentAtTheFirstReadOnly) {
  body_rig rig;
  rig.feed(up_head + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  request* r = rig.next();
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->body_streamed());  // small, but the client waits for the 100: streamed
  EXPECT_EQ(rig.out(), "");
  EXPECT_EQ(rig.s->current_phase(), session::phase::waiting);
  r->read_body();
  EXPECT_EQ(rig.out(), "HTTP/1.1 100 Continue\r\n\r\n");
  EXPECT_EQ(rig.read_all(*r, "hello"), "hello");
  r->respond({200, "text/plain", {}, "ok"});
  const std::string o = rig.out();
  EXPECT_EQ(o.rfind("HTTP/1.1 200 OK", 0), 0u) << o;
  EXPECT_EQ(o.find("100 Continue"), std::string::npos);
  EXPECT_FALSE(rig.s->done());
}

// Answered without reading: no 100, and the connection closes after the answer (the client
// may never send the body).
TEST(SessionBody, AnsweringWithoutReadingSendsNoContinueAndCloses) {
  body_rig rig;
  rig.feed(up_head + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  request* r = rig.next();
  ASSERT_NE(r, nullptr);
  r->respond({401, "text/plain", {}, "no"});
  const std::string o = rig.out();
  EXPECT_EQ(o.find("100 Continue"), std::string::npos);
  EXPECT_EQ(o.rfind("HTTP/1.1 401", 0), 0u) << o;
  EXPECT_NE(o.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(rig.s->done());
}

// Answered before the body was read whole (no 100 involved): the rest is read and dropped,
// and the request after it is answered on the same connection.
TEST(SessionBody, AnUnreadBodyIsDroppedAndTheNextRequestServed) {
  for (const body_row& row : body_rows()) {
    for (std::size_t step : {0u, 1u}) {
      SCOPED_TRACE(std::string(row.name) + " step " + std::to_string(step));
      body_rig rig(4);
      rig.feed(up_head + row.framing + "\r\n");
      request* r = rig.next();
      ASSERT_NE(r, nullptr);
      r->respond({200, "text/plain", {}, "early"});
      rig.feed(row.body + "GET /plain HTTP/1.1\r\nHost: a\r\n\r\n", step);
      const std::string o = rig.out();
      EXPECT_NE(o.find("early"), std::string::npos);
      EXPECT_NE(o.find("\r\n\r\nplain"), std::string::npos) << o;
      EXPECT_EQ(o.find("Connection: close"), std::string::npos);
      EXPECT_FALSE(rig.s->done());
    }
  }
}

struct failure_row {
  const char* name;
  std::string framing, body;
  int status;
};

// A body that fails mid-stream: the handler's next piece carries the error, and the client
// gets its status (whatever the handler answers) and a close.
TEST(SessionBody, AFailedBodyReachesTheHandlerAndTheClient) {
  const std::vector<failure_row> rows = {
      {"chunked over max_body", "Transfer-Encoding: chunked\r\n",
       "200\r\n" + std::string(0x200, 'x') + "\r\n0\r\n\r\n", 413},
      {"malformed chunk size", "Transfer-Encoding: chunked\r\n", "3\r\nabc\r\nzz\r\n", 400},
      {"bad chunk end", "Transfer-Encoding: chunked\r\n", "3\r\nabcX\r\n", 400},
  };
  for (const failure_row& row : rows) {
    for (std::size_t step : {0u, 1u}) {
      SCOPED_TRACE(std::string(row.name) + " step " + std::to_string(step));
      body_rig rig(64, 4, 100);
      rig.feed(up_head + row.framing + "\r\n");
      request* r = rig.next();
      ASSERT_NE(r, nullptr);
      const std::string got =
          rig.read_all(*r, row.body + "GET /plain HTTP/1.1\r\n\r\n", step == 0 ? 1 << 20 : step);
      EXPECT_NE(got.find("<error " + std::to_string(row.status) + ">"), std::string::npos) << got;
      r->respond({200, "text/plain", {}, "fine"});
      const std::string o = rig.out();
      EXPECT_EQ(o.rfind("HTTP/1.1 " + std::to_string(row.status), 0), 0u) << o;
      EXPECT_NE(o.find("Connection: close"), std::string::npos);
      EXPECT_EQ(o.find("\r\n\r\nplain"), std::string::npos);  // nothing after it is parsed
      EXPECT_TRUE(rig.s->done());
    }
  }
}

TEST(SessionBody, ContentLengthOverTheLimitIs413BeforeTheHandler) {
  body_rig rig(8, 4, 100);
  rig.feed(up_head + "Content-Length: 101\r\n\r\n");
  EXPECT_EQ(rig.next(), nullptr);
  EXPECT_EQ(rig.out().rfind("HTTP/1.1 413", 0), 0u);
  EXPECT_TRUE(rig.s->done());
}

TEST(SessionBody, AClientLeavingMidBodyIsAnErrorPiece) {
  body_rig rig;
  rig.feed(up_head + "Content-Length: 50\r\n\r\nabc");
  request* r = rig.next();
  ASSERT_NE(r, nullptr);
  r->read_body();
  ASSERT_EQ(rig.next(), r);
  EXPECT_EQ(r->body(), "abc");
  r->read_body();
  EXPECT_EQ(rig.next(), nullptr);  // waits for bytes
  rig.s->end_of_input();
  ASSERT_EQ(rig.next(), r);
  EXPECT_TRUE(r->take_piece());
  EXPECT_EQ(r->body_error(), 400);
  EXPECT_TRUE(r->body_end());
  EXPECT_TRUE(r->body().empty());
  r->respond({200, "text/plain", {}, "x"});
  rig.out();
  EXPECT_TRUE(rig.s->done());
}

TEST(SessionBody, AStalledBodyTimesOutAs408) {
  body_rig rig;
  rig.feed(up_head + "Content-Length: 50\r\n\r\nabc");
  request* r = rig.next();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(rig.s->current_phase(), session::phase::body);
  rig.s->timeout();
  r->read_body();
  ASSERT_EQ(rig.next(), r);
  EXPECT_EQ(r->body_error(), 408);
  r->respond({200, "text/plain", {}, "x"});
  EXPECT_EQ(rig.out().rfind("HTTP/1.1 408", 0), 0u);
  EXPECT_TRUE(rig.s->done());
}

// A request pipelined behind a streamed one waits for its turn; the 100 Continue of a later
// request waits behind the earlier responses.
TEST(SessionBody, ContinueWaitsBehindAnEarlierResponse) {
  body_rig rig;
  rig.feed("GET /next HTTP/1.1\r\nHost: a\r\n\r\n");      // teaches its response size: pipelined
  rig.next()->respond({200, "text/plain", {}, "first"});  // requests then dispatch together
  rig.out();
  rig.feed("GET /next HTTP/1.1\r\nHost: a\r\n\r\n" + up_head +
           "Expect: 100-continue\r\nContent-Length: 2\r\n\r\n");
  request* first = rig.next();
  request* up = rig.next();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(up, nullptr);
  up->read_body();
  EXPECT_EQ(rig.out(), "");  // behind the first response
  first->respond({200, "text/plain", {}, "first"});
  const std::string o = rig.out();
  EXPECT_NE(o.find("first"), std::string::npos);
  EXPECT_GT(o.find("100 Continue"), o.find("first")) << o;
  EXPECT_EQ(rig.read_all(*up, "hi"), "hi");
  up->respond({200, "text/plain", {}, "up"});
  EXPECT_NE(rig.out().find("up"), std::string::npos);
}

}  // namespace
}  // namespace lapwise::server

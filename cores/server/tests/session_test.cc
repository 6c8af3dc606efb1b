// The sans-IO session: bytes in, responses out, in order, with the limits and timeouts.
#include "lapwise/server/session.h"

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <string>
#include <vector>

namespace lapwise::server {
namespace {

constexpr char date[] = "Tue, 01 Jan 2030 00:00:00 GMT";

struct reply {
  int status;
  std::string body;
  std::string head;  // the raw head, for header checks
};

// Splits a byte stream of responses with the parser; fails the test on a malformed one.
std::vector<reply> split(std::string_view out) {
  std::vector<reply> got;
  while (!out.empty()) {
    std::array<parser::header, 32> hs;
    std::vector<char> no_body(std::size_t{1} << 16);  // where a chunked body is decoded
    parser::response r;
    const auto res = parser::parse_response(out, "GET", r, hs, no_body, false);
    EXPECT_EQ(res.status, parser::parse_status::complete) << "in: " << out;
    if (res.status != parser::parse_status::complete) break;
    got.push_back({r.status, std::string(r.body), std::string(out.substr(0, r.head_size))});
    out.remove_prefix(res.consumed);
  }
  return got;
}

// A session over a small route table; dynamic requests are answered at once when `auto_`
// (body "<route>:<params>:<query>:<body>"), else kept in `held`.
struct harness : detail::responder {
  explicit harness(config cfg = {}, bool auto_answer = true) : auto_(auto_answer) {
    route_table t;
    EXPECT_FALSE(t.add_const("GET", "/plaintext", {200, "text/plain", {}, "Hello, World!"}));
    EXPECT_FALSE(t.add_dynamic("GET", "/users/{id:int}", 1));
    EXPECT_FALSE(t.add_dynamic("POST", "/echo", 2));
    EXPECT_FALSE(t.add_dynamic("GET", "/files/{p:path}", 3));
    own = std::make_unique<service>(std::move(cfg), std::move(t));
    svc = own.get();
    s = std::make_unique<session>(*svc, *this, ready, date);
  }
  // Another connection of the same server (`shared` outlives it).
  explicit harness(service* shared) : auto_(true), svc(shared) {
    s = std::make_unique<session>(*svc, *this, ready, date);
  }
  void complete(request& r, response&& resp) noexcept override { s->complete(r, std::move(resp)); }
  void read_body(request& r) noexcept override { s->read_body(r); }
  void feed(std::string_view bytes, std::size_t step = 0) {
    if (step == 0) step = bytes.size() + 1;
    for (std::size_t i = 0; i < bytes.size(); i += step) {
      s->receive(bytes.substr(i, step));
      settle();
    }
  }
  void settle() {
    while (!ready.empty()) {
      std::vector<request*> batch;
      batch.swap(ready);
      for (request* r : batch) {
        if (!auto_) {
          held.push_back(r);
          continue;
        }
        if (r->body_streamed()) {  // read it to its end, then answer as for a whole body
          if (!r->take_piece()) {
            r->read_body();
            continue;
          }
          streamed[r].append(r->body());
          if (r->body_end() && r->body_error() == 0) {
            const std::string whole = std::move(streamed[r]);
            streamed.erase(r);
            r->respond({200, "text/plain", {}, std::to_string(r->route()) + ":::" + whole});
          } else if (r->body_end()) {
            streamed.erase(r);
            r->respond({200, "text/plain", {}, "unread"});
          } else {
            r->read_body();
          }
          continue;
        }
        std::string body;  // appended piecewise: GCC 12 warns (falsely) on chains of operator+
        body += std::to_string(r->route());
        body += ':';
        for (const auto& p : r->params()) {
          body.append(p.name).append("=").append(p.value);
        }
        body.append(":").append(r->query()).append(":").append(r->body());
        r->respond({200, "text/plain", {}, body});
      }
    }
  }
  // Teaches the service the size of /users responses (a route's first answer), so that
  // pipelined /users requests are dispatched together (session.h: the output bound).
  void warm() {
    feed("GET /users/0 HTTP/1.1\r\nHost: a\r\n\r\n");
    for (request* r : held) r->respond({200, "text/plain", {}, "0"});
    held.clear();
    take();
  }
  // Everything the session has to write now, as a transport writes it: piece after piece.
  std::string drain_output() {
    std::string out;
    while (!s->output().empty()) {
      const std::string_view piece = s->output();
      out += piece;
      s->consume(piece.size());
    }
    return out;
  }
  std::vector<reply> take() {
    std::string out = drain_output();
    settle();
    out += drain_output();
    return split(out);
  }
  bool auto_;
  std::unique_ptr<service> own;
  service* svc;
  std::unique_ptr<session> s;
  std::vector<request*> ready, held;
  std::map<request*, std::string> streamed;  // streamed bodies read so far
};

struct case_row {
  const char* name;
  std::string input;
  std::size_t step;  // feed in pieces of this size (0: at once)
  std::vector<int> statuses;
  std::vector<std::string> bodies;  // checked when non-empty
  bool closes;
};

const std::string get_plain = "GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n";

TEST(Session, Table) {
  const std::vector<case_row> rows = {
      {"const", get_plain, 0, {200}, {"Hello, World!"}, false},
      {"const byte by byte", get_plain, 1, {200}, {"Hello, World!"}, false},
      {"keep-alive x3", get_plain + get_plain + get_plain, 0, {200, 200, 200}, {}, false},
      {"dynamic with int param and query",
       "GET /users/42?q=x HTTP/1.1\r\nHost: a\r\n\r\n",
       0,
       {200},
       {"1:id=42:q=x:"},
       false},
      {"percent-decoded path",
       "GET /files/a%20b/c HTTP/1.1\r\nHost: a\r\n\r\n",
       0,
       {200},
       {"3:p=a b/c::"},
       false},
      {"content-length body",
       "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
       1,
       {200},
       {"2:::hello"},
       false},
      {"chunked body in pieces",
       "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
       "3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\nT: v\r\n\r\n",
       3,
       {200},
       {"2:::abcdefg"},
       false},
      {"pipelined mixed order",
       "GET /users/1 HTTP/1.1\r\nHost: a\r\n\r\n" + get_plain +
           "GET /users/2 HTTP/1.1\r\nHost: a\r\n\r\n",
       0,
       {200, 200, 200},
       {"1:id=1::", "Hello, World!", "1:id=2::"},
       false},
      {"404", "GET /nope HTTP/1.1\r\nHost: a\r\n\r\n" + get_plain, 0, {404, 200}, {}, false},
      {"405",
       "POST /plaintext HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
       0,
       {405},
       {},
       false},
      {"connection close",
       "GET /plaintext HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" + get_plain,
       0,
       {200},
       {},
       true},
      {"http/1.0 closes", "GET /plaintext HTTP/1.0\r\n\r\n", 0, {200}, {}, true},
      {"http/1.0 keep-alive",
       "GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" + get_plain,
       0,
       {200, 200},
       {},
       false},
      {"malformed then ignored",
       "GET /plaintext HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n" + get_plain,
       0,
       {400},
       {},
       true},
      {"bad version", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 0, {505}, {}, true},
      {"unknown coding",
       "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
       0,
       {501},
       {},
       true},
      {"bad chunk",
       "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
       0,
       {400},
       {},
       true},
      {"uri too long",
       "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n",
       512,
       {414},
       {},
       true},
      {"headers too large",
       "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(70000, 'a') + "\r\n\r\n",
       4096,
       {431},
       {},
       true},
      {"body too large",
       "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999\r\n\r\n",
       0,
       {413},
       {},
       true},
      {"smuggling: both lengths",
       "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
       "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
       0,
       {400},
       {},
       true},
  };
  // Each row twice: bodies read whole, and every body that can stream streamed through a
  // 3-byte window: the answers must not differ (framing and its errors are the parser's).
  config streaming;
  streaming.stream_body_over = 0;
  streaming.body_window = 3;
  for (const case_row& row : rows)
    for (const config& cfg : {config{}, streaming}) {
      const bool streams = cfg.stream_body_over == 0;
      SCOPED_TRACE(streams ? "streamed bodies" : "whole bodies");
      harness h(cfg);
      h.feed(row.input, row.step);
      const auto got = h.take();
      ASSERT_EQ(got.size(), row.statuses.size()) << row.name;
      for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].status, row.statuses[i]) << row.name << " #" << i;
        if (!row.bodies.empty()) {
          EXPECT_EQ(got[i].body, row.bodies[i]) << row.name << " #" << i;
        }
        EXPECT_NE(got[i].head.find("\r\nServer: lapwise\r\n"), std::string::npos) << row.name;
        EXPECT_NE(got[i].head.find(std::string("\r\nDate: ") + date), std::string::npos)
            << row.name;
      }
      EXPECT_EQ(h.s->done(), row.closes) << row.name;
      if (row.closes && !got.empty()) {
        EXPECT_NE(got.back().head.find("Connection: close"), std::string::npos) << row.name;
      }
    }
}

// Interfaces that pass the request on (ASGI's raw_path and http_version) read it as sent.
TEST(Session, RequestKeepsTheRawPathAndVersion) {
  harness h({}, false);
  h.feed("GET /files/a%20b/c?x=1 HTTP/1.0\r\nHost: a\r\n\r\n");
  ASSERT_EQ(h.held.size(), 1u);
  request* r = h.held[0];
  EXPECT_EQ(r->path(), "/files/a b/c");
  EXPECT_EQ(r->raw_path(), "/files/a%20b/c");
  EXPECT_EQ(r->query(), "x=1");
  EXPECT_EQ(r->version_minor(), 0);
  r->respond({200, "text/plain", {}, "ok"});
  h.held.clear();
  EXPECT_EQ(h.take().size(), 1u);
}

TEST(Session, UnmatchedRequestsGoToTheUnmatchedRouteOnlyWhenSet) {
  for (const bool set : {false, true}) {
    route_table t;
    EXPECT_FALSE(t.add_const("GET", "/plaintext", {200, "text/plain", {}, "Hello, World!"}));
    EXPECT_FALSE(t.add_dynamic("GET", "/users/{id:int}", 1));
    if (set) t.set_unmatched(9);
    service svc({}, std::move(t));
    harness h(&svc);
    h.feed(
        "GET /nowhere?q=1 HTTP/1.1\r\nHost: a\r\n\r\n"
        "DELETE /users/7 HTTP/1.1\r\nHost: a\r\n\r\n" +
        get_plain + "GET /users/7 HTTP/1.1\r\nHost: a\r\n\r\n");
    const auto got = h.take();
    ASSERT_EQ(got.size(), 4u);
    if (set) {  // the handler's answers: route 9, no params
      EXPECT_EQ(got[0].body, "9::q=1:");
      EXPECT_EQ(got[1].body, "9:::");
    } else {
      EXPECT_EQ(got[0].status, 404);
      EXPECT_EQ(got[1].status, 405);
    }
    EXPECT_EQ(got[2].body, "Hello, World!");
    EXPECT_EQ(got[3].body, "1:id=7::");
  }
}

TEST(Session, ResponsesLeaveInRequestOrderWhateverTheCompletionOrder) {
  harness h({}, /*auto_answer=*/false);
  h.warm();
  h.feed("GET /users/1 HTTP/1.1\r\nHost: a\r\n\r\nGET /users/2 HTTP/1.1\r\nHost: a\r\n\r\n" +
         get_plain);
  ASSERT_EQ(h.held.size(), 2u);
  EXPECT_TRUE(h.s->output().empty());  // the const answer waits behind the two dynamic ones
  h.held[1]->respond({201, "text/plain", "X-N: 2\r\n", "second"});
  EXPECT_TRUE(h.s->output().empty());
  h.held[0]->respond({200, "text/plain", {}, "first"});
  const auto got = h.take();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].body, "first");
  EXPECT_EQ(got[1].body, "second");
  EXPECT_EQ(got[1].status, 201);
  EXPECT_NE(got[1].head.find("\r\nX-N: 2\r\n"), std::string::npos);
  EXPECT_EQ(got[2].body, "Hello, World!");
}

TEST(Session, PipelineDepthPausesReadingUntilAnswered) {
  config cfg;
  cfg.max_pipelined = 2;
  harness h(cfg, /*auto_answer=*/false);
  h.warm();
  std::string three;
  for (int i = 0; i < 3; ++i)
    three += "GET /users/" + std::to_string(i) + " HTTP/1.1\r\nHost: a\r\n\r\n";
  h.feed(three);
  EXPECT_EQ(h.held.size(), 2u);
  EXPECT_FALSE(h.s->wants_read());
  h.held[0]->respond({200, "text/plain", {}, "0"});
  h.settle();
  EXPECT_EQ(h.held.size(), 3u);  // the third was parsed once a slot freed up
  EXPECT_EQ(h.held[2]->params()[0].value, "2");
}

TEST(Session, ExpectContinueIsAnsweredBeforeTheBody) {
  harness h;
  h.feed("POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
  EXPECT_EQ(h.s->output(), "HTTP/1.1 100 Continue\r\n\r\n");
  h.s->consume(h.s->output().size());
  h.feed("hi");
  const auto got = h.take();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "2:::hi");
}

TEST(Session, TimeoutGives408WhileReceivingAndClosesIdleSilently) {
  harness a;
  a.feed("GET /plaintext HTTP/1.1\r\nHo");
  EXPECT_EQ(a.s->current_phase(), session::phase::head);
  a.s->timeout();
  const auto got = a.take();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].status, 408);
  EXPECT_TRUE(a.s->done());

  harness b;
  EXPECT_EQ(b.s->current_phase(), session::phase::idle);
  b.s->timeout();
  EXPECT_TRUE(b.s->output().empty());
  EXPECT_TRUE(b.s->done());
}

// The phases the owner's timeouts follow: head until the head is complete, then body until the
// body is; parsed() moves once per request, so the owner restarts the header timeout for each
// new head even when a read never ends at a request boundary.
TEST(Session, PhasesAndParsedCountForTheTimeouts) {
  harness h;
  EXPECT_EQ(h.s->parsed(), 0u);
  h.feed("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nab");
  EXPECT_EQ(h.s->current_phase(), session::phase::body);
  h.feed("cd" + get_plain.substr(0, 10));
  EXPECT_EQ(h.s->parsed(), 1u);
  EXPECT_EQ(h.s->current_phase(), session::phase::head);
  h.feed(get_plain.substr(10) + get_plain.substr(0, 5));
  EXPECT_EQ(h.s->parsed(), 2u);
  EXPECT_EQ(h.s->current_phase(), session::phase::head);
  h.s->timeout();
  const auto got = h.take();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2].status, 408);
}

TEST(Session, DrainAnswersWhatIsBufferedThenCloses) {
  harness h({}, /*auto_answer=*/false);
  h.feed("GET /users/1 HTTP/1.1\r\nHost: a\r\n\r\n");
  h.s->drain();
  EXPECT_FALSE(h.s->done());  // the handler still holds a request
  EXPECT_FALSE(h.s->wants_read());
  h.held[0]->respond({200, "text/plain", {}, "x"});
  const auto got = h.take();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_NE(got[0].head.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(h.s->done());
}

TEST(Session, EndOfInputDropsAPartialRequest) {
  harness h;
  h.feed(get_plain + "GET /plain");
  h.s->end_of_input();
  const auto got = h.take();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(h.s->done());
}

TEST(Session, ManyMalformedSessionsEachGetOneAnswer) {
  for (int i = 0; i < 1000; ++i) {
    harness h;
    h.feed(std::string("G\x01T / HTTP/1.1\r\n\r\n"));
    const auto got = h.take();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].status, 400);
    EXPECT_TRUE(h.s->done());
  }
}

// A handler's headers reach the wire only when they are well formed: CR/LF injection, a
// non-token name, a framing header of the server's own or a bad content type become a 500
// (reported), and the connection goes on serving.
TEST(Session, InvalidResponseHeadersBecome500AndAreReported) {
  const std::vector<response> bad = {
      {200, "text/plain", "X-A: 1\r\nSet-Cookie: evil\r\n\r\n<html>", "body"},
      {200, "text/plain", "X-A: 1\r\n\r\nHTTP/1.1 200 OK\r\n", "body"},
      {200, "text/plain", "X-A: a\nInjected: 1\r\n", "body"},
      {200, "text/plain", "X-A: a\rb\r\n", "body"},
      {200, "text/plain", std::string("X-A: a\0b\r\n", 11), "body"},
      {200, "text/plain", "X A: 1\r\n", "body"},
      {200, "text/plain", ": 1\r\n", "body"},
      {200, "text/plain", "X-A 1\r\n", "body"},
      {200, "text/plain", "X-A: 1", "body"},
      {200, "text/plain", "Content-Length: 1\r\n", "body"},
      {200, "text/plain", "transfer-encoding: chunked\r\n", "body"},
      {200, "text/plain", "Content-Type: a\r\n", "body"},
      {200, "text/html\r\nX-Injected: 1", {}, "body"},
  };
  for (const response& r : bad) {
    config cfg;
    std::vector<std::string> reports;
    cfg.report = [&](std::string_view m) { reports.emplace_back(m); };
    harness h(cfg, /*auto_answer=*/false);
    h.feed("GET /users/1 HTTP/1.1\r\nHost: a\r\n\r\n" + get_plain);
    ASSERT_EQ(h.held.size(), 1u);
    h.held[0]->respond(r);
    const auto got = h.take();
    ASSERT_EQ(got.size(), 2u) << r.headers;
    EXPECT_EQ(got[0].status, 500) << r.headers << r.content_type;
    EXPECT_EQ(got[0].head.find("Injected"), std::string::npos);
    EXPECT_EQ(got[0].head.find("evil"), std::string::npos);
    EXPECT_EQ(got[1].status, 200);
    ASSERT_EQ(reports.size(), 1u) << r.headers;
    EXPECT_EQ(reports[0].find('\r'), std::string::npos);  // the report is one clean line
    EXPECT_EQ(reports[0].find('\n'), std::string::npos);
  }
  EXPECT_NE(validate_response(bad[3])->find("CR, LF and NUL"), std::string::npos);
}

TEST(Session, ValidResponseHeadersPassUnchanged) {
  harness h({}, /*auto_answer=*/false);
  h.feed("GET /users/1 HTTP/1.1\r\nHost: a\r\n\r\n");
  const response ok{201, "application/json; charset=utf-8",
                    "X-A: 1\r\nSet-Cookie: a=b; Path=/\r\nX-Tab:\tv \xc3\xa9\r\nX-Empty:\r\n",
                    "{}"};
  EXPECT_FALSE(validate_response(ok));
  h.held[0]->respond(ok);
  const auto got = h.take();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].status, 201);
  EXPECT_NE(got[0].head.find("\r\nSet-Cookie: a=b; Path=/\r\n"), std::string::npos);
}

TEST(Session, ConstRoutesWithInvalidHeadersAreRefused) {
  route_table t;
  EXPECT_TRUE(t.add_const("GET", "/a", {200, "text/plain", "X: 1\r\nY\r\n", "a"}));
  EXPECT_TRUE(t.add_const("GET", "/b", {200, "text/plain\r\nX: 1", {}, "b"}));
  EXPECT_TRUE(t.add_const("GET", "/c", {200, "text/plain", "Server: x\r\n", "c"}));
  EXPECT_FALSE(t.add_const("GET", "/d", {200, "text/plain", "X-D: 1\r\n", "d"}));
}

// Bounded memory. The client of these tests never reads unless the test says so; the bounds
// are behaviour (what the session holds), measured with footprint().

std::string pipelined_users(int n) {
  std::string all;
  for (int i = 0; i < n; ++i)
    all += "GET /users/" + std::to_string(i) + " HTTP/1.1\r\nHost: a\r\n\r\n";
  return all;
}

// 64 pipelined requests for a large handler response, never read: only what fits the output
// bound is dispatched (today every one was, and every response rendered).
TEST(Session, PipelinedLargeResponsesStayWithinTheOutputBound) {
  config cfg;
  cfg.max_output = 64 << 10;
  harness h(cfg, /*auto_answer=*/false);
  h.feed(pipelined_users(64));
  const std::string big(1 << 20, 'x');
  std::size_t peak = 0, answered = 0;
  for (int round = 0; round < 64 && !h.held.empty(); ++round) {
    auto held = std::move(h.held);
    h.held.clear();
    for (request* r : held) {
      r->respond({200, "text/plain", {}, big});
      ++answered;
    }
    h.settle();
    peak = std::max(peak, h.s->footprint());
  }
  EXPECT_LE(peak, cfg.max_output + big.size() + (64 << 10)) << answered << " answered";
  EXPECT_EQ(answered, 1u);
  // The client reads at last: everything is answered, in order.
  std::size_t got = 0;
  while (got < 64) {
    const std::string out = h.drain_output();
    const std::size_t n = out.size();
    got += split(out).size();
    auto held = std::move(h.held);
    h.held.clear();
    for (request* r : held) r->respond({200, "text/plain", {}, big});
    h.settle();
    if (n == 0 && h.held.empty() && h.s->output().empty()) break;
  }
  EXPECT_EQ(got, 64u);
}

// A client that reads, but never quite everything, and keeps pipelining: what it has read is
// freed (today the written prefix stayed until the output drained completely, which never
// happened).
TEST(Session, SlowReaderKeepsTheOutputBounded) {
  config cfg;
  cfg.max_output = 16 << 10;
  harness h(cfg);
  std::size_t peak = 0;
  for (int i = 0; i < 4000; ++i) {
    h.s->receive(get_plain);
    h.settle();
    const std::size_t out = h.s->output().size();
    if (out > 100) h.s->consume(out - 100);
    peak = std::max(peak, h.s->footprint());
  }
  EXPECT_LE(peak, 2 * cfg.max_output + (32 << 10));
}

// After a large message the buffers go back to their base size (today the input buffer, the
// output string and the pooled request kept the largest size they ever had).
TEST(Session, BuffersShrinkBackAfterALargeMessage) {
  harness h;
  h.feed(get_plain);
  ASSERT_EQ(h.take().size(), 1u);
  (void)h.s->read_space();  // what a transport does before its next read
  const std::size_t base = h.s->footprint();
  EXPECT_LE(base, std::size_t{32} << 10);
  const std::string body(std::size_t{4} << 20, 'b');
  h.feed("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4194304\r\n\r\n" + body, 65536);
  const auto got = h.take();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body.size(), body.size() + 4);
  (void)h.s->read_space();
  EXPECT_LE(h.s->footprint(), base + (16 << 10));
}

// The server-wide cap: while other connections hold most of it, a request that needs more gets
// 503 with Retry-After and a close; a const answer still goes out; once the memory is back,
// uploads are served again.
TEST(Session, ServerMemoryCapAnswers503WithRetryAfter) {
  config cfg;
  cfg.max_memory = 5 << 20;
  harness a(cfg);
  const std::string upload(3000000, 'a');
  const std::string head = "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3000000\r\n\r\n";
  a.feed(head + upload.substr(0, 2 << 20), 65536);  // in progress: 3 MB reserved
  EXPECT_TRUE(a.take().empty());
  harness b(a.svc);
  b.feed(head + upload, 65536);
  const auto refused = b.take();
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].status, 503);
  EXPECT_NE(refused[0].head.find("\r\nRetry-After: "), std::string::npos);
  EXPECT_TRUE(b.s->done());
  harness c(a.svc);
  c.feed(get_plain);
  const auto small = c.take();
  ASSERT_EQ(small.size(), 1u);
  EXPECT_EQ(small[0].status, 200);
  a.feed(upload.substr(2 << 20), 65536);
  const auto done = a.take();
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].status, 200);
  (void)a.s->read_space();
  harness d(a.svc);
  d.feed(head + upload, 65536);
  const auto again = d.take();
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].status, 200);
}

TEST(Session, HttpDateFormat) {
  char out[detail::date_length + 1] = {};
  detail::format_http_date(784111777, out);  // RFC 9110's example
  EXPECT_STREQ(out, "Sun, 06 Nov 1994 08:49:37 GMT");
}

// ---------------------------------------------------------------------- streamed responses

response part(response::part kind, std::string body, int status = 200) {
  response r{status, "text/plain", {}, std::move(body)};
  r.kind = kind;
  return r;
}

// Takes the one request `ready` holds (a new one or a resumed stream).
request* take_ready(harness& h) {
  EXPECT_EQ(h.ready.size(), 1u);
  if (h.ready.size() != 1) return nullptr;
  request* r = h.ready.front();
  h.ready.clear();
  return r;
}

TEST(SessionStream, ChunkedPartsAndResumption) {
  harness h({}, false);
  h.s->receive("GET /users/1 HTTP/1.1\r\nHost: a\r\n\r\n");
  request* r = take_ready(h);
  ASSERT_NE(r, nullptr);
  EXPECT_FALSE(r->resumed());
  r->respond(part(response::part::head, "one,"));
  ASSERT_EQ(take_ready(h), r);  // queued, room left: send the next part
  EXPECT_TRUE(r->resumed());
  EXPECT_FALSE(r->gone());
  r->respond(part(response::part::chunk, ""));  // sends nothing
  ASSERT_EQ(take_ready(h), r);
  r->respond(part(response::part::chunk, "two,"));
  ASSERT_EQ(take_ready(h), r);
  r->respond(part(response::part::end, "three"));
  EXPECT_TRUE(h.ready.empty());  // completed: not handed back
  const std::string out = h.drain_output();
  EXPECT_NE(out.find("\r\nTransfer-Encoding: chunked\r\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("Content-Length"), std::string::npos) << out;
  EXPECT_NE(out.find("\r\n\r\n4\r\none,\r\n4\r\ntwo,\r\n5\r\nthree\r\n0\r\n\r\n"),
            std::string::npos)
      << out;
  const auto got = split(out);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "one,two,three");
  // The connection goes on: the next request is answered as usual.
  h.s->receive(get_plain);
  EXPECT_EQ(split(h.drain_output()).at(0).body, "Hello, World!");
}

TEST(SessionStream, WaitsWhileTheOutputIsOverItsBound) {
  config cfg;
  cfg.max_output = 1000;
  harness h(cfg, false);
  h.s->receive("GET /users/1 HTTP/1.1\r\nHost: a\r\n\r\n");
  request* r = take_ready(h);
  ASSERT_NE(r, nullptr);
  r->respond(part(response::part::head, std::string(1500, 'x')));
  EXPECT_TRUE(h.ready.empty());  // over the bound: not resumed yet
  std::string out;
  while (h.ready.empty() && !h.s->output().empty()) {  // the client reads a little at a time
    const std::string_view piece = h.s->output().substr(0, 300);
    out += piece;
    h.s->consume(piece.size());
  }
  EXPECT_EQ(take_ready(h), r);
  EXPECT_TRUE(h.s->take_woken());
  EXPECT_LT(h.s->output().size(), cfg.max_output);
  r->respond(part(response::part::end, "y"));
  out += h.drain_output();
  const auto got = split(out);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, std::string(1500, 'x') + "y");
}

TEST(SessionStream, WaitsBehindAnEarlierResponse) {
  harness h({}, false);
  h.warm();  // /users responses known small: both requests go to the handler together
  h.s->receive("GET /users/1 HTTP/1.1\r\nHost: a\r\n\r\nGET /users/2 HTTP/1.1\r\nHost: a\r\n\r\n");
  ASSERT_EQ(h.ready.size(), 2u);
  request* first = h.ready[0];
  request* second = h.ready[1];
  h.ready.clear();
  second->respond(part(response::part::head, "b1,"));
  ASSERT_EQ(take_ready(h), second);
  second->respond(part(response::part::end, "b2"));
  EXPECT_TRUE(h.s->output().empty());  // held back behind the first
  first->respond({200, "text/plain", {}, "a"});
  const auto got = split(h.drain_output());
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].body, "a");
  EXPECT_EQ(got[1].body, "b1,b2");
}

TEST(SessionStream, Http10IsDelimitedByTheClose) {
  harness h({}, false);
  h.s->receive("GET /users/1 HTTP/1.0\r\n\r\n");
  request* r = take_ready(h);
  ASSERT_NE(r, nullptr);
  r->respond(part(response::part::head, "ab"));
  ASSERT_EQ(take_ready(h), r);
  r->respond(part(response::part::end, "cd"));
  const std::string out = h.drain_output();
  EXPECT_EQ(out.find("Transfer-Encoding"), std::string::npos) << out;
  EXPECT_EQ(out.find("Content-Length"), std::string::npos) << out;
  EXPECT_NE(out.find("Connection: close\r\n\r\nabcd"), std::string::npos) << out;
  EXPECT_TRUE(h.s->done());
}

TEST(SessionStream, BodylessStatusesSendNoBody) {
  harness h({}, false);
  h.s->receive("GET /users/1 HTTP/1.1\r\nHost: a\r\n\r\n");
  request* r = take_ready(h);
  ASSERT_NE(r, nullptr);
  r->respond(part(response::part::head, "ignored", 204));
  ASSERT_EQ(take_ready(h), r);
  r->respond(part(response::part::end, "ignored too"));
  const std::string out = h.drain_output();
  EXPECT_NE(out.find("HTTP/1.1 204"), std::string::npos) << out;
  EXPECT_EQ(out.find("ignored"), std::string::npos) << out;
  EXPECT_EQ(out.find("Transfer-Encoding"), std::string::npos) << out;
}

TEST(SessionStream, APartBeforeTheHeadIs500) {
  harness h({}, false);
  h.s->receive("GET /users/1 HTTP/1.1\r\nHost: a\r\n\r\n");
  request* r = take_ready(h);
  ASSERT_NE(r, nullptr);
  r->respond(part(response::part::chunk, "x"));
  EXPECT_TRUE(h.ready.empty());
  EXPECT_EQ(split(h.drain_output()).at(0).status, 500);
}

TEST(SessionStream, AClosedConnectionHandsHeldRequestsBackGone) {
  config cfg;
  cfg.max_output = 100;
  cfg.tell_gone = true;
  harness h(cfg, false);
  h.s->receive("GET /users/1 HTTP/1.1\r\nHost: a\r\n\r\n");
  request* r = take_ready(h);
  ASSERT_NE(r, nullptr);
  r->respond(part(response::part::head, std::string(200, 'x')));
  EXPECT_TRUE(h.ready.empty());  // waiting for room
  h.s->end_of_input();
  EXPECT_TRUE(h.s->closed());
  ASSERT_EQ(take_ready(h), r);
  EXPECT_TRUE(r->gone());
  r->respond(part(response::part::chunk, std::string(200, 'y')));  // dropped, resumed at once
  ASSERT_EQ(take_ready(h), r);
  r->respond(part(response::part::end, ""));
  EXPECT_TRUE(h.ready.empty());
}

TEST(SessionStream, AHalfCloseTellsHeldRequestsButStillSends) {
  config cfg;
  cfg.tell_gone = true;
  harness h(cfg, false);
  h.s->receive("GET /users/1 HTTP/1.1\r\nHost: a\r\n\r\n");
  request* r = take_ready(h);
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(h.s->input_ended());
  ASSERT_EQ(take_ready(h), r);
  EXPECT_TRUE(r->gone());
  EXPECT_FALSE(h.s->closed());  // told once
  r->respond({200, "text/plain", {}, "still sent"});
  EXPECT_EQ(split(h.drain_output()).at(0).body, "still sent");
}

TEST(SessionStream, AClosedConnectionTellsAHeldWholeRequestOnlyWhenAsked) {
  for (const bool tell : {false, true}) {
    config cfg;
    cfg.tell_gone = tell;
    harness h(cfg, false);
    h.s->receive("GET /users/1 HTTP/1.1\r\nHost: a\r\n\r\n");
    request* r = take_ready(h);
    ASSERT_NE(r, nullptr);
    h.s->end_of_input();
    EXPECT_EQ(h.s->closed(), tell);
    EXPECT_EQ(h.ready.size(), tell ? 1u : 0u);
    EXPECT_TRUE(r->gone());
    h.ready.clear();
    r->respond({200, "text/plain", {}, "late"});
  }
}

}  // namespace
}  // namespace lapwise::server

// Gate driver for lapwise::server: the sans-IO session core (session.h) fed a pipelined request
// stream, as a keep-alive connection delivers it: no sockets, no threads, no clock.
//   server.pipelined_mixed/native   32 requests per pass (const /plaintext and /json, dynamic
//                                   /users/{id:int} with a query, a POST /echo with a body, and
//                                   a 404), arriving in 1,448-byte segments (one TCP segment on
//                                   a 1,500-byte MTU) that split heads and bodies anywhere; every
//                                   response is read back and consumed after each segment
//   server.pipelined_plaintext/native  the same stream shape, const /plaintext only (the
//                                   pre-rendered fast path)
// The dynamic requests are answered by the driver at once (as a handler that returns
// immediately), so the count covers the session's parsing, routing, slot bookkeeping and
// response rendering, and none of a transport. The Date is fixed: the count cannot depend on
// the time of day.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gate_driver.h"
#include "lapwise/parser/http.h"
#include "lapwise/server/session.h"

namespace {

namespace ls = lapwise::server;

constexpr char kDate[] = "Sun, 06 Dec 2026 08:00:00 GMT";
constexpr std::size_t kSegment = 1448;
constexpr std::size_t kRequestsPerPass = 32;

// A connection whose dynamic requests the driver answers as soon as the session hands them over.
struct connection : ls::detail::responder {
  std::unique_ptr<ls::service> svc;
  std::unique_ptr<ls::session> s;
  std::vector<ls::request*> ready;
  std::string echo;  // reused: the dynamic answers' bodies

  explicit connection(ls::route_table routes) {
    svc = std::make_unique<ls::service>(ls::config{}, std::move(routes));
    s = std::make_unique<ls::session>(*svc, *this, ready, kDate);
  }
  void complete(ls::request& r, ls::response&& resp) noexcept override {
    s->complete(r, std::move(resp));
  }
  void answer_ready() {
    for (std::size_t i = 0; i < ready.size(); ++i) {
      ls::request* r = ready[i];
      echo.assign(r->route() == 1 ? "user " : "echo ");
      for (const auto& p : r->params()) echo.append(p.value);
      echo.append(r->query()).append(r->body());
      r->respond({200, "text/plain", {}, echo});
    }
    ready.clear();
  }
  // Feeds `stream` segment by segment; after each, answers and drains the output. Returns the
  // bytes of output, appended to `out` when given.
  std::uint64_t feed(std::string_view stream, std::string* out) {
    std::uint64_t written = 0;
    for (std::size_t at = 0; at < stream.size(); at += kSegment) {
      s->receive(stream.substr(at, kSegment));
      answer_ready();
      std::string_view o = s->output();
      written += o.size();
      if (out != nullptr) out->append(o);
      s->consume(o.size());
    }
    return written;
  }
};

ls::route_table routes() {
  ls::route_table t;
  (void)t.add_const("GET", "/plaintext", {200, "text/plain", {}, "Hello, World!"});
  (void)t.add_const("GET", "/json",
                    {200, "application/json", {}, R"({"message":"Hello, World!"})"});
  (void)t.add_dynamic("GET", "/users/{id:int}", 1);
  (void)t.add_dynamic("POST", "/echo", 2);
  return t;
}

// Request i of the mixed stream, and the status and body it must get.
struct exchange {
  std::string request;
  int status;
  std::string body;
};

exchange mixed(std::size_t i) {
  const std::string host = "Host: app.example.com\r\nUser-Agent: lapwise-gate/1\r\nAccept: */*\r\n";
  switch (i % 8) {
    case 0:
    case 3:
    case 6:
      return {"GET /plaintext HTTP/1.1\r\n" + host + "\r\n", 200, "Hello, World!"};
    case 1:
    case 5:
      return {"GET /json HTTP/1.1\r\n" + host + "\r\n", 200, R"({"message":"Hello, World!"})"};
    case 2: {
      std::string id = std::to_string(1000 + i);
      return {"GET /users/" + id + "?fields=name,email HTTP/1.1\r\n" + host + "\r\n", 200,
              "user " + id + "fields=name,email"};
    }
    case 4: {
      std::string body = R"({"name":"item-)" + std::to_string(i) + R"(","qty":3})";
      return {"POST /echo HTTP/1.1\r\n" + host +
                  "Content-Type: application/json\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n" + body,
              200, "echo " + body};
    }
    default:
      return {"GET /missing/page HTTP/1.1\r\n" + host + "\r\n", 404, ""};
  }
}

exchange plaintext(std::size_t) {
  return {
      "GET /plaintext HTTP/1.1\r\nHost: app.example.com\r\nUser-Agent: lapwise-gate/1\r\n"
      "Accept: */*\r\n\r\n",
      200, "Hello, World!"};
}

// Reads `out` back as responses; the statuses and bodies must be `want`'s, in order.
bool check(std::string_view out, const std::vector<exchange>& want, std::string* why) {
  for (std::size_t i = 0; i < want.size(); ++i) {
    std::array<lapwise::parser::header, 32> hs;
    std::array<char, 1> no_body{};
    lapwise::parser::response r;
    auto res = lapwise::parser::parse_response(out, "GET", r, hs, no_body, false);
    if (res.status != lapwise::parser::parse_status::complete || r.status != want[i].status ||
        (want[i].status == 200 && r.body != want[i].body)) {
      *why = "response " + std::to_string(i) + ": want " + std::to_string(want[i].status) + " '" +
             want[i].body + "', got status " + std::to_string(r.status) + " body '" +
             std::string(r.body) + "'";
      return false;
    }
    out.remove_prefix(res.consumed);
  }
  if (!out.empty()) {
    *why = "bytes after the last response: '" + std::string(out.substr(0, 80)) + "'";
    return false;
  }
  return true;
}

lapwise::gate::workload pipelined(exchange (*make)(std::size_t)) {
  auto want = std::make_shared<std::vector<exchange>>();
  auto stream = std::make_shared<std::string>();
  for (std::size_t i = 0; i < kRequestsPerPass; ++i) {
    want->push_back(make(i));
    stream->append(want->back().request);
  }
  auto conn = std::make_shared<connection>(routes());
  lapwise::gate::workload w;
  w.ops_per_pass = kRequestsPerPass;
  w.verify = [conn, stream, want](std::string* why) {
    std::string out;
    conn->feed(*stream, &out);
    if (!check(out, *want, why)) return false;
    if (conn->s->unanswered() != 0 || conn->s->done()) {
      *why = "the connection did not return to idle after the stream";
      return false;
    }
    conn->feed(*stream, nullptr);  // the session's buffers and pools reach their steady size
    return true;
  };
  w.pass = [conn, stream] { return conn->feed(*stream, nullptr); };
  w.instr_passes = 20;  // 640 requests
  w.time_passes = 20;
  return w;
}

}  // namespace

int main(int argc, char** argv) {
  return lapwise::gate::run_main(
      argc, argv,
      {
          {"server.pipelined_mixed/native", [] { return pipelined(mixed); }},
          {"server.pipelined_plaintext/native", [] { return pipelined(plaintext); }},
      });
}

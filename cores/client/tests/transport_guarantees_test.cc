// What the client promises, judged by what a loopback server saw: a POST is never sent twice
// unless the policy allows it, redirect hops take rate tokens, a Retry-After slows the whole
// host, every limit that bounds memory ends the attempt as too_large, responses that are not
// HTTP are `protocol`, the read timeout is the time between bytes, and stats count every send.
// Durations appear only as lower bounds a correct client meets whatever the load.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "lapwise/client/client.h"
#include "scripted_server.h"

namespace lapwise::client {
namespace {

using std::chrono::milliseconds;
using testing::arrival;
using testing::connection;
using testing::next_step;
using testing::ok_response;
using testing::scripted_server;

std::vector<result> run_ok(std::vector<request> reqs, const policy& p, run_stats* stats = nullptr) {
  invalid_input why;
  auto b = batch::create(std::move(reqs), p, &why);
  EXPECT_NE(b, nullptr) << why.message;
  if (!b) return {};
  b->run();
  if (stats) *stats = b->stats();
  return std::move(b->results());
}

std::uint32_t attempts_of(const result& r) {
  if (const auto* ok = std::get_if<response>(&r)) return ok->attempts;
  return std::get<error>(r).attempts;
}

// The first request on each connection is answered; any later one is read and then the
// connection is closed without an answer (a server dropping idle keep-alive connections).
next_step first_only(const connection& c, const arrival& a) {
  if (a.nth_on_connection > 0) return next_step::close;
  c.send(ok_response("ok"));
  return next_step::keep;
}

// A redirect loop: /loop answers 302 to /loop.
next_step redirect_to_itself(const connection& c, const arrival&) {
  c.send("HTTP/1.1 302 Found\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n");
  return next_step::keep;
}

TEST(Guarantees, PostIsNeverSentTwiceWithoutPermission) {
  scripted_server s({{"/", first_only}});
  std::vector<request> reqs;
  for (int i = 0; i < 200; ++i) reqs.push_back({"POST", s.url("/p"), {}, std::to_string(i)});
  policy p;
  p.concurrency = 1;
  p.retry_non_idempotent = false;
  run_stats stats;
  auto res = run_ok(reqs, p, &stats);
  auto log = s.log();
  // Before: libcurl resent every POST that met a dropped reused connection (399 arrivals).
  EXPECT_EQ(log.size(), 200u);
  std::vector<int> seen(200, 0);
  for (const auto& a : log) ++seen[std::stoi(a.body)];
  for (int i = 0; i < 200; ++i) EXPECT_EQ(seen[i], 1) << "POST " << i;
  std::uint32_t attempts = 0;
  int resets = 0;
  for (const auto& r : res) {
    attempts += attempts_of(r);
    if (const auto* e = std::get_if<error>(&r)) {
      EXPECT_EQ(e->kind, error_kind::reset) << e->message;
      EXPECT_NE(e->message.find("not idempotent"), std::string::npos) << e->message;
      ++resets;
    }
  }
  EXPECT_GT(resets, 0);
  EXPECT_EQ(attempts, log.size());
  EXPECT_EQ(stats.attempts, log.size());
  EXPECT_EQ(stats.resends, 0u);
}

TEST(Guarantees, ResendsThatArePermittedAreCounted) {
  scripted_server s({{"/", first_only}});
  std::vector<request> reqs;
  for (int i = 0; i < 50; ++i) reqs.push_back({"GET", s.url("/g?" + std::to_string(i)), {}, {}});
  policy p;
  p.concurrency = 1;
  run_stats stats;
  auto res = run_ok(reqs, p, &stats);
  auto log = s.log();
  std::uint32_t attempts = 0;
  for (const auto& r : res) {
    const auto* e = std::get_if<error>(&r);
    ASSERT_EQ(e, nullptr) << to_string(e->kind) << ": " << e->message << " after " << e->attempts
                          << " attempt(s)";
    attempts += attempts_of(r);
  }
  // GETs may be resent by libcurl on a fresh connection; every send is counted.
  EXPECT_GT(stats.resends, 0u);
  EXPECT_EQ(attempts, log.size());
  EXPECT_EQ(stats.attempts, log.size());
}

TEST(Guarantees, EveryRedirectHopTakesARateToken) {
  scripted_server s({{"/loop", redirect_to_itself}});
  policy p;
  p.concurrency = 8;
  p.max_redirects = 10;
  p.global_rate = {50, 1};
  std::vector<request> reqs(4, request{"GET", s.url("/loop"), {}, {}});
  run_stats stats;
  auto res = run_ok(reqs, p, &stats);
  for (const auto& r : res) {
    const auto* e = std::get_if<error>(&r);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->kind, error_kind::redirects) << e->message;
    EXPECT_NE(e->message.find("more than 10 redirects"), std::string::npos) << e->message;
    EXPECT_EQ(e->attempts, 1u);  // hops are not attempts
  }
  auto log = s.log();
  ASSERT_EQ(log.size(), 4u * 11u);
  EXPECT_EQ(stats.attempts, log.size());
  EXPECT_EQ(stats.redirects, 4u * 10u);
  // A bucket of 50/s with burst 1 cannot let 44 requests through faster than 43 intervals
  // (860 ms). The bound is 3/4 of that, so that uneven delivery to the server (a first
  // request slowed by its connect) cannot fail a correct client; without the limit on hops
  // the span was 60 ms.
  auto span = log.back().at - log.front().at;
  EXPECT_GE(span, milliseconds(43 * 20 * 3 / 4)) << "hops bypassed the rate limit";
}

TEST(Guarantees, CancellingAWaitingHopSaysSo) {
  scripted_server s({{"/loop", redirect_to_itself}});
  policy p;
  p.global_rate = {0.05, 1};  // after the first send, the hop waits 20 s for its token
  invalid_input why;
  auto b = batch::create({{"GET", s.url("/loop"), {}, {}}}, p, &why);
  ASSERT_NE(b, nullptr);
  std::thread canceller([&] {
    while (s.log().empty()) std::this_thread::sleep_for(milliseconds(5));
    std::this_thread::sleep_for(milliseconds(1000));  // the 302 is read long before this
    b->cancel();
  });
  b->run();
  canceller.join();
  EXPECT_EQ(s.log().size(), 1u);
  const auto* e = std::get_if<error>(&b->results()[0]);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, error_kind::cancelled);
  EXPECT_NE(e->message.find("next redirect hop"), std::string::npos) << e->message;
}

TEST(Guarantees, RedirectsAreFollowedWithTheRightMethod) {
  scripted_server s(
      {{"/see-other",
        [](const connection& c, const arrival&) {
          c.send("HTTP/1.1 303 See Other\r\nLocation: /end\r\nContent-Length: 4\r\n\r\nskip");
          return next_step::keep;
        }},
       {"/temp",
        [](const connection& c, const arrival&) {
          c.send("HTTP/1.1 307 Temporary\r\nLocation: /end\r\nContent-Length: 0\r\n\r\n");
          return next_step::keep;
        }},
       {"/end", [](const connection& c, const arrival& a) {
          c.send(ok_response(a.method + " " + a.body));
          return next_step::keep;
        }}});
  auto res = run_ok(
      {{"POST", s.url("/see-other"), {}, "data"}, {"POST", s.url("/temp"), {}, "data"}}, policy{});
  EXPECT_EQ(std::get<response>(res[0]).body, "GET ");
  EXPECT_EQ(std::get<response>(res[0]).url, s.url("/end"));
  EXPECT_EQ(std::get<response>(res[1]).body, "POST data");
}

TEST(Guarantees, RetryAfterSlowsTheWholeHost) {
  // Each path's first arrival gets 429 with Retry-After: 1, the next one 200.
  std::mutex m;
  std::map<std::string, int> seen;
  scripted_server s(
      {{"/", [&](const connection& c, const arrival& a) {
          int k;
          {
            std::lock_guard lock(m);
            k = seen[a.path]++;
          }
          c.send(k == 0 ? "HTTP/1.1 429 Slow\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n"
                        : ok_response("ok"));
          return next_step::keep;
        }}});
  policy p;
  p.concurrency = 2;
  p.retries = 1;
  std::vector<request> reqs;
  for (int i = 0; i < 4; ++i) reqs.push_back({"GET", s.url("/r" + std::to_string(i)), {}, {}});
  auto res = run_ok(reqs, p);
  for (const auto& r : res) EXPECT_EQ(std::get<response>(r).status, 200);
  auto log = s.log();
  ASSERT_EQ(log.size(), 8u);
  // The first answer said "wait a second": within that second only the requests already in
  // flight (concurrency 2) may arrive. Before, the other two first attempts came at once.
  auto window_end = log.front().at + std::chrono::seconds(1);
  auto early =
      std::count_if(log.begin(), log.end(), [&](const arrival& a) { return a.at < window_end; });
  EXPECT_LE(early, 2);
}

// An endless chunked body, a gzip stream that inflates without end, a head with too many
// fields, a head too large in total, one header line of 1 MB.
std::string endless_gzip_prefix_and_block(std::string* block);

TEST(Guarantees, LimitsEndTheAttemptAsTooLarge) {
  auto chunked = [](const connection& c, const arrival&) {
    if (!c.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")) return next_step::close;
    std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";
    while (c.send(chunk)) {
    }
    return next_step::close;
  };
  auto bomb = [](const connection& c, const arrival&) {
    std::string block;
    std::string prefix = endless_gzip_prefix_and_block(&block);
    if (!c.send("HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n\r\n" + prefix))
      return next_step::close;
    while (c.send(block)) {
    }
    return next_step::close;
  };
  auto many = [](const connection& c, const arrival&) {
    std::string head = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 2000; ++i) head += "X-" + std::to_string(i) + ": v\r\n";
    c.send(head + "Content-Length: 2\r\n\r\nok");
    return next_step::keep;
  };
  auto big_head = [](const connection& c, const arrival&) {
    std::string head = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 100; ++i)
      head += "X-" + std::to_string(i) + ": " + std::string(1000, 'v') + "\r\n";
    c.send(head + "Content-Length: 2\r\n\r\nok");
    return next_step::keep;
  };
  auto huge_line = [](const connection& c, const arrival&) {
    c.send("HTTP/1.1 200 OK\r\nX-Huge: " + std::string(1 << 20, 'v') +
           "\r\nContent-Length: 2\r\n\r\nok");
    return next_step::close;
  };
  scripted_server s({{"/chunked", chunked},
                     {"/bomb", bomb},
                     {"/many", many},
                     {"/big-head", big_head},
                     {"/huge-line", huge_line}});
  policy p;
  p.retries = 0;
  p.max_body_bytes = 1 << 20;
  const char* paths[] = {"/chunked", "/bomb", "/many", "/big-head", "/huge-line"};
  const char* why[] = {"max_body_bytes", "max_body_bytes", "max_headers", "max_header_bytes",
                       "header line"};
  std::vector<request> reqs;
  for (const char* path : paths) reqs.push_back({"GET", s.url(path), {}, {}});
  auto res = run_ok(reqs, p);
  for (std::size_t i = 0; i < res.size(); ++i) {
    const auto* e = std::get_if<error>(&res[i]);
    ASSERT_NE(e, nullptr) << paths[i];
    EXPECT_EQ(e->kind, error_kind::too_large) << paths[i] << ": " << e->message;
    EXPECT_NE(e->message.find(why[i]), std::string::npos) << paths[i] << ": " << e->message;
  }
}

TEST(Guarantees, AResponseThatIsNotHttpIsAProtocolError) {
  scripted_server s({{"/", [](const connection& c, const arrival&) {
                        c.send("HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nok");
                        return next_step::close;
                      }}});
  policy p;
  p.retries = 0;
  auto res = run_ok({{"GET", s.url("/"), {}, {}}}, p);
  const auto* e = std::get_if<error>(&res[0]);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, error_kind::protocol) << e->message;
}

TEST(Guarantees, ReadTimeoutIsTheTimeBetweenBytes) {
  // The head trickles in: a byte every 200 ms for 2 s, inside one header line (libcurl hands
  // over no line until it is complete, so callbacks alone saw 2 s of silence), then the body,
  // also a byte at a time.
  auto drip = [](const connection& c, const arrival&) {
    if (!c.send("HTTP/1.1 200 OK\r\nX-Drip: ")) return next_step::close;
    for (int i = 0; i < 10; ++i) {
      if (!c.pause(milliseconds(200)) || !c.send("d")) return next_step::close;
    }
    if (!c.send("\r\nContent-Length: 3\r\n\r\n")) return next_step::close;
    for (char ch : std::string("abc")) {
      if (!c.pause(milliseconds(200)) || !c.send(std::string(1, ch))) return next_step::close;
    }
    return next_step::keep;
  };
  // A few bytes, then silence.
  auto stall = [](const connection& c, const arrival&) {
    c.send("HTTP/1.1 200 OK\r\nX-Stall: ");
    c.pause(milliseconds(10'000));
    return next_step::close;
  };
  scripted_server s({{"/drip", drip}, {"/stall", stall}});
  policy p;
  p.retries = 0;
  p.read_timeout = milliseconds(2000);  // 10x the drip's gaps: a loaded machine cannot trip it
  auto res = run_ok({{"GET", s.url("/drip"), {}, {}}, {"GET", s.url("/stall"), {}, {}}}, p);
  const auto* dripped = std::get_if<response>(&res[0]);
  ASSERT_NE(dripped, nullptr) << std::get<error>(res[0]).message;
  EXPECT_EQ(dripped->body, "abc");
  const auto* stalled = std::get_if<error>(&res[1]);
  ASSERT_NE(stalled, nullptr);
  EXPECT_EQ(stalled->kind, error_kind::timeout);
}

// A gzip member that never ends: a fixed-Huffman deflate block of one literal 0 followed by
// matches (length 258, distance 1) forever, 13 bits for every 258 zero bytes. `*block` gets
// a run of whole bytes of matches that can be sent again and again.
std::string endless_gzip_prefix_and_block(std::string* block) {
  std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);  // gzip header, no name
  std::uint64_t acc = 0;
  int bits = 0;
  auto put = [&](std::uint32_t value, int n) {  // LSB first, as deflate packs its fields
    acc |= static_cast<std::uint64_t>(value) << bits;
    bits += n;
    while (bits >= 8) {
      out.push_back(static_cast<char>(acc & 0xff));
      acc >>= 8;
      bits -= 8;
    }
  };
  auto huff = [&](std::uint32_t code, int n) {  // Huffman codes go most significant bit first
    std::uint32_t r = 0;
    for (int i = 0; i < n; ++i) r |= ((code >> i) & 1u) << (n - 1 - i);
    put(r, n);
  };
  put(0, 1);      // BFINAL 0: the block is never final
  put(1, 2);      // BTYPE 01: fixed Huffman codes
  huff(0x30, 8);  // literal 0
  // 8 matches = 104 bits = 13 bytes: after whole groups of 8 the bit position repeats, so a
  // group starting at a byte boundary can be repeated as bytes.
  while (bits != 0) {
    huff(0xC5, 8);  // length code 285 = 258
    huff(0, 5);     // distance code 0 = 1
  }
  std::string prefix = out;
  out.clear();
  for (int i = 0; i < 8 * 64; ++i) {
    huff(0xC5, 8);
    huff(0, 5);
  }
  *block = out;
  return prefix;
}

}  // namespace
}  // namespace lapwise::client

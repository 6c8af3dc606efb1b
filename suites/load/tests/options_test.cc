// options: the command line as a table of accepted and rejected argument lists.
#include "lapwise/load/options.h"

#include <gtest/gtest.h>

#include <vector>

namespace lapwise::load {
namespace {

parsed_options parse(std::vector<std::string_view> args) { return parse_options(args); }

TEST(Options, Accepted) {
  parsed_options p = parse({"-c",        "64",
                            "-p",        "16",
                            "-d",        "2.5",
                            "-w",        "1",
                            "-n",        "1000",
                            "-R",        "1234.5",
                            "--timeout", "500",
                            "-t",        "2",
                            "-o",        "out.json",
                            "-q",        "--pace-gap",
                            "25",        "http://127.0.0.1:8080/json"});
  ASSERT_TRUE(p.error.empty()) << p.error;
  const config& c = p.opts.cfg;
  EXPECT_EQ(c.connections, 64u);
  EXPECT_EQ(c.pipeline, 16u);
  EXPECT_DOUBLE_EQ(c.duration_s, 2.5);
  EXPECT_DOUBLE_EQ(c.warmup_s, 1);
  EXPECT_EQ(c.max_requests, 1000u);
  EXPECT_DOUBLE_EQ(c.rate, 1234.5);
  EXPECT_EQ(c.timeout_ms, 500u);
  EXPECT_EQ(c.threads, 2u);
  EXPECT_EQ(c.pace_gap_us, 25u);
  EXPECT_EQ(p.opts.output, "out.json");
  EXPECT_TRUE(p.opts.quiet);
  EXPECT_EQ(c.host, "127.0.0.1");
  EXPECT_EQ(c.port, 8080);
  ASSERT_EQ(c.requests.size(), 1u);
  EXPECT_EQ(c.requests[0].target, "/json") << "the URL's path is the default request";
}

TEST(Options, RequestsAndCommonHeaders) {
  parsed_options p = parse(
      {"-r", "GET /plaintext 200 13", "-r", "POST /echo", "-H", "X-Test: 1", "http://[::1]:9000"});
  ASSERT_TRUE(p.error.empty()) << p.error;
  EXPECT_EQ(p.opts.cfg.host, "::1");
  ASSERT_EQ(p.opts.cfg.requests.size(), 2u);
  EXPECT_EQ(p.opts.cfg.requests[0].expect_length, 13);
  ASSERT_EQ(p.opts.cfg.requests[1].headers.size(), 1u);
  EXPECT_EQ(p.opts.cfg.requests[1].headers[0].first, "X-Test");
}

TEST(Options, Rejected) {
  struct row {
    std::vector<std::string_view> args;
    const char* needle;
  };
  const row rows[] = {
      {{}, "no URL"},
      {{"http://127.0.0.1"}, "explicit port"},
      {{"https://127.0.0.1:1"}, "http://"},
      {{"http://127.0.0.1:99999"}, "bad host or port"},
      {{"-c", "x", "http://127.0.0.1:1"}, "bad value 'x' for -c"},
      {{"-c", "0", "http://127.0.0.1:1"}, "connections"},
      {{"-p", "5000", "http://127.0.0.1:1"}, "pipeline"},
      {{"-R", "-3", "http://127.0.0.1:1"}, "rate"},
      {{"-d", "0", "http://127.0.0.1:1"}, "duration"},
      {{"-d"}, "needs a value"},
      {{"--pace-gap", "200000", "http://127.0.0.1:1"}, "pace gap"},
      {{"--pace-gap", "-1", "http://127.0.0.1:1"}, "bad value '-1' for --pace-gap"},
      {{"--bogus", "1", "http://127.0.0.1:1"}, "unknown option"},
      {{"-r", "GET nope", "http://127.0.0.1:1"}, "bad target"},
      {{"-f", "/nonexistent/requests", "http://127.0.0.1:1"}, "cannot read"},
      {{"http://127.0.0.1:1", "http://127.0.0.1:2"}, "more than one URL"},
  };
  for (const row& r : rows) {
    parsed_options p = parse(r.args);
    EXPECT_NE(p.error.find(r.needle), std::string::npos) << "got: " << p.error;
  }
}

TEST(Options, Help) { EXPECT_TRUE(parse({"-h"}).opts.help); }

}  // namespace
}  // namespace lapwise::load

// Whole messages (head + body): pipelined requests back to back, Content-Length bodies as views,
// chunked bodies decoded into the caller's buffer, close-delimited responses at eof.
#include <array>
#include <string>
#include <vector>

#include "http_test_util.h"
#include "lapwise_datasets/datasets.h"

namespace lapwise::parser {
namespace {

using testing::per_scan;
using error = error_code;

struct message_case {
  const char* label;
  std::string input;
  std::string body;
  std::size_t trailers;
};

std::vector<message_case> request_cases() {
  const std::string h = "Host: a\r\n";
  return {
      {"no body", "GET / HTTP/1.1\r\n" + h + "\r\n", "", 0},
      {"length body", "POST / HTTP/1.1\r\n" + h + "Content-Length: 5\r\n\r\nhello", "hello", 0},
      {"empty length body", "POST / HTTP/1.1\r\n" + h + "Content-Length: 0\r\n\r\n", "", 0},
      {"chunked body",
       "POST / HTTP/1.1\r\n" + h +
           "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;x=y\r\n!\r\n0\r\n\r\n",
       "hello!", 0},
      {"chunked trailers",
       "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\nT: 1\r\n\r\n",
       "hi", 1},
      {"llhttp dataset", datasets::read("http/llhttp_bench_http_parser.http"), "hello world", 0},
      {"pico dataset", datasets::read("http/picohttpparser_bench.http"), "", 0},
  };
}

class http_message : public per_scan {
 protected:
  std::array<header, 32> storage_{};
  std::array<char, 256> body_{};
};

TEST_P(http_message, requests_with_bodies) {
  for (const message_case& c : request_cases()) {
    SCOPED_TRACE(c.label);
    request r;
    parse_result res = parse_request(guarded_.place(c.input), r, storage_, body_);
    ASSERT_EQ(res.status, parse_status::complete) << describe(res.error);
    EXPECT_EQ(res.consumed, c.input.size());
    EXPECT_EQ(r.body, c.body);
    EXPECT_EQ(r.trailers.size(), c.trailers);
    for (std::size_t n = 0; n < c.input.size(); ++n) {
      parse_result p =
          parse_request(guarded_.place(std::string_view(c.input).substr(0, n)), r, storage_, body_);
      ASSERT_EQ(p.status, parse_status::need_more) << n << ": " << describe(p.error);
    }
  }
}

TEST_P(http_message, pipelined_requests_back_to_back) {
  const std::vector<message_case> cases = request_cases();
  std::string all;
  for (int round = 0; round < 3; ++round) {
    for (const message_case& c : cases) all += c.input;
  }
  std::string_view rest = guarded_.place(all);
  std::size_t n = 0;
  while (!rest.empty()) {
    const message_case& c = cases[n % cases.size()];
    request r;
    parse_result res = parse_request(rest, r, storage_, body_);
    ASSERT_EQ(res.status, parse_status::complete) << n << ": " << describe(res.error);
    EXPECT_EQ(r.body, c.body) << n;
    rest.remove_prefix(res.consumed);
    ++n;
  }
  EXPECT_EQ(n, 3 * cases.size());
}

TEST_P(http_message, body_storage_bounds_a_chunked_body) {
  std::string in =
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
  request r;
  std::array<char, 5> fits;
  EXPECT_EQ(parse_request(guarded_.place(in), r, storage_, fits).status, parse_status::complete);
  std::array<char, 4> small;
  parse_result res = parse_request(guarded_.place(in), r, storage_, small);
  EXPECT_EQ(res.error, error::body_too_large);
  EXPECT_EQ(http_status(res.error), 413);
  // Trailers share the field storage and the max_headers budget with the head.
  std::string with_trailer = in.substr(0, in.size() - 2) + "T: 1\r\n\r\n";
  std::array<header, 3> three;
  EXPECT_EQ(parse_request(guarded_.place(with_trailer), r, three, body_).status,
            parse_status::complete);
  std::array<header, 2> two;
  EXPECT_EQ(parse_request(guarded_.place(with_trailer), r, two, body_).error,
            error::too_many_headers);
}

TEST_P(http_message, invalid_chunked_body_is_an_error) {
  std::string in =
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n";
  request r;
  parse_result res = parse_request(guarded_.place(in), r, storage_, body_);
  EXPECT_EQ(res.status, parse_status::error);
  EXPECT_EQ(res.error, error::bad_chunk_data);
}

TEST_P(http_message, responses_by_framing) {
  struct row {
    const char* label;
    std::string input;
    std::string method;
    bool eof;
    parse_status status;
    std::string body;
    std::size_t consumed;
  };
  const std::string chunked =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  const std::string length = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
  const std::string close = "HTTP/1.1 200 OK\r\n\r\nuntil the end";
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n";
  const row rows[] = {
      {"length", length + "NEXT", "GET", false, parse_status::complete, "abc", length.size()},
      {"chunked", chunked + "NEXT", "GET", false, parse_status::complete, "abc", chunked.size()},
      {"head", head + "NEXT", "HEAD", false, parse_status::complete, "", head.size()},
      {"close waits for eof", close, "GET", false, parse_status::need_more, "", 0},
      {"close at eof", close, "GET", true, parse_status::complete, "until the end", close.size()},
      {"truncated length at eof", length.substr(0, length.size() - 1), "GET", true,
       parse_status::error, "", 0},
      {"truncated head at eof", "HTTP/1.1 200", "GET", true, parse_status::error, "", 0},
      {"nothing at eof", "", "GET", true, parse_status::need_more, "", 0},
  };
  for (const row& w : rows) {
    SCOPED_TRACE(w.label);
    response r;
    parse_result res = parse_response(guarded_.place(w.input), w.method, r, storage_, body_, w.eof);
    ASSERT_EQ(res.status, w.status) << describe(res.error);
    EXPECT_EQ(res.consumed, w.consumed);
    if (w.status == parse_status::complete) {
      EXPECT_EQ(r.body, w.body);
    } else if (w.status == parse_status::error) {
      EXPECT_EQ(res.error, error::incomplete_message);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(scans, http_message, ::testing::ValuesIn(testing::supported_scans()),
                         testing::scan_param_name);

}  // namespace
}  // namespace lapwise::parser

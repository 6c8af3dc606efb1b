// Response heads: status line forms, body framing by status and request method, and the same
// smuggling checks as requests; every table with every scanner, against an unreadable page.
#include <array>
#include <string>
#include <vector>

#include "http_test_util.h"

namespace lapwise::parser {
namespace {

using testing::per_scan;
using error = error_code;

struct valid_case {
  const char* label;
  std::string input;
  std::string method;  // of the request this answers
  int status;
  std::string reason;
  int minor;
  std::size_t fields;
  body_framing framing;
  std::uint64_t content_length;
  bool keep_alive;
};

std::vector<valid_case> valid_cases() {
  const auto cl = body_framing::content_length;
  const auto none = body_framing::none;
  const auto close = body_framing::until_close;
  return {
      {"ok with length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", "GET", 200, "OK", 1, 1, cl,
       5, true},
      {"head has no body", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", "HEAD", 200, "OK", 1, 1,
       none, 5, true},
      {"204", "HTTP/1.1 204 No Content\r\n\r\n", "DELETE", 204, "No Content", 1, 0, none, 0, true},
      {"304", "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", "GET", 304, "Not Modified",
       1, 1, none, 10, true},
      {"100 continue", "HTTP/1.1 100 Continue\r\n\r\n", "POST", 100, "Continue", 1, 0, none, 0,
       true},
      {"101 switching", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", "GET",
       101, "Switching Protocols", 1, 1, none, 0, true},
      {"connect 200", "HTTP/1.1 200 Connection established\r\n\r\n", "CONNECT", 200,
       "Connection established", 1, 0, none, 0, true},
      {"close delimited", "HTTP/1.1 200 OK\r\nServer: x\r\n\r\n", "GET", 200, "OK", 1, 1, close, 0,
       false},
      {"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "GET", 200, "OK", 1, 1,
       body_framing::chunked, 0, true},
      {"coding without chunked reads to close",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "GET", 200, "OK", 1, 1, close, 0,
       false},
      {"no reason", "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", "GET", 200, "", 1, 1, cl, 0, true},
      {"empty reason", "HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n", "GET", 404, "", 1, 1, cl, 0,
       true},
      {"reason with tab and obs-text",
       "HTTP/1.1 200 Tr\xc3\xa8s\tbien\r\nContent-Length: 0\r\n\r\n", "GET", 200,
       "Tr\xc3\xa8s\tbien", 1, 1, cl, 0, true},
      {"http10", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n", "GET", 200, "OK", 0, 1, cl, 2,
       false},
      {"http10 keep-alive",
       "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n", "GET", 200, "OK",
       0, 2, cl, 2, true},
      {"connection close", "HTTP/1.1 500 Oops\r\nConnection: close\r\nContent-Length: 2\r\n\r\n",
       "GET", 500, "Oops", 1, 2, cl, 2, false},
      {"status 999", "HTTP/1.1 999 Custom\r\nContent-Length: 0\r\n\r\n", "GET", 999, "Custom", 1, 1,
       cl, 0, true},
  };
}

struct invalid_case {
  const char* label;
  std::string input;
  error expected;
};

std::vector<invalid_case> invalid_cases() {
  return {
      {"two digit status", "HTTP/1.1 20 OK\r\n\r\n", error::bad_status_line},
      {"four digit status", "HTTP/1.1 2000 OK\r\n\r\n", error::bad_status_line},
      {"status below 100", "HTTP/1.1 099 X\r\n\r\n", error::bad_status_line},
      {"double space", "HTTP/1.1  200 OK\r\n\r\n", error::bad_status_line},
      {"no space", "HTTP/1.1200 OK\r\n\r\n", error::bad_status_line},
      {"nul in reason", std::string("HTTP/1.1 200 O\0K\r\n\r\n", 20), error::bad_status_line},
      {"bare lf status line", "HTTP/1.1 200 OK\n\r\n", error::bad_line_ending},
      {"http2", "HTTP/2 200 OK\r\n\r\n", error::bad_version},
      {"http20", "HTTP/2.0 200 OK\r\n\r\n", error::unsupported_version},
      {"not http", "ICY 200 OK\r\n\r\n", error::bad_version},
      {"cl and te", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
       error::content_length_with_transfer_encoding},
      {"unknown coding before chunked",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
       error::unknown_transfer_coding},
      {"te in 1.0", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
       error::transfer_encoding_http10},
      {"differing cl", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
       error::bad_content_length},
      {"cl over max body", "HTTP/1.1 200 OK\r\nContent-Length: 9999999999\r\n\r\n",
       error::body_too_large},
      {"space before colon", "HTTP/1.1 200 OK\r\nServer : x\r\n\r\n", error::space_before_colon},
      {"obs-fold", "HTTP/1.1 200 OK\r\nServer: x\r\n y\r\n\r\n", error::obs_fold},
      {"status line too long", "HTTP/1.1 200 " + std::string(9000, 'x') + "\r\n\r\n",
       error::request_line_too_long},
  };
}

class http_response : public per_scan {
 protected:
  std::array<header, 32> storage_{};
};

TEST_P(http_response, valid_heads_parse) {
  for (const valid_case& c : valid_cases()) {
    SCOPED_TRACE(c.label);
    response r;
    parse_result res = parse_response_head(guarded_.place(c.input), c.method, r, storage_);
    ASSERT_EQ(res.status, parse_status::complete) << describe(res.error);
    EXPECT_EQ(res.consumed, c.input.size());
    EXPECT_EQ(r.head_size, c.input.size());
    EXPECT_EQ(r.status, c.status);
    EXPECT_EQ(r.reason, c.reason);
    EXPECT_EQ(r.version_minor, c.minor);
    EXPECT_EQ(r.headers.size(), c.fields);
    EXPECT_EQ(r.framing, c.framing);
    EXPECT_EQ(r.content_length, c.content_length);
    EXPECT_EQ(r.keep_alive, c.keep_alive);
  }
}

TEST_P(http_response, every_prefix_needs_more) {
  for (const valid_case& c : valid_cases()) {
    SCOPED_TRACE(c.label);
    for (std::size_t n = 0; n < c.input.size(); ++n) {
      response r;
      parse_result res = parse_response_head(guarded_.place(std::string_view(c.input).substr(0, n)),
                                             c.method, r, storage_);
      ASSERT_EQ(res.status, parse_status::need_more) << n << ": " << describe(res.error);
    }
  }
}

TEST_P(http_response, invalid_heads_give_the_error) {
  for (const invalid_case& c : invalid_cases()) {
    SCOPED_TRACE(c.label);
    response r;
    parse_result res = parse_response_head(guarded_.place(c.input), "GET", r, storage_);
    ASSERT_EQ(res.status, parse_status::error);
    EXPECT_EQ(res.error, c.expected) << describe(res.error) << " vs " << describe(c.expected);
    for (std::size_t n = 0; n < c.input.size(); n += 1 + n / 64) {
      parse_result p = parse_response_head(guarded_.place(std::string_view(c.input).substr(0, n)),
                                           "GET", r, storage_);
      ASSERT_NE(p.status, parse_status::complete) << n;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(scans, http_response, ::testing::ValuesIn(testing::supported_scans()),
                         testing::scan_param_name);

}  // namespace
}  // namespace lapwise::parser

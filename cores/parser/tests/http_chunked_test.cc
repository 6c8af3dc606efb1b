// chunked_decoder: tables of valid and invalid chunked bodies, fed whole, byte by byte, in place
// and into a tiny output buffer, each against an unreadable page and with every scanner (the
// trailer section goes through the field parser).
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
  std::string body;
  std::vector<std::pair<std::string, std::string>> trailers;
};

std::vector<valid_case> valid_cases() {
  std::string big(70000, 'z');
  char hex[32];
  std::snprintf(hex, sizeof hex, "%zx", big.size());
  return {
      {"empty body", "0\r\n\r\n", "", {}},
      {"one chunk", "5\r\nhello\r\n0\r\n\r\n", "hello", {}},
      {"two chunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world", {}},
      {"uppercase hex", "A\r\n0123456789\r\n0\r\n\r\n", "0123456789", {}},
      {"lowercase hex", "a\r\n0123456789\r\n0\r\n\r\n", "0123456789", {}},
      {"leading zeros", "0005\r\nhello\r\n000\r\n\r\n", "hello", {}},
      {"more than 16 digits", "000000000000000005\r\nhello\r\n0\r\n\r\n", "hello", {}},
      {"16 digits", "0000000000000005\r\nhello\r\n0000000000000000\r\n\r\n", "hello", {}},
      {"extension", "5;name\r\nhello\r\n0;last=yes\r\n\r\n", "hello", {}},
      {"extension with spaces", "5 ; a = b ;c\r\nhello\r\n0\r\n\r\n", "hello", {}},
      {"quoted extension", "5;a=\"x \\\" ;y\"\r\nhello\r\n0\r\n\r\n", "hello", {}},
      {"crlf inside data", "4\r\n\r\n\r\n\r\n0\r\n\r\n", "\r\n\r\n", {}},
      {"binary data",
       std::string("3\r\n\0\xff\n\r\n0\r\n\r\n", 13),
       std::string("\0\xff\n", 3),
       {}},
      {"trailers",
       "5\r\nhello\r\n0\r\nX-Sum: 42\r\nY:\r\n\r\n",
       "hello",
       {{"X-Sum", "42"}, {"Y", ""}}},
      {"big chunk", std::string(hex) + "\r\n" + big + "\r\n0\r\n\r\n", big, {}},
  };
}

struct invalid_case {
  const char* label;
  std::string input;
  error expected;
};

std::vector<invalid_case> invalid_cases() {
  return {
      {"no size", "\r\nhello\r\n0\r\n\r\n", error::bad_chunk_size},
      {"not hex", "x\r\n", error::bad_chunk_size},
      {"negative", "-5\r\nhello\r\n", error::bad_chunk_size},
      {"0x prefix", "0x5\r\nhello\r\n", error::bad_chunk_size},
      {"plus sign", "+5\r\nhello\r\n", error::bad_chunk_size},
      {"size overflow", "10000000000000000\r\n", error::bad_chunk_size},
      {"size overflow leading ones", "1ffffffffffffffff\r\n", error::bad_chunk_size},
      {"max size over body limit", "ffffffffffffffff\r\n", error::body_too_large},
      {"trailing space", "5 \r\nhello\r\n", error::bad_chunk_extension},
      {"empty extension", "5;\r\nhello\r\n", error::bad_chunk_extension},
      {"extension without value", "5;a=\r\nhello\r\n", error::bad_chunk_extension},
      {"extension trailing space", "5;a \r\nhello\r\n", error::bad_chunk_extension},
      {"unterminated quote", "5;a=\"b\r\nhello\r\n", error::bad_chunk_extension},
      {"ctl in extension", "5;a=b\x01\r\nhello\r\n", error::bad_chunk_extension},
      {"bare cr in size line", "5\rhello\r\n", error::bad_chunk_size},
      {"bare lf size line", "5\nhello\r\n0\r\n\r\n", error::bad_line_ending},
      {"data too long", "5\r\nhelloX\r\n0\r\n\r\n", error::bad_chunk_data},
      {"data bare lf", "5\r\nhello\n0\r\n\r\n", error::bad_chunk_data},
      {"data cr without lf", "5\r\nhello\rX0\r\n\r\n", error::bad_line_ending},
      {"trailer bare lf", "0\r\nX: a\n\r\n", error::bad_line_ending},
      {"trailer obs-fold", "0\r\nX: a\r\n b\r\n\r\n", error::obs_fold},
      {"trailer space before colon", "0\r\nX : a\r\n\r\n", error::space_before_colon},
      {"trailer ctl", "0\r\nX: \x01\r\n\r\n", error::bad_header_value},
      {"chunk line too long", "5;" + std::string(5000, 'a') + "\r\n", error::bad_chunk_extension},
  };
}

class http_chunked : public per_scan {
 protected:
  std::array<header, 16> trailers_{};
};

void expect_trailers(const chunked_decoder& d, const valid_case& c) {
  ASSERT_EQ(d.trailers().size(), c.trailers.size());
  for (std::size_t i = 0; i < c.trailers.size(); ++i) {
    EXPECT_EQ(d.trailers()[i].name, c.trailers[i].first);
    EXPECT_EQ(d.trailers()[i].value, c.trailers[i].second);
  }
}

TEST_P(http_chunked, whole_input_decodes) {
  for (const valid_case& c : valid_cases()) {
    SCOPED_TRACE(c.label);
    chunked_decoder d(trailers_);
    std::string out(c.input.size(), '\0');
    auto r = d.feed(guarded_.place(c.input), std::span(out));
    ASSERT_EQ(r.status, parse_status::complete) << describe(r.error);
    EXPECT_EQ(r.consumed, c.input.size());
    EXPECT_EQ(out.substr(0, r.produced), c.body);
    EXPECT_EQ(d.body_size(), c.body.size());
    expect_trailers(d, c);
    // Complete stays complete, and consumes nothing more (the next message's bytes).
    auto again = d.feed("GET", std::span(out));
    EXPECT_EQ(again.status, parse_status::complete);
    EXPECT_EQ(again.consumed, 0u);
  }
}

TEST_P(http_chunked, every_prefix_needs_more) {
  for (const valid_case& c : valid_cases()) {
    SCOPED_TRACE(c.label);
    std::string out(c.input.size(), '\0');
    std::size_t step = c.input.size() > 1000 ? 997 : 1;
    for (std::size_t n = 0; n < c.input.size(); n += step) {
      chunked_decoder d(trailers_);
      auto r = d.feed(guarded_.place(std::string_view(c.input).substr(0, n)), std::span(out));
      ASSERT_EQ(r.status, parse_status::need_more) << n << ": " << describe(r.error);
      ASSERT_LE(r.consumed, n);
      ASSERT_EQ(out.substr(0, r.produced), c.body.substr(0, r.produced));
    }
  }
}

// The caller keeps what was not consumed and appends each new byte, as a socket reader would.
TEST_P(http_chunked, byte_by_byte_with_a_one_byte_output) {
  for (const valid_case& c : valid_cases()) {
    if (c.input.size() > 1000) continue;
    SCOPED_TRACE(c.label);
    chunked_decoder d(trailers_);
    std::string pending, body;
    char one = 0;
    parse_status status = parse_status::need_more;
    for (std::size_t i = 0; i < c.input.size(); ++i) {
      pending += c.input[i];
      for (;;) {  // drain what this byte allows, one output byte at a time
        auto r = d.feed(guarded_.place(pending), std::span(&one, 1));
        ASSERT_NE(r.status, parse_status::error) << describe(r.error);
        body.append(&one, r.produced);
        status = r.status;
        if (status == parse_status::complete) {
          ASSERT_EQ(i + 1, c.input.size());
          expect_trailers(d, c);
        }
        pending.erase(0, r.consumed);
        if (r.produced == 0 && r.consumed == 0) break;
        if (status == parse_status::complete) break;
      }
    }
    EXPECT_EQ(status, parse_status::complete);
    EXPECT_EQ(body, c.body);
    EXPECT_TRUE(pending.empty());
  }
}

TEST_P(http_chunked, in_place_decoding) {
  for (const valid_case& c : valid_cases()) {
    SCOPED_TRACE(c.label);
    chunked_decoder d(trailers_);
    char* buf = guarded_.put(c.input);
    auto r = d.feed({buf, c.input.size()}, std::span(buf, c.input.size()));
    ASSERT_EQ(r.status, parse_status::complete) << describe(r.error);
    EXPECT_EQ(std::string_view(buf, r.produced), c.body);
    expect_trailers(d, c);
  }
}

TEST_P(http_chunked, invalid_bodies_give_the_error) {
  for (const invalid_case& c : invalid_cases()) {
    SCOPED_TRACE(c.label);
    chunked_decoder d(trailers_);
    std::string out(c.input.size(), '\0');
    auto r = d.feed(guarded_.place(c.input), std::span(out));
    ASSERT_EQ(r.status, parse_status::error);
    EXPECT_EQ(r.error, c.expected) << describe(r.error) << " vs " << describe(c.expected);
    EXPECT_EQ(http_status(r.error), http_status(c.expected));
    auto again = d.feed("0\r\n\r\n", std::span(out));  // an error is final
    EXPECT_EQ(again.status, parse_status::error);
    EXPECT_EQ(again.error, c.expected);
    d.reset();
    EXPECT_EQ(d.feed("0\r\n\r\n", std::span(out)).status, parse_status::complete);
  }
}

TEST_P(http_chunked, limits) {
  std::string out(64, '\0');
  limits lim;
  lim.max_body = 10;
  {
    chunked_decoder d(trailers_, lim);
    EXPECT_EQ(d.feed("5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", std::span(out)).status,
              parse_status::complete);
  }
  {
    chunked_decoder d(trailers_, lim);
    auto r = d.feed("5\r\nhello\r\n6\r\nworld!\r\n0\r\n\r\n", std::span(out));
    EXPECT_EQ(r.error, error::body_too_large);
    EXPECT_EQ(http_status(r.error), 413);
  }
  lim.max_headers = 1;
  {
    chunked_decoder d(trailers_, lim);
    EXPECT_EQ(d.feed("0\r\nA: 1\r\nB: 2\r\n\r\n", std::span(out)).error, error::too_many_headers);
  }
  {
    chunked_decoder d(std::span<header>(trailers_).first(0));
    EXPECT_EQ(d.feed("0\r\nA: 1\r\n\r\n", std::span(out)).error, error::too_many_headers);
  }
  lim.max_header_bytes = 8;
  {
    chunked_decoder d(trailers_, lim);
    EXPECT_EQ(d.feed("0\r\nA: 1234567\r\n\r\n", std::span(out)).error, error::headers_too_large);
  }
  lim.max_chunk_line = 4;
  {
    chunked_decoder d(trailers_, lim);
    EXPECT_EQ(d.feed("5;a\r\nhello\r\n0\r\n\r\n", std::span(out)).error,
              error::bad_chunk_extension);
  }
  {  // the line limit counts the CRLF, also for a plain size line: 4 bytes pass, 5 do not
    chunked_decoder d(trailers_, lim);
    EXPECT_EQ(d.feed("05\r\nhello\r\n0\r\n\r\n", std::span(out)).status, parse_status::complete);
    chunked_decoder e(trailers_, lim);
    EXPECT_EQ(e.feed("005\r\nhello\r\n0\r\n\r\n", std::span(out)).error,
              error::bad_chunk_extension);
  }
}

INSTANTIATE_TEST_SUITE_P(scans, http_chunked, ::testing::ValuesIn(testing::supported_scans()),
                         testing::scan_param_name);

}  // namespace
}  // namespace lapwise::parser

// response_reader: whole, split at every byte, pipelined, and broken response streams.
#include "response_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lapwise::load {
namespace {

using parser::error_code;

struct outcome {
  std::vector<response_info> responses;
  error_code error = error_code::none;
  bool failed = false;
};

// Feeds `stream` in pieces of `step` bytes (0 = all at once) the way a connection does: the
// unconsumed tail stays, new bytes are appended, eof after the last piece.
outcome read_all(const std::string& stream, std::size_t step, const std::string& method = "GET",
                 bool eof_at_end = false) {
  response_reader reader;
  outcome out;
  std::string buf;
  std::size_t pos = 0;
  while (true) {
    const std::size_t take = step == 0 ? stream.size() - pos : std::min(step, stream.size() - pos);
    buf.append(stream, pos, take);
    pos += take;
    const bool eof = eof_at_end && pos == stream.size();
    while (true) {
      auto r = reader.feed(std::span<char>(buf.data(), buf.size()), method, eof);
      buf.erase(0, r.consumed);
      if (r.state == response_reader::status::error) {
        out.failed = true;
        out.error = r.error;
        return out;
      }
      if (r.state == response_reader::status::need_more) break;
      out.responses.push_back(reader.info());
    }
    if (pos == stream.size()) break;
  }
  return out;
}

const std::string plaintext =
    "HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 13\r\n\r\nHello, World!";
const std::string chunked =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nHello\r\n8\r\n, World!\r\n0\r\n\r\n";
const std::string not_found = "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nNot Found";
const std::string no_content = "HTTP/1.1 204 No Content\r\n\r\n";

TEST(ResponseReader, WholeAndSplitAtEveryStep) {
  struct row {
    const char* label;
    std::string stream;
    std::vector<std::pair<int, std::uint64_t>> expected;  // status, body length
  };
  const row rows[] = {
      {"content-length", plaintext, {{200, 13}}},
      {"chunked", chunked, {{200, 13}}},
      {"no body (204)", no_content, {{204, 0}}},
      {"pipelined mix",
       plaintext + chunked + not_found + no_content + plaintext,
       {{200, 13}, {200, 13}, {404, 9}, {204, 0}, {200, 13}}},
      {"big body",
       "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + std::string(100000, 'x'),
       {{200, 100000}}},
  };
  for (const row& r : rows) {
    for (std::size_t step : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{7},
                             std::size_t{64}, std::size_t{4096}}) {
      outcome o = read_all(r.stream, step);
      ASSERT_FALSE(o.failed) << r.label << " step " << step << ": " << parser::describe(o.error);
      ASSERT_EQ(o.responses.size(), r.expected.size()) << r.label << " step " << step;
      for (std::size_t i = 0; i < r.expected.size(); ++i) {
        EXPECT_EQ(o.responses[i].status, r.expected[i].first) << r.label;
        EXPECT_EQ(o.responses[i].body_length, r.expected[i].second) << r.label << " step " << step;
        EXPECT_TRUE(o.responses[i].keep_alive) << r.label;
      }
    }
  }
}

TEST(ResponseReader, HeadResponseHasNoBody) {
  outcome o = read_all("HTTP/1.1 200 OK\r\nContent-Length: 13\r\n\r\n", 0, "HEAD");
  ASSERT_EQ(o.responses.size(), 1u);
  EXPECT_EQ(o.responses[0].body_length, 0u);
}

TEST(ResponseReader, BodyUntilClose) {
  for (std::size_t step : {std::size_t{0}, std::size_t{1}, std::size_t{5}}) {
    outcome o = read_all("HTTP/1.0 200 OK\r\n\r\nHello, World!", step, "GET", true);
    ASSERT_FALSE(o.failed) << parser::describe(o.error);
    ASSERT_EQ(o.responses.size(), 1u);
    EXPECT_EQ(o.responses[0].body_length, 13u);
    EXPECT_FALSE(o.responses[0].keep_alive);
  }
}

TEST(ResponseReader, ConnectionCloseIsReported) {
  outcome o = read_all("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", 3);
  ASSERT_EQ(o.responses.size(), 1u);
  EXPECT_FALSE(o.responses[0].keep_alive);
}

TEST(ResponseReader, BrokenStreamsAreErrors) {
  struct row {
    const char* label;
    std::string stream;
    bool eof;
    error_code expected;
  };
  const row rows[] = {
      {"garbage", "HTTX/1.1 200 OK\r\n\r\n", false, error_code::bad_version},
      {"bad status", "HTTP/1.1 20 OK\r\n\r\n", false, error_code::bad_status_line},
      {"bad length", "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", false,
       error_code::bad_content_length},
      {"bad chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false,
       error_code::bad_chunk_size},
      {"truncated head", "HTTP/1.1 200 OK\r\nContent-Len", true, error_code::incomplete_message},
      {"truncated body", plaintext.substr(0, plaintext.size() - 3), true,
       error_code::incomplete_message},
      {"truncated chunked", chunked.substr(0, chunked.size() - 4), true,
       error_code::incomplete_message},
  };
  for (const row& r : rows) {
    for (std::size_t step : {std::size_t{0}, std::size_t{1}}) {
      outcome o = read_all(r.stream, step, "GET", r.eof);
      EXPECT_TRUE(o.failed) << r.label;
      EXPECT_EQ(o.error, r.expected)
          << r.label << " step " << step << ": " << parser::describe(o.error);
    }
  }
}

TEST(ResponseReader, ResetForgetsAPartialMessage) {
  response_reader reader;
  std::string part = plaintext.substr(0, plaintext.size() - 5);
  auto r = reader.feed(std::span<char>(part.data(), part.size()), "GET", false);
  EXPECT_EQ(r.state, response_reader::status::need_more);
  EXPECT_TRUE(reader.in_message());
  reader.reset();
  EXPECT_FALSE(reader.in_message());
  std::string whole = plaintext;
  r = reader.feed(std::span<char>(whole.data(), whole.size()), "GET", false);
  EXPECT_EQ(r.state, response_reader::status::complete);
  EXPECT_EQ(r.consumed, whole.size());
}

}  // namespace
}  // namespace lapwise::load

// request_set: the -r short form, the request-file format and serialization, as tables.
#include "lapwise/load/request_set.h"

#include <gtest/gtest.h>

namespace lapwise::load {
namespace {

TEST(RequestLine, ValidForms) {
  struct row {
    const char* line;
    const char* method;
    const char* target;
    int status;
    std::int64_t length;
  };
  for (const row r : {row{"GET /plaintext", "GET", "/plaintext", 200, -1},
                      row{"GET /plaintext 200 13", "GET", "/plaintext", 200, 13},
                      row{"  POST   /echo  201 ", "POST", "/echo", 201, -1},
                      row{"GET /users/7?q=x 404 0", "GET", "/users/7?q=x", 404, 0}}) {
    parsed_requests p = parse_request_line(r.line);
    ASSERT_TRUE(p.error.empty()) << r.line << ": " << p.error;
    ASSERT_EQ(p.requests.size(), 1u);
    EXPECT_EQ(p.requests[0].method, r.method);
    EXPECT_EQ(p.requests[0].target, r.target);
    EXPECT_EQ(p.requests[0].expect_status, r.status);
    EXPECT_EQ(p.requests[0].expect_length, r.length);
  }
}

TEST(RequestLine, InvalidFormsSayWhy) {
  struct row {
    const char* line;
    const char* needle;
  };
  for (const row r :
       {row{"", "bad method"}, row{"G(T /x", "bad method"}, row{"GET x", "bad target"},
        row{"GET /a b", "status"}, row{"GET /a 99", "status"}, row{"GET /a 200 -5", "length"},
        row{"GET /a 200 1 extra", "at most"}}) {
    parsed_requests p = parse_request_line(r.line);
    EXPECT_TRUE(p.requests.empty()) << r.line;
    EXPECT_NE(p.error.find(r.needle), std::string::npos) << r.line << " -> " << p.error;
  }
}

TEST(RequestFile, RequestsWithHeadersBodiesAndExpectations) {
  const char* text =
      "# the app spec\n"
      "GET /plaintext 200 13\n"
      "\n"
      "POST /echo\r\n"
      "header Content-Type: application/json\n"
      "body {\"a\": [1, 2, 3]} \n"
      "expect 200 19\n"
      "GET /users/7?q=x\n";
  parsed_requests p = parse_request_file(text, "t.req");
  ASSERT_TRUE(p.error.empty()) << p.error;
  ASSERT_EQ(p.requests.size(), 3u);
  EXPECT_EQ(p.requests[0].expect_length, 13);
  EXPECT_EQ(p.requests[1].method, "POST");
  ASSERT_EQ(p.requests[1].headers.size(), 1u);
  EXPECT_EQ(p.requests[1].headers[0].first, "Content-Type");
  EXPECT_EQ(p.requests[1].headers[0].second, "application/json");
  EXPECT_EQ(p.requests[1].body, "{\"a\": [1, 2, 3]} ") << "verbatim, trailing blank kept";
  EXPECT_EQ(p.requests[1].expect_length, 19);
  EXPECT_EQ(p.requests[2].expect_length, -1);
}

TEST(RequestFile, ErrorsNameTheLine) {
  struct row {
    const char* text;
    const char* needle;
  };
  for (const row r :
       {row{"body x\n", "t.req:1: 'body' before any request"},
        row{"GET /\nheader nocolon\n", "t.req:2: bad header"},
        row{"GET /\nheader A: b\x01\n", "t.req:2: control byte"},
        row{"GET /\n\nexpect 2000\n", "t.req:3:"}, row{"# nothing\n", "no requests"}}) {
    parsed_requests p = parse_request_file(r.text, "t.req");
    EXPECT_TRUE(p.requests.empty());
    EXPECT_NE(p.error.find(r.needle), std::string::npos) << p.error;
  }
}

TEST(Serialize, AddsHostAndContentLength) {
  std::string error;
  request_spec get;
  get.target = "/plaintext";
  EXPECT_EQ(serialize(get, "127.0.0.1:8080", error),
            "GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
  EXPECT_TRUE(error.empty());

  request_spec post;
  post.method = "POST";
  post.target = "/echo";
  post.body = "hello";
  post.headers = {{"host", "example"}};
  EXPECT_EQ(serialize(post, "127.0.0.1:1", error),
            "POST /echo HTTP/1.1\r\nhost: example\r\nContent-Length: 5\r\n\r\nhello");

  request_spec empty_post;
  empty_post.method = "POST";
  empty_post.target = "/echo";
  EXPECT_NE(serialize(empty_post, "h:1", error).find("Content-Length: 0\r\n"), std::string::npos);

  request_spec bad;
  bad.target = "/a\r\nX: y";
  EXPECT_TRUE(serialize(bad, "h:1", error).empty());
  EXPECT_NE(error.find("bad target"), std::string::npos);
}

}  // namespace
}  // namespace lapwise::load

// The access log (config::access_log): one Combined Log Format line per answered request,
// written by the time the server has stopped; the client's bytes escaped so that they cannot
// end a quoted field or forge a line; an unopenable path refused at construction. A table of
// requests against the line each must leave, on both transports.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "lapwise/server/server.h"
#include "loopback_socket.h"

namespace lapwise::server {
namespace {

class users : public handler {
 public:
  void handle(std::span<request* const> batch) noexcept override {
    for (request* r : batch) {
      if (r->route() == 1) {
        r->respond({200, "text/plain", {}, std::string(r->params()[0].value)});
      } else if (!r->resumed()) {  // 2: streamed, its length not known when the head goes out
        response head{200, "text/plain", {}, "part"};
        head.kind = response::part::head;
        r->respond(std::move(head));
      } else {
        response end{200, {}, {}, "end"};
        end.kind = response::part::end;
        r->respond(std::move(end));
      }
    }
  }
};

struct log_case {
  const char* name;
  const char* request;  // one request; the connection closes after its answer
  const char* line;     // the line it leaves, the time as [T]
};

const log_case cases[] = {
    {"const route", "GET /c HTTP/1.1\r\nHost: a\r\nUser-Agent: ua/1\r\nConnection: close\r\n\r\n",
     R"(127.0.0.1 - - [T] "GET /c HTTP/1.1" 200 2 "-" "ua/1")"},
    {"handler route, query, HTTP/1.0, referer",
     "GET /users/42?q=1&r=%20 HTTP/1.0\r\nReferer: http://r.example/\r\n\r\n",
     R"(127.0.0.1 - - [T] "GET /users/42?q=1&r=%20 HTTP/1.0" 200 2 "http://r.example/" "-")"},
    {"HEAD sends no body", "HEAD /users/7 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
     R"(127.0.0.1 - - [T] "HEAD /users/7 HTTP/1.1" 200 0 "-" "-")"},
    {"streamed: length unknown", "GET /stream HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
     R"(127.0.0.1 - - [T] "GET /stream HTTP/1.1" 200 - "-" "-")"},
    {"404", "GET /nowhere HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
     R"(127.0.0.1 - - [T] "GET /nowhere HTTP/1.1" 404 9 "-" "-")"},
    {"405", "DELETE /c HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
     R"(127.0.0.1 - - [T] "DELETE /c HTTP/1.1" 405 18 "-" "-")"},
    {"a malformed head has no request line", "GET /c HTTP/9.9\r\n\r\n",
     R"(127.0.0.1 - - [T] "-" 505 )"},
    {"quotes, backslashes and bytes outside ASCII are escaped",
     "GET /c HTTP/1.1\r\nHost: a\r\nUser-Agent: a\"b\\c \xe9\r\nConnection: close\r\n\r\n",
     R"(127.0.0.1 - - [T] "GET /c HTTP/1.1" 200 2 "-" "a\"b\\c \xe9")"},
};

std::string temp_path() {
  char name[] = "/tmp/lapwise-access-XXXXXX";
  const int fd = ::mkstemp(name);
  EXPECT_GE(fd, 0);
  ::close(fd);
  return name;
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The log's time field, "[06/Dec/2026:15:13:07 +0000]", as [T].
std::string masked(const std::string& line) {
  static const std::regex time(R"(\[\d\d/[A-Z][a-z][a-z]/\d{4}:\d\d:\d\d:\d\d \+0000\])");
  return std::regex_replace(line, time, "[T]");
}

class AccessLog : public ::testing::TestWithParam<io_mode> {};

TEST_P(AccessLog, OneLinePerAnswerInTheCombinedFormat) {
  const std::string path = temp_path();
  users h;
  route_table routes;
  ASSERT_FALSE(routes.add_const("GET", "/c", {200, "text/plain", {}, "ok"}));
  ASSERT_FALSE(routes.add_dynamic("GET", "/users/{id}", 1));
  ASSERT_FALSE(routes.add_dynamic("GET", "/stream", 2));
  config cfg;
  cfg.io = GetParam();
  cfg.access_log = path;
  server s(cfg, std::move(routes), &h);
  ASSERT_FALSE(s.start());
  for (const log_case& c : cases) {
    const int fd = loopback::connect_to(s.port());
    loopback::send_all(fd, c.request);
    loopback::read_until(fd, "\r\n\r\n\r\n");  // to the close
    ::close(fd);
  }
  s.stop();
  ASSERT_TRUE(s.wait(std::chrono::seconds(10)));
  const std::vector<std::string> got = lines_of(path);  // written by the time wait() returns
  ASSERT_EQ(got.size(), std::size(cases));
  for (std::size_t i = 0; i < got.size(); ++i) {
    const std::string line = masked(got[i]);
    EXPECT_EQ(line.substr(0, std::string(cases[i].line).size()), cases[i].line) << cases[i].name;
  }
  std::remove(path.c_str());
}

INSTANTIATE_TEST_SUITE_P(Transports, AccessLog, ::testing::Values(io_mode::asio, io_mode::epoll),
                         [](const ::testing::TestParamInfo<io_mode>& p) {
                           return std::string(io_mode_name(p.param));
                         });

TEST(AccessLogOpen, APathThatCannotBeOpenedIsRefusedByName) {
  users h;
  config cfg;
  cfg.access_log = "/nonexistent-dir/access.log";
  try {
    server s(cfg, route_table{}, &h);
    FAIL() << "no error";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/access.log"), std::string::npos);
  }
}

}  // namespace
}  // namespace lapwise::server

#include "lapwise/client/header_line.h"

#include <gtest/gtest.h>

namespace lapwise::client {
namespace {

using kind = header_line::kind;

struct line_case {
  std::string_view line;
  kind type;
  int status;
  std::string_view name;
  std::string_view value;
};

TEST(HeaderLine, Table) {
  const line_case cases[] = {
      {"HTTP/1.1 200 OK\r\n", kind::status, 200, "", ""},
      {"HTTP/1.0 404 Not Found\r\n", kind::status, 404, "", ""},
      {"HTTP/2 503 \r\n", kind::status, 503, "", ""},
      {"HTTP/2 204", kind::status, 204, "", ""},
      {"HTTP/1.1 20 OK\r\n", kind::invalid, 0, "", ""},
      {"HTTP/1.1 2000\r\n", kind::invalid, 0, "", ""},
      {"HTTP/ 200\r\n", kind::invalid, 0, "", ""},
      {"HTTP/x.1 200\r\n", kind::invalid, 0, "", ""},
      {"\r\n", kind::end, 0, "", ""},
      {"\n", kind::end, 0, "", ""},
      {"Content-Length: 12\r\n", kind::field, 0, "Content-Length", "12"},
      {"Retry-After:\t 3 \t\r\n", kind::field, 0, "Retry-After", "3"},
      {"X-Empty:\r\n", kind::field, 0, "X-Empty", ""},
      {"X-Colon: a:b:c\r\n", kind::field, 0, "X-Colon", "a:b:c"},
      {" folded continuation\r\n", kind::invalid, 0, "", ""},
      {": no name\r\n", kind::invalid, 0, "", ""},
      {"Bad Name: x\r\n", kind::invalid, 0, "", ""},
      {"NoColon\r\n", kind::invalid, 0, "", ""},
      {std::string_view("X-Nul: a\0b\r\n", 12), kind::invalid, 0, "", ""},
      {"X-Cr: a\rb\r\n", kind::invalid, 0, "", ""},
  };
  for (const auto& c : cases) {
    header_line got = parse_header_line(c.line);
    EXPECT_EQ(got.type, c.type) << c.line;
    EXPECT_EQ(got.status, c.status) << c.line;
    EXPECT_EQ(got.name, c.name) << c.line;
    EXPECT_EQ(got.value, c.value) << c.line;
  }
}

}  // namespace
}  // namespace lapwise::client

// CGI names of request headers and WSGI status codes (cgi.h): the names PEP 3333 servers use,
// a name longer than the stack buffer, and every status shape the fast parse must refuse.
#include "lapwise/server/cgi.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace lapwise::server::cgi {
namespace {

std::pair<std::string, header_kind> key_of(std::string_view name) {
  std::string out(name.size() + 5, '\0');
  const written_key k = write_key(name, out.data());
  out.resize(k.size);
  return {out, k.kind};
}

TEST(CgiTest, HeaderNamesBecomeCgiVariables) {
  EXPECT_EQ(key_of("Host"), std::make_pair(std::string("HTTP_HOST"), header_kind::other));
  EXPECT_EQ(key_of("x-forwarded-for").first, "HTTP_X_FORWARDED_FOR");
  EXPECT_EQ(key_of("Accept-Encoding").first, "HTTP_ACCEPT_ENCODING");
  EXPECT_EQ(key_of("X_Under.score~1").first, "HTTP_X_UNDER.SCORE~1");
  EXPECT_EQ(key_of("Content-Type"),
            std::make_pair(std::string("CONTENT_TYPE"), header_kind::content_type));
  EXPECT_EQ(key_of("CONTENT-length"),
            std::make_pair(std::string("CONTENT_LENGTH"), header_kind::content_length));
  EXPECT_EQ(key_of("Content-Types").first, "HTTP_CONTENT_TYPES");
  EXPECT_EQ(key_of("").first, "HTTP_");
}

TEST(CgiTest, EveryHeaderInOrderWhateverItsLength) {
  const std::string long_name(500, 'a');
  const std::vector<parser::header> hs = {
      {"Host", "h"}, {long_name, "long"}, {"content-length", "3"}, {"Host", "again"}};
  std::vector<std::string> seen;
  EXPECT_TRUE(for_each_variable(hs, [&](std::string_view key, std::string_view value, header_kind) {
    seen.push_back(std::string(key) + "=" + std::string(value));
    return true;
  }));
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0], "HTTP_HOST=h");
  EXPECT_EQ(seen[1], "HTTP_" + std::string(500, 'A') + "=long");
  EXPECT_EQ(seen[2], "CONTENT_LENGTH=3");
  EXPECT_EQ(seen[3], "HTTP_HOST=again");
  int calls = 0;
  EXPECT_FALSE(for_each_variable(
      hs, [&](std::string_view, std::string_view, header_kind) { return ++calls < 2; }));
  EXPECT_EQ(calls, 2);
}

TEST(CgiTest, StatusCodes) {
  EXPECT_EQ(status_code("200 OK"), 200);
  EXPECT_EQ(status_code("404"), 404);
  EXPECT_EQ(status_code("599 Whatever it says"), 599);
  EXPECT_EQ(status_code("000 "), 0);
  for (std::string_view bad :
       {"", "20", "2000 OK", "20x OK", " 200 OK", "200OK", "200\tOK", "-20 X"}) {
    EXPECT_EQ(status_code(bad), -1) << bad;
  }
}

}  // namespace
}  // namespace lapwise::server::cgi

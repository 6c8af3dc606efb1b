#include "lapwise/client/retry_after.h"

#include <gtest/gtest.h>

#include <optional>

namespace lapwise::client {
namespace {

struct date_case {
  const char* text;
  std::optional<std::int64_t> unix_seconds;
};

TEST(HttpDate, Table) {
  const date_case cases[] = {
      {"Sun, 06 Nov 1994 08:49:37 GMT", 784111777},
      {"Sunday, 06-Nov-94 08:49:37 GMT", 784111777},
      {"Sun Nov  6 08:49:37 1994", 784111777},
      {"  Sun, 06 Nov 1994 08:49:37 GMT\t", 784111777},
      {"Thu, 01 Jan 1970 00:00:00 GMT", 0},
      {"Tue, 29 Feb 2000 12:00:00 GMT", 951825600},  // leap year by the 400 rule
      {"Wed, 31 Dec 2036 23:59:59 GMT", 2114380799},
      {"Monday, 01-Jan-35 00:00:00 GMT", 2051222400},  // two-digit year below 70: 20xx
      {"Thu Jan  1 00:00:00 1970", 0},
      {"Fri Dec 31 23:59:60 1999", 946684800},  // leap second field accepted
      {"Sun, 06 Nov 1994 08:49:37 UTC", std::nullopt},
      {"Sun, 6 Nov 1994 08:49:37 GMT", std::nullopt},
      {"Sun, 31 Apr 1994 08:49:37 GMT", std::nullopt},
      {"Thu, 29 Feb 1900 00:00:00 GMT", std::nullopt},  // 1900 is no leap year
      {"Sun, 06 Nov 1994 24:00:00 GMT", std::nullopt},
      {"Xyz, 06 Nov 1994 08:49:37 GMT", std::nullopt},
      {"Sun, 06 Nov 1994 08:49:37 GMTX", std::nullopt},
      {"Sun, 06 Foo 1994 08:49:37 GMT", std::nullopt},
      {"Sun Nov 6 08:49:37 1994", std::nullopt},
      {"", std::nullopt},
      {"Sun, 06 Nov 1994", std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse_http_date(c.text), c.unix_seconds) << c.text;
  }
}

struct retry_case {
  const char* value;
  std::int64_t now;
  std::optional<std::int64_t> wait_seconds;
};

TEST(RetryAfter, Table) {
  const retry_case cases[] = {
      {"0", 0, 0},
      {"120", 0, 120},
      {" 7 ", 0, 7},
      {"99999999999999999999", 0, 1'000'000'000},  // clamped, no overflow
      {"Sun, 06 Nov 1994 08:49:37 GMT", 784111777 - 30, 30},
      {"Sun, 06 Nov 1994 08:49:37 GMT", 784111777 + 30, 0},  // in the past: no wait
      {"-1", 0, std::nullopt},
      {"1.5", 0, std::nullopt},
      {"12s", 0, std::nullopt},
      {"soon", 0, std::nullopt},
      {"", 0, std::nullopt},
      {"   ", 0, std::nullopt},
  };
  for (const auto& c : cases) {
    auto got = parse_retry_after(c.value, c.now);
    std::optional<std::int64_t> secs;
    if (got) secs = std::chrono::duration_cast<std::chrono::seconds>(*got).count();
    EXPECT_EQ(secs, c.wait_seconds) << "'" << c.value << "'";
  }
}

}  // namespace
}  // namespace lapwise::client

#include "lapwise/client/token_bucket.h"

#include <gtest/gtest.h>

#include <vector>

namespace lapwise::client {
namespace {

using std::chrono::milliseconds;

time_point at(int ms) { return time_point{} + milliseconds(ms); }

struct take_case {
  int at_ms;
  bool taken;
};

struct bucket_case {
  const char* name;
  double rate;
  double burst;
  int slack_ms;
  std::vector<take_case> takes;
};

TEST(TokenBucket, Table) {
  const bucket_case cases[] = {
      {"burst 1 at 10/s: one per 100 ms",
       10,
       1,
       0,
       {{0, true}, {0, false}, {99, false}, {100, true}, {150, false}, {200, true}}},
      {"burst 3 drains then refills one per interval",
       10,
       3,
       0,
       {{0, true}, {0, true}, {0, true}, {0, false}, {100, true}, {100, false}}},
      {"idle time refills up to burst only",
       10,
       2,
       0,
       {{0, true}, {1000, true}, {1000, true}, {1000, false}}},
      {"late take without slack shifts the schedule",
       10,
       1,
       0,
       {{0, true}, {101, true}, {200, false}, {201, true}}},
      {"late take within slack keeps the schedule",
       10,
       1,
       2,
       {{0, true}, {101, true}, {200, true}, {300, true}, {300, false}}},
      {"fractional burst rounds down, at least 1",
       100,
       1.9,
       0,
       {{0, true}, {0, false}, {10, true}}},
  };
  for (const auto& c : cases) {
    token_bucket b(c.rate, c.burst, at(0), milliseconds(c.slack_ms));
    for (const auto& t : c.takes) {
      EXPECT_EQ(b.try_take(at(t.at_ms)), t.taken) << c.name << " @" << t.at_ms;
    }
  }
}

TEST(TokenBucket, AvailableAtPredictsTheNextTake) {
  token_bucket b(4, 1, at(0));
  ASSERT_TRUE(b.try_take(at(0)));
  EXPECT_EQ(b.available_at(at(10)), at(250));
  EXPECT_FALSE(b.try_take(at(249)));
  EXPECT_TRUE(b.try_take(b.available_at(at(10))));
  EXPECT_EQ(b.available_at(at(900)), at(900));
}

TEST(TokenBucket, UnlimitedAndLongRunRate) {
  token_bucket none;
  EXPECT_TRUE(none.unlimited());
  EXPECT_TRUE(none.try_take(at(0)));
  EXPECT_TRUE(token_bucket(0, 1, at(0)).unlimited());
  // Polling every millisecond for 10 s at 200/s, burst 5: exactly burst + rate * 10 tokens.
  token_bucket b(200, 5, at(0), milliseconds(2));
  int taken = 0;
  for (int ms = 0; ms < 10000; ++ms) {
    while (b.try_take(at(ms))) ++taken;
  }
  EXPECT_EQ(taken, 5 + 200 * 10 - 1);
}

}  // namespace
}  // namespace lapwise::client

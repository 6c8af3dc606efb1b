#include "lapwise/client/backoff.h"

#include <gtest/gtest.h>

namespace lapwise::client {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

struct ceiling_case {
  std::uint32_t retry;
  duration base;
  duration cap;
  duration expected;
};

TEST(Backoff, CeilingTable) {
  const ceiling_case cases[] = {
      {0, milliseconds(100), seconds(10), duration{0}},
      {1, milliseconds(100), seconds(10), milliseconds(100)},
      {2, milliseconds(100), seconds(10), milliseconds(200)},
      {4, milliseconds(100), seconds(10), milliseconds(800)},
      {8, milliseconds(100), seconds(10), seconds(10)},   // 12.8 s capped
      {63, milliseconds(100), seconds(10), seconds(10)},  // shift past the bit width
      {4000000000u, milliseconds(1), seconds(1), seconds(1)},
      {3, duration{0}, seconds(1), duration{0}},
      {3, milliseconds(5), milliseconds(5), milliseconds(5)},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(backoff_ceiling(c.retry, c.base, c.cap), c.expected) << c.retry;
  }
}

struct delay_case {
  std::uint32_t retry;
  double u;
  duration expected;
};

TEST(Backoff, FullJitterTable) {
  const delay_case cases[] = {
      {1, 0.0, duration{0}},        {1, 0.5, milliseconds(50)},
      {3, 0.25, milliseconds(100)}, {3, -1.0, duration{0}},  // clamped into [0, 1)
      {3, 2.0, milliseconds(400)},                           // just under the ceiling
  };
  for (const auto& c : cases) {
    auto got = backoff_delay(c.retry, milliseconds(100), seconds(10), c.u);
    EXPECT_NEAR(static_cast<double>(got.count()), static_cast<double>(c.expected.count()), 1e3)
        << c.retry << " " << c.u;
    EXPECT_LE(got, backoff_ceiling(c.retry, milliseconds(100), seconds(10)));
  }
}

TEST(Backoff, RngIsUniformAndSeeded) {
  jitter_rng a(42), b(42), c(43);
  double sum = 0;
  bool differs = false;
  for (int i = 0; i < 10000; ++i) {
    double x = a.next();
    ASSERT_GE(x, 0.0);
    ASSERT_LT(x, 1.0);
    EXPECT_EQ(x, b.next());
    differs |= x != c.next();
    sum += x;
  }
  EXPECT_TRUE(differs);
  EXPECT_NEAR(sum / 10000, 0.5, 0.02);
}

}  // namespace
}  // namespace lapwise::client

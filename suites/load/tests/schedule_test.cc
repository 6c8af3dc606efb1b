// schedule: the open-loop arithmetic. Global times k/rate, connection c gets k = c + j*n, and
// "due" agrees with "intended" at every boundary.
#include "lapwise/load/schedule.h"

#include <gtest/gtest.h>

#include <set>

namespace lapwise::load {
namespace {

struct row {
  double rate;
  std::uint32_t connections;
};

const row rows[] = {{1000, 1}, {1000, 4}, {3, 2}, {12345.6, 64}, {80'000, 256}, {7, 16}};

TEST(Schedule, IntendedTimesFollowTheRate) {
  for (const row r : rows) {
    schedule s(r.rate, r.connections);
    EXPECT_EQ(s.intended_ns(std::uint64_t{0}), 0);
    for (std::uint64_t k : {1ULL, 2ULL, 1000ULL, 1'000'000ULL}) {
      const double exact = static_cast<double>(k) * 1e9 / r.rate;
      EXPECT_NEAR(static_cast<double>(s.intended_ns(k)), exact, 1.0) << r.rate << " k=" << k;
    }
    // A run of T seconds schedules rate*T requests (+1 for k=0), whatever the spread.
    EXPECT_NEAR(static_cast<double>(s.total_due(5'000'000'000LL)), r.rate * 5 + 1, 1.0);
  }
}

TEST(Schedule, ConnectionsPartitionTheGlobalSchedule) {
  for (const row r : rows) {
    schedule s(r.rate, r.connections);
    std::set<std::int64_t> seen;
    const std::uint64_t total = 4 * r.connections + 3;
    std::uint64_t from_connections = 0;
    for (std::uint32_t c = 0; c < r.connections; ++c) {
      const std::uint64_t mine = s.below(c, total);
      from_connections += mine;
      for (std::uint64_t j = 0; j < mine; ++j) {
        EXPECT_EQ(s.intended_ns(c, j), s.intended_ns(c + j * r.connections));
        if (j > 0) {
          EXPECT_LT(s.intended_ns(c, j - 1), s.intended_ns(c, j));
        }
      }
    }
    EXPECT_EQ(from_connections, total) << "every global request on exactly one connection";
  }
}

TEST(Schedule, DueAgreesWithIntendedAtEveryBoundary) {
  for (const row r : rows) {
    schedule s(r.rate, r.connections);
    for (std::uint64_t k = 0; k < 300; ++k) {
      const std::int64_t t = s.intended_ns(k);
      EXPECT_EQ(s.total_due(t), k + 1) << "request k is due exactly at its time";
      if (t > 0 && s.intended_ns(k - 1) < t) {
        EXPECT_EQ(s.total_due(t - 1), k);
      }
    }
    for (std::uint32_t c = 0; c < r.connections; ++c) {
      for (std::uint64_t j = 0; j < 5; ++j) {
        const std::int64_t t = s.intended_ns(c, j);
        EXPECT_EQ(s.due(c, t), j + 1) << "rate " << r.rate << " c " << c << " j " << j;
      }
    }
    std::uint64_t sum = 0;  // at any instant, the connections' due counts add to the total
    const std::int64_t t = 777'777'777;
    for (std::uint32_t c = 0; c < r.connections; ++c) sum += s.due(c, t);
    EXPECT_EQ(sum, s.total_due(t));
  }
}

TEST(Schedule, NothingDueBeforeTheStart) {
  schedule s(1000, 4);
  EXPECT_EQ(s.total_due(-1), 0u);
  EXPECT_EQ(s.due(0, -5), 0u);
  EXPECT_EQ(s.due(1, 0), 0u) << "connection 1's first request is at 1 ms";
  EXPECT_EQ(s.due(0, 0), 1u);
  EXPECT_EQ(s.below(3, 3), 0u);
  EXPECT_EQ(s.below(3, 4), 1u);
  // "No count bound" is k_end = UINT64_MAX: no wrap-around for any connection.
  for (std::uint32_t c = 0; c < 4; ++c) EXPECT_GT(s.below(c, UINT64_MAX), UINT64_MAX / 5);
}

}  // namespace
}  // namespace lapwise::load

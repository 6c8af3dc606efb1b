// histogram: layout and precision against a sorted-array reference, on tables of distributions.
#include "lapwise/load/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace lapwise::load {
namespace {

// Nearest rank over a sorted copy: the definition the histogram promises, exactly.
std::uint64_t reference_percentile(const std::vector<std::uint64_t>& sorted, double p) {
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

struct distribution {
  const char* label;
  std::vector<std::uint64_t> values;
};

std::vector<distribution> distributions() {
  std::mt19937_64 rng(42);
  std::vector<distribution> out;
  {
    std::vector<std::uint64_t> v;
    std::lognormal_distribution<double> d(std::log(80'000.0), 0.6);  // ~80 us loopback latency
    for (int i = 0; i < 20000; ++i) v.push_back(static_cast<std::uint64_t>(d(rng)));
    out.push_back({"lognormal around 80us", v});
  }
  {
    std::vector<std::uint64_t> v;
    std::uniform_int_distribution<std::uint64_t> d(1'000, 60'000'000'000ULL);  // 1us..60s
    for (int i = 0; i < 20000; ++i) v.push_back(d(rng));
    out.push_back({"uniform 1us..60s", v});
  }
  {
    std::vector<std::uint64_t> v;  // bimodal: fast path plus a slow tail (a GC pause, say)
    std::normal_distribution<double> fast(50'000, 5'000), slow(20'000'000, 2'000'000);
    for (int i = 0; i < 20000; ++i)
      v.push_back(static_cast<std::uint64_t>(std::max(1.0, i % 100 == 0 ? slow(rng) : fast(rng))));
    out.push_back({"bimodal with a 1% tail", v});
  }
  out.push_back({"single value", std::vector<std::uint64_t>(100, 123'456)});
  out.push_back({"small exact values", {0, 1, 2, 3, 1000, 2047, 2048, 2049, 4095, 4096}});
  return out;
}

TEST(Histogram, PercentilesWithinBucketPrecisionOfSortedReference) {
  const std::vector<double> percentiles = {0, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100};
  for (const auto& d : distributions()) {
    histogram h;
    for (auto v : d.values) h.record(v);
    std::vector<std::uint64_t> sorted = d.values;
    std::sort(sorted.begin(), sorted.end());
    ASSERT_EQ(h.count(), sorted.size()) << d.label;
    EXPECT_EQ(h.min_value(), sorted.front()) << d.label;
    EXPECT_EQ(h.max_value(), sorted.back()) << d.label;
    for (double p : percentiles) {
      const std::uint64_t ref = reference_percentile(sorted, p);
      const std::uint64_t got = h.value_at_percentile(p);
      // Same bucket as the reference, reported at its upper end (capped at the exact max).
      EXPECT_GE(got, ref) << d.label << " p" << p;
      EXPECT_LE(got, h.highest_equivalent(ref)) << d.label << " p" << p;
      // That bucket keeps 3 significant digits: within 0.1% of the true value.
      EXPECT_LE(static_cast<double>(got - ref), std::max(1.0, 1e-3 * static_cast<double>(ref)))
          << d.label << " p" << p;
    }
  }
}

TEST(Histogram, MeanIsExact) {
  histogram h;
  for (std::uint64_t v : {1000u, 2000u, 3000u, 10'000'000u}) h.record(v);
  EXPECT_DOUBLE_EQ(h.mean(), (1000 + 2000 + 3000 + 10'000'000) / 4.0);
}

TEST(Histogram, BucketWidthKeepsSignificantDigits) {
  struct row {
    int digits;
    std::uint64_t value;
  };
  for (const row r : {row{1, 7}, row{2, 12345}, row{3, 999}, row{3, 2048}, row{3, 1'000'003},
                      row{3, 59'999'999'999ULL}, row{4, 77'777}, row{5, 1'234'567}}) {
    histogram h(60'000'000'000ULL, r.digits);
    const std::uint64_t lo = h.lowest_equivalent(r.value), hi = h.highest_equivalent(r.value);
    EXPECT_LE(lo, r.value);
    EXPECT_GE(hi, r.value);
    EXPECT_LT(static_cast<double>(hi - lo + 1),
              std::max(1.0, std::pow(10.0, -r.digits) * static_cast<double>(r.value)) + 1)
        << "digits " << r.digits << " value " << r.value;
  }
}

TEST(Histogram, SlotsCoverTheRangeContiguously) {
  histogram h(60'000'000'000ULL, 3);
  // Walking values slot by slot must visit increasing, adjacent slots up to the highest value.
  std::uint64_t v = 0;
  std::size_t steps = 0;
  while (v <= h.highest()) {
    const std::uint64_t hi = h.highest_equivalent(v);
    ASSERT_EQ(h.lowest_equivalent(v), v) << "slot starts where the previous one ended";
    ASSERT_GE(hi, v);
    if (hi == UINT64_MAX) break;
    v = hi + 1;
    ++steps;
    if (hi >= h.highest()) break;
  }
  EXPECT_LE(steps, h.slots());
  EXPECT_LT(h.slots(), 40000u) << "fixed memory: tens of thousands of counters, not millions";
}

TEST(Histogram, SaturatesAboveHighest) {
  histogram h(60'000'000'000ULL, 3);
  h.record(100);
  h.record(120'000'000'000ULL);
  EXPECT_EQ(h.saturated(), 1u);
  EXPECT_EQ(h.max_value(), h.highest());
  EXPECT_EQ(h.value_at_percentile(100), h.highest());
}

TEST(Histogram, AddMergesAndRefusesOtherLayouts) {
  histogram a, b, c(60'000'000'000ULL, 2);
  a.record(10);
  b.record(1'000'000);
  b.record(5);
  ASSERT_TRUE(a.add(b));
  EXPECT_EQ(a.count(), 3u);
  EXPECT_EQ(a.min_value(), 5u);
  EXPECT_EQ(a.max_value(), 1'000'000u);
  EXPECT_FALSE(a.add(c));
  EXPECT_EQ(a.count(), 3u);
}

TEST(Histogram, EmptyAndReset) {
  histogram h;
  EXPECT_EQ(h.value_at_percentile(99), 0u);
  EXPECT_EQ(h.min_value(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
  h.record_n(500, 10);
  EXPECT_EQ(h.count(), 10u);
  EXPECT_EQ(h.value_at_percentile(50), 500u);
  h.reset();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.max_value(), 0u);
}

}  // namespace
}  // namespace lapwise::load

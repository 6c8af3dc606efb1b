// lapwise::load::histogram — a log-linear latency histogram (HdrHistogram's bucket scheme).
//
// Contract:
// - Values are unsigned integers (lapwise-load records nanoseconds) in [0, highest]; a larger
//   value is recorded as `highest` and counted in saturated(). Fixed memory, no allocation
//   after construction, record() is O(1).
// - Layout (HdrHistogram with lowest discernible value 1): `sub_count` = the power of two at or
//   above 2 * 10^digits. Bucket 0 holds 0..sub_count-1 exactly; bucket b >= 1 covers
//   [sub_count/2 << b, sub_count << b) in sub_count/2 slots of width 2^b. So every value v is
//   kept as its slot [lowest_equivalent(v), highest_equivalent(v)], whose width is at most
//   v / (sub_count/2) < v * 10^-digits: `digits` significant decimal digits.
// - value_at_percentile(p) is the nearest-rank percentile (the value of rank ceil(p/100 * n),
//   1-based, in sorted order), reported as its slot's highest_equivalent (never below the true
//   value) and capped at the exact max. min_value(), max_value() and mean() are exact.
#pragma once

#include <cstdint>
#include <vector>

namespace lapwise::load {

class histogram {
 public:
  // digits in 1..5; highest >= 2 * 10^digits. Invalid arguments are clamped into range.
  explicit histogram(std::uint64_t highest, int digits = 3);
  histogram() : histogram(60'000'000'000ULL) {}  // lapwise-load's: 1 ns .. 60 s, 3 digits

  void record(std::uint64_t value) noexcept;
  void record_n(std::uint64_t value, std::uint64_t n) noexcept;  // n copies of value
  // Adds other's counts; false (and nothing added) unless both have the same layout.
  bool add(const histogram& other) noexcept;
  void reset() noexcept;

  [[nodiscard]] std::uint64_t count() const noexcept { return count_; }
  [[nodiscard]] std::uint64_t saturated() const noexcept { return saturated_; }
  [[nodiscard]] std::uint64_t min_value() const noexcept { return count_ ? min_ : 0; }
  [[nodiscard]] std::uint64_t max_value() const noexcept { return max_; }
  [[nodiscard]] double mean() const noexcept;
  // p in [0, 100]; 0 for an empty histogram.
  [[nodiscard]] std::uint64_t value_at_percentile(double p) const noexcept;

  [[nodiscard]] std::uint64_t lowest_equivalent(std::uint64_t value) const noexcept;
  [[nodiscard]] std::uint64_t highest_equivalent(std::uint64_t value) const noexcept;
  [[nodiscard]] std::uint64_t highest() const noexcept { return highest_; }
  [[nodiscard]] int digits() const noexcept { return digits_; }
  [[nodiscard]] std::size_t slots() const noexcept { return counts_.size(); }

 private:
  [[nodiscard]] std::size_t index_of(std::uint64_t value) const noexcept;
  [[nodiscard]] std::uint64_t value_of(std::size_t index) const noexcept;  // slot's lowest value
  [[nodiscard]] std::uint64_t width_of(std::size_t index) const noexcept;

  std::uint64_t highest_;
  int digits_;
  int half_magnitude_;      // log2(sub_count / 2)
  std::uint64_t sub_mask_;  // sub_count - 1
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t saturated_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace lapwise::load

#include "lapwise/load/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace lapwise::load {

histogram::histogram(std::uint64_t highest, int digits) : digits_(std::clamp(digits, 1, 5)) {
  std::uint64_t want = 2;  // 2 * 10^digits: the slot count that keeps `digits` digits
  for (int i = 0; i < digits_; ++i) want *= 10;
  const std::uint64_t sub_count = std::bit_ceil(want);
  half_magnitude_ = std::countr_zero(sub_count) - 1;
  sub_mask_ = sub_count - 1;
  highest_ = std::max(highest, sub_count);
  // Bucket b (b >= 1) ends at sub_count << b; add buckets until `highest` is inside one.
  std::size_t buckets = 1;
  while (buckets < static_cast<std::size_t>(64 - half_magnitude_) &&
         (sub_count << (buckets - 1)) - 1 < highest_)
    ++buckets;
  counts_.assign((buckets + 1) << half_magnitude_, 0);
}

std::size_t histogram::index_of(std::uint64_t value) const noexcept {
  const int bucket = (64 - std::countl_zero(value | sub_mask_)) - (half_magnitude_ + 1);
  const std::uint64_t sub = value >> bucket;
  return (static_cast<std::size_t>(bucket + 1) << half_magnitude_) + sub -
         (std::uint64_t{1} << half_magnitude_);
}

std::uint64_t histogram::value_of(std::size_t index) const noexcept {
  const std::uint64_t half = std::uint64_t{1} << half_magnitude_;
  int bucket = static_cast<int>(index >> half_magnitude_) - 1;
  std::uint64_t sub = (index & (half - 1)) + half;
  if (bucket < 0) {  // the first half of bucket 0: values below half, width 1
    bucket = 0;
    sub -= half;
  }
  return sub << bucket;
}

std::uint64_t histogram::width_of(std::size_t index) const noexcept {
  const int bucket = std::max(0, static_cast<int>(index >> half_magnitude_) - 1);
  return std::uint64_t{1} << bucket;
}

void histogram::record(std::uint64_t value) noexcept { record_n(value, 1); }

void histogram::record_n(std::uint64_t value, std::uint64_t n) noexcept {
  if (n == 0) return;
  if (value > highest_) {
    value = highest_;
    saturated_ += n;
  }
  counts_[index_of(value)] += n;
  count_ += n;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += static_cast<long double>(value) * n;
}

bool histogram::add(const histogram& other) noexcept {
  if (other.digits_ != digits_ || other.counts_.size() != counts_.size()) return false;
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  saturated_ += other.saturated_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
  return true;
}

void histogram::reset() noexcept {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = saturated_ = max_ = 0;
  min_ = UINT64_MAX;
  sum_ = 0;
}

double histogram::mean() const noexcept {
  return count_ ? static_cast<double>(sum_ / count_) : 0.0;
}

std::uint64_t histogram::value_at_percentile(double p) const noexcept {
  if (count_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  // Nearest rank: the smallest value with at least ceil(p% of n) values at or below it.
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(value_of(i) + width_of(i) - 1, max_);
  }
  return max_;  // unreachable: the counts sum to count_
}

std::uint64_t histogram::lowest_equivalent(std::uint64_t value) const noexcept {
  return value_of(index_of(std::min(value, highest_)));
}

std::uint64_t histogram::highest_equivalent(std::uint64_t value) const noexcept {
  const std::size_t i = index_of(std::min(value, highest_));
  return value_of(i) + width_of(i) - 1;
}

}  // namespace lapwise::load

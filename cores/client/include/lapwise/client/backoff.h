// Exponential backoff with full jitter (delay drawn uniformly from [0, min(cap, base * 2^(n-1)))
// for the n-th retry), the variant that spreads retries best under contention.
#pragma once

#include <cstdint>

#include "lapwise/client/types.h"

namespace lapwise::client {

// The upper bound of the n-th retry's delay (n >= 1): min(cap, base * 2^(n-1)), overflow-safe.
duration backoff_ceiling(std::uint32_t retry, duration base, duration cap) noexcept;

// The n-th retry's delay for a uniform draw `u` in [0, 1) (clamped into it).
duration backoff_delay(std::uint32_t retry, duration base, duration cap, double u) noexcept;

// A small, fast, seedable generator of uniform doubles in [0, 1) (splitmix64).
class jitter_rng {
 public:
  explicit jitter_rng(std::uint64_t seed) noexcept : state_(seed) {}
  double next() noexcept;

 private:
  std::uint64_t state_;
};

}  // namespace lapwise::client

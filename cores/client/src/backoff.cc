#include "lapwise/client/backoff.h"

#include <algorithm>
#include <cmath>

namespace lapwise::client {

duration backoff_ceiling(std::uint32_t retry, duration base, duration cap) noexcept {
  if (retry == 0 || base.count() <= 0 || cap.count() <= 0) return duration{0};
  std::int64_t b = base.count();
  std::int64_t c = cap.count();
  std::uint32_t shift = retry - 1;
  // base * 2^shift > cap once shift reaches the bit width of cap / base.
  if (shift >= 62 || b > (c >> shift)) return cap;
  return duration(std::min(c, b << shift));
}

duration backoff_delay(std::uint32_t retry, duration base, duration cap, double u) noexcept {
  if (!(u >= 0.0)) u = 0.0;  // also catches NaN
  if (u >= 1.0) u = std::nextafter(1.0, 0.0);
  auto ceiling = backoff_ceiling(retry, base, cap);
  return duration(static_cast<std::int64_t>(u * static_cast<double>(ceiling.count())));
}

double jitter_rng::next() noexcept {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;  // 53 random bits -> [0, 1)
}

}  // namespace lapwise::client

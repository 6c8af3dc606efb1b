#include "lapwise/client/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace lapwise::client {
namespace {

std::int64_t ns(time_point t) noexcept {
  return std::chrono::duration_cast<duration>(t.time_since_epoch()).count();
}

}  // namespace

token_bucket::token_bucket(double rate, double burst, time_point start, duration slack) noexcept {
  if (!(rate > 0) || !std::isfinite(rate)) return;  // unlimited
  // At least 1 ns per token, so that an absurd rate still means "a token per nanosecond".
  interval_ = std::max<std::int64_t>(1, std::llround(1e9 / rate));
  double extra = std::max(0.0, std::floor(burst) - 1.0);
  tolerance_ = static_cast<std::int64_t>(std::min(extra * static_cast<double>(interval_), 1e18));
  slack_ = std::max<std::int64_t>(0, slack.count());
  tat_ = ns(start);
}

bool token_bucket::try_take(time_point now) noexcept {
  if (unlimited()) return true;
  std::int64_t t = ns(now);
  if (t < tat_ - tolerance_) return false;
  // Forgive up to slack_ of lateness: the schedule continues from where it should have been.
  tat_ = std::max(tat_, t - slack_) + interval_;
  return true;
}

time_point token_bucket::available_at(time_point now) const noexcept {
  if (unlimited()) return now;
  time_point at{std::chrono::duration_cast<time_point::duration>(duration(tat_ - tolerance_))};
  return std::max(now, at);
}

}  // namespace lapwise::client

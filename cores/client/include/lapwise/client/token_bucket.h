// A token bucket in its virtual-scheduling form (GCRA): exact integer time, no floating drift,
// and the clock is an argument, so it is tested without sleeping.
#pragma once

#include <cstdint>

#include "lapwise/client/types.h"

namespace lapwise::client {

class token_bucket {
 public:
  // An unlimited bucket: try_take() always succeeds.
  token_bucket() = default;

  // `rate` tokens per second, at most `burst` (>= 1) taken at once; full at `start`.
  // `slack` forgives that much lateness per take: a loop that wakes on millisecond timers is
  // always a little late, and with burst 1 every late take would otherwise lose that time for
  // good (the observed rate would fall short of `rate`). The long-run rate never exceeds `rate`.
  token_bucket(double rate, double burst, time_point start, duration slack = duration{0}) noexcept;

  [[nodiscard]] bool unlimited() const noexcept { return interval_ == 0; }

  // Takes a token if one is available at `now`.
  bool try_take(time_point now) noexcept;

  // The earliest time try_take() can succeed (`now` if it can now).
  [[nodiscard]] time_point available_at(time_point now) const noexcept;

 private:
  std::int64_t interval_ = 0;   // ns per token; 0 = unlimited
  std::int64_t tolerance_ = 0;  // (burst - 1) * interval: how far ahead the schedule may run
  std::int64_t slack_ = 0;
  std::int64_t tat_ = 0;  // theoretical arrival time of the next token, ns since epoch
};

}  // namespace lapwise::client

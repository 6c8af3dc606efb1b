// Injected slowdown for the performance gates' self-test (issue 7). Only ever active in a
// build configured with -DLAPWISE_INJECT_SLOWDOWN_PCT=N (N > 0); in every other build the
// macro expands to nothing, so hot paths carry no cost.
//
// A hot path calls LAPWISE_INJECT_WORK(units) once per operation, where `units` approximates
// the operation's own cost in instructions. The added work is units * N / 100 iterations of a
// loop the optimizer cannot remove (about 3 instructions each, so the slowdown is roughly N%
// in instructions and somewhat more in time). The fraction left by the division is carried to
// the next call, so a cheap operation still gets its share on average.
#pragma once

#include <cstddef>

#ifndef LAPWISE_INJECT_SLOWDOWN_PCT
#define LAPWISE_INJECT_SLOWDOWN_PCT 0
#endif

namespace lapwise::detail {

inline void injected_work(std::size_t units) noexcept {
  static thread_local std::size_t carried = 0;  // hundredths of an iteration owed
  carried += units * LAPWISE_INJECT_SLOWDOWN_PCT;
  std::size_t n = carried / 100;
  carried %= 100;
  for (std::size_t i = 0; i < n; ++i) {
    asm volatile("" : : "r"(i) : "memory");  // keep the loop: it is the point
  }
}

}  // namespace lapwise::detail

#if LAPWISE_INJECT_SLOWDOWN_PCT > 0
#define LAPWISE_INJECT_WORK(units) ::lapwise::detail::injected_work(units)
#else
#define LAPWISE_INJECT_WORK(units) ((void)0)
#endif

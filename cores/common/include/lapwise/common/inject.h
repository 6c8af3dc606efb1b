// Injected slowdown for the performance gates' self-test (issue 7). Only ever active in a
// build configured with -DLAPWISE_INJECT_SLOWDOWN_PCT=N (N > 0); in every other build the
// macro expands to nothing, so hot paths carry no cost.
//
// A hot path calls LAPWISE_INJECT_WORK(units) once per operation, where `units` approximates
// the operation's own cost in "work units" (one unit = a few instructions). The added work is
// units * N / 100 iterations of a loop the optimizer cannot remove.
#pragma once

#include <cstddef>

#ifndef LAPWISE_INJECT_SLOWDOWN_PCT
#define LAPWISE_INJECT_SLOWDOWN_PCT 0
#endif

namespace lapwise::detail {

inline void injected_work(std::size_t units) noexcept {
  std::size_t n = units * LAPWISE_INJECT_SLOWDOWN_PCT / 100;
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

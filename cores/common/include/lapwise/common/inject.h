// Injected slowdown for the performance gates' self-test. Only ever active in a
// build configured with -DLAPWISE_INJECT_SLOWDOWN_PCT=N (N > 0); in every other build the
// macro expands to nothing, so hot paths carry no cost.
//
// A hot path calls LAPWISE_INJECT_WORK(units) once per operation, where `units` is the
// operation's own cost measured in iterations of the loop below (3 to 5 instructions each),
// i.e. roughly its instruction count / 3. The injected work is units * N / 100 iterations, so
// an injected build costs about N% more instructions on that path (and somewhat more time).
// The count is rounded to nearest; no state is kept, so the injector's own fixed cost stays at a
// few instructions (a thread-local carry cost ~25, more than 3% of a 700-instruction lookup).
#pragma once

#include <cstddef>

#ifndef LAPWISE_INJECT_SLOWDOWN_PCT
#define LAPWISE_INJECT_SLOWDOWN_PCT 0
#endif

namespace lapwise::detail {

inline void injected_work(std::size_t units) noexcept {
  std::size_t n = (units * LAPWISE_INJECT_SLOWDOWN_PCT + 50) / 100;
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

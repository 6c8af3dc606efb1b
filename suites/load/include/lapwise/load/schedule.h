// lapwise::load::schedule — the open-loop send schedule (the arithmetic only, no clocks).
//
// The model (the same as wrk2's, made exact):
// - The run has one global schedule at `rate` requests per second: request k (k = 0, 1, ...)
//   is intended to be sent at t0 + floor(k * 1e9 / rate) ns, where t0 is the start of the run.
// - Request k belongs to connection k mod n, so connection c sends its j-th request
//   (k = c + j * n) every n / rate seconds, phase-shifted by c / rate.
// - A connection sends request j when it is due and the connection has fewer than `depth`
//   requests in flight; otherwise the request waits on that connection. Its latency is always
//   measured from the intended time, never from when it was actually written: a server that
//   stalls is charged for every request that should have gone out during the stall
//   (coordinated omission corrected).
#pragma once

#include <algorithm>
#include <cstdint>

namespace lapwise::load {

class schedule {
 public:
  // rate > 0 requests per second, connections >= 1 (callers validate).
  schedule(double rate, std::uint32_t connections) noexcept
      : ns_per_request_(1e9L / static_cast<long double>(rate)), connections_(connections) {}

  // Intended send time of global request k, in ns after t0.
  [[nodiscard]] std::int64_t intended_ns(std::uint64_t k) const noexcept {
    return static_cast<std::int64_t>(static_cast<long double>(k) * ns_per_request_);
  }
  // Intended send time of connection c's j-th request, in ns after t0.
  [[nodiscard]] std::int64_t intended_ns(std::uint32_t c, std::uint64_t j) const noexcept {
    return intended_ns(c + j * connections_);
  }
  // How many global requests are due at `elapsed_ns` after t0 (intended time <= elapsed_ns).
  [[nodiscard]] std::uint64_t total_due(std::int64_t elapsed_ns) const noexcept {
    if (elapsed_ns < 0) return 0;
    // The floating estimate may be off by one either way: settle it on intended_ns itself, so
    // that total_due and intended_ns never disagree.
    auto k = static_cast<std::uint64_t>(static_cast<long double>(elapsed_ns) / ns_per_request_);
    while (k > 0 && intended_ns(k) > elapsed_ns) --k;
    while (intended_ns(k + 1) <= elapsed_ns) ++k;
    return k + 1;  // requests 0..k are due
  }
  // How many of connection c's requests are due at `elapsed_ns`: those k <= total_due - 1
  // with k mod n == c.
  [[nodiscard]] std::uint64_t due(std::uint32_t c, std::int64_t elapsed_ns) const noexcept {
    return below(c, total_due(elapsed_ns));
  }
  // How many of connection c's requests have a global index below `k_end`.
  [[nodiscard]] std::uint64_t below(std::uint32_t c, std::uint64_t k_end) const noexcept {
    return k_end > c ? (k_end - c - 1) / connections_ + 1 : 0;  // ceil, without overflow
  }
  [[nodiscard]] std::uint32_t connections() const noexcept { return connections_; }

 private:
  long double ns_per_request_;
  std::uint32_t connections_;
};

}  // namespace lapwise::load

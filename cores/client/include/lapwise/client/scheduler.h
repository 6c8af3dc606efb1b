// The fan-out scheduler: which request goes next, and what happens after each attempt. Pure
// logic over indices and times (no sockets, no clock reads), so every rule is table-tested.
//
// Rules:
// - Requests start in input order, except that one blocked by its host (per-host cap or
//   per-host rate) does not hold up requests to other hosts.
// - An attempt needs a free global slot (policy::concurrency), a free host slot
//   (policy::per_host, 0 = none), and a token from the global and the host bucket.
// - After an attempt: a response whose status is in policy::retry_statuses, or an error of kind
//   connect/reset/timeout (if policy::retry_on_errors), is retried while retries remain and the
//   method is idempotent (or policy::retry_non_idempotent). The wait is the response's
//   Retry-After when it has one (more than policy::retry_after_max: no retry, the response is
//   the result), else full-jitter backoff. Anything else is final.
// - A 429 or 503 with Retry-After holds back every request to that host (not only the one
//   retried) until the stated time, capped at policy::retry_after_max: the server asked the
//   client, not one request, to slow down.
// - A redirect is followed here, not inside the transport: its next hop goes back to the queue
//   of the target's host (ahead of later requests) and needs a slot and a token from each bucket
//   like any attempt, so a redirect chain cannot outrun the rate limits. A hop is not a retry.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <queue>
#include <set>
#include <vector>

#include "lapwise/client/token_bucket.h"
#include "lapwise/client/types.h"

namespace lapwise::client {

struct dispatch {
  std::uint32_t index = 0;
  std::uint32_t attempt = 0;  // 1 for the first attempt
  bool hop = false;           // the next hop of a redirect within that attempt
};

// What one attempt came to: a status (error unset) or an error kind.
struct attempt_outcome {
  int status = 0;
  std::optional<error_kind> error;
  std::optional<duration> retry_after;
};

struct decision {
  bool retry = false;
  duration delay{0};  // when retry: the wait before the next attempt may start
};

class scheduler {
 public:
  // `host_of[i]` is request i's host id (< host_count); `idempotent[i]` whether its method is.
  // `uniform01` draws the jitter (injectable for tests); `start` is time zero of the buckets.
  scheduler(const policy& p, std::vector<std::uint32_t> host_of, std::vector<bool> idempotent,
            std::size_t host_count, std::function<double()> uniform01, time_point start);

  // The next attempt that may start at `now` (taking its slots and tokens), or nullopt.
  std::optional<dispatch> next(time_point now);

  // After next() returned nullopt: the time a timer (a token, a retry falling due) could
  // unblock it; nullopt if only a completion can.
  [[nodiscard]] std::optional<time_point> wake_at() const noexcept { return wake_at_; }

  // Reports the attempt of `index` that was in flight; frees its slots and decides.
  decision complete(std::uint32_t index, const attempt_outcome& outcome, time_point now);

  // Instead of complete(): the attempt of `index` was answered by a redirect to `host` (an id
  // below host_count(), see add_host()). Frees its slots and queues the next hop at once.
  void redirect(std::uint32_t index, std::uint32_t host);

  // A new host id, for a redirect to a host that no request named; its bucket starts full.
  std::uint32_t add_host(time_point now);
  [[nodiscard]] std::size_t host_count() const noexcept { return hosts_.size(); }

  // Drops every request not in flight (cancellation); returns their indices in input order.
  std::vector<std::uint32_t> drain_pending();

  [[nodiscard]] std::uint32_t attempts(std::uint32_t index) const { return attempts_[index]; }
  // Whether the next dispatch of `index` would be a redirect hop (it waits for its slot or token).
  [[nodiscard]] bool next_is_hop(std::uint32_t index) const { return hop_next_[index]; }
  [[nodiscard]] std::size_t in_flight() const noexcept { return in_flight_; }
  [[nodiscard]] std::size_t finished() const noexcept { return finished_; }
  [[nodiscard]] bool done() const noexcept { return finished_ == host_of_.size(); }

 private:
  struct host_state {
    std::priority_queue<std::uint32_t, std::vector<std::uint32_t>, std::greater<>> pending;
    std::size_t in_flight = 0;
    token_bucket bucket;
    bool parked = false;                    // waiting for its bucket, in parked_
    time_point paused_until{};              // Retry-After on a 429/503: nothing starts before
    std::uint32_t ready_head = UINT32_MAX;  // its key in ready_; UINT32_MAX when absent
  };
  using timed = std::pair<time_point, std::uint32_t>;
  using timed_queue = std::priority_queue<timed, std::vector<timed>, std::greater<>>;

  void make_ready(std::uint32_t host);  // re-files the host in ready_ if it can take work
  [[nodiscard]] bool retryable(std::uint32_t index, const attempt_outcome& o) const;

  policy policy_;
  std::vector<std::uint32_t> host_of_;
  std::vector<bool> idempotent_;
  std::vector<std::uint32_t> attempts_;
  std::vector<bool> hop_next_;  // per request: its next dispatch is a redirect hop
  std::vector<host_state> hosts_;
  std::set<std::pair<std::uint32_t, std::uint32_t>> ready_;  // (head index, host)
  timed_queue retry_at_;                                     // (due, request)
  timed_queue parked_;                                       // (token time, host)
  token_bucket global_;
  std::function<double()> uniform01_;
  std::optional<time_point> wake_at_;
  std::size_t in_flight_ = 0;
  std::size_t finished_ = 0;
};

}  // namespace lapwise::client

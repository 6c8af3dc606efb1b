// lapwise::client — parallel HTTP fetching: libcurl's multi interface for the transport (TLS
// with verification, HTTP/2 when offered, keep-alive pools, proxies from the environment,
// redirects, decompression) under lapwise's scheduler (scheduler.h: caps, rate limits, retries).
//
// Contract:
// - validate() refuses invalid URLs (not absolute http/https, no host, spaces or control
//   bytes), bad methods or header fields, and out-of-range policies, before anything is sent.
// - fetch_many() returns one result per request, in input order. Nothing is dropped: when the
//   run is cancelled, requests not finished become error_kind::cancelled, saying whether they
//   were never sent, in flight, or waiting to retry.
// - Redirects (301, 302, 303, 307, 308 with a Location) are followed by the scheduler, one hop
//   at a time, each taking a slot and rate tokens. They only go to http/https, drop
//   Authorization and Cookie when scheme, host or port change, and turn into a body-less GET
//   after a 303 (any method but HEAD) or a 301/302 answering a POST.
// - batch is the building block: run() on one thread, cancel() from any thread; the hook is
//   called on the running thread as each result is final.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "lapwise/client/types.h"

namespace lapwise::client {

// Checks every request and the policy; the first problem found, or nullopt.
std::optional<invalid_input> validate(std::span<const request> requests, const policy& p);

// Counters of one run, for accounting against what a server saw.
struct run_stats {
  // Requests started towards a server: every attempt, redirect hop and resend. A server that
  // counts requests sees exactly this many, less those that never connected.
  std::uint64_t attempts = 0;
  std::uint64_t retries = 0;    // attempts started by the scheduler after a failed attempt
  std::uint64_t resends = 0;    // libcurl's own resends on a dead keep-alive connection
  std::uint64_t redirects = 0;  // redirect hops followed
  std::uint64_t cancelled = 0;
};

class batch {
 public:
  // nullptr result and `*why` set when validate() refuses the input.
  static std::unique_ptr<batch> create(std::vector<request> requests, policy p, invalid_input* why);
  ~batch();
  batch(const batch&) = delete;
  batch& operator=(const batch&) = delete;

  // Runs to completion or cancellation. `on_result(i)` is called once per request as soon as
  // results()[i] is final (also for cancelled ones). Call once.
  void run(const std::function<void(std::size_t)>& on_result = {});

  // Asks run() to stop soon (it wakes the transport's wait); safe from any thread.
  void cancel() noexcept;
  [[nodiscard]] bool cancelled() const noexcept { return cancel_.load(std::memory_order_relaxed); }

  [[nodiscard]] std::size_t size() const noexcept { return requests_.size(); }
  // Final after run() returns, or (slot by slot) after on_result(i).
  [[nodiscard]] std::vector<result>& results() noexcept { return results_; }
  [[nodiscard]] const run_stats& stats() const noexcept { return stats_; }

 private:
  batch(std::vector<request> requests, policy p);
  friend class transport;

  std::vector<request> requests_;
  policy policy_;
  std::vector<std::uint32_t> host_of_;  // per request: its host's id (from validation)
  std::vector<std::string> host_keys_;  // per host id: "scheme://host:port"
  std::vector<result> results_;
  run_stats stats_;
  std::atomic<bool> cancel_{false};
  std::mutex wake_mutex_;  // guards wake_fd_ against cancel() racing run()'s clean-up
  int wake_fd_ = -1;       // the running transport's eventfd; cancel() writes to it
};

// validate() + batch::run() in one call; throws nothing: invalid input comes back as
// `invalid_input` instead of results.
std::variant<std::vector<result>, invalid_input> fetch_many(std::vector<request> requests,
                                                            const policy& p);

}  // namespace lapwise::client

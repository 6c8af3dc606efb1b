// The scheduler's own cost per attempt (next + complete), no network: what lapwise adds on top
// of libcurl for every request. Verifies the run (every request finished once, retries as
// scripted) before reporting.
#include <benchmark/benchmark.h>

#include <vector>

#include "lapwise/client/scheduler.h"

namespace lapwise::client {
namespace {

// The request count is in the benchmark's name ([5000]); an Arg() would add a second copy of it.
constexpr std::uint32_t kRequests = 5000;

void run_fanout(benchmark::State& state, bool limited) {
  const std::uint32_t n = kRequests;
  const std::uint32_t hosts = 4;
  std::vector<std::uint32_t> host_of(n);
  for (std::uint32_t i = 0; i < n; ++i) host_of[i] = i % hosts;
  policy p;
  p.concurrency = 64;
  if (limited) {
    p.per_host = 16;
    p.host_rate = {1e9, 64};
    p.global_rate = {1e9, 64};
  }
  std::uint64_t attempts = 0;
  for (auto _ : state) {
    time_point now{};
    scheduler s(
        p, host_of, std::vector<bool>(n, true), hosts, [] { return 0.0; }, now);
    std::vector<std::uint32_t> flying;
    std::uint64_t made = 0;
    while (!s.done()) {
      while (auto d = s.next(now)) {
        flying.push_back(d->index);
        ++made;
      }
      for (std::uint32_t i : flying) {
        attempt_outcome o;
        o.status = (i % 10 == 0 && s.attempts(i) == 1) ? 503 : 200;  // 10% retried once
        s.complete(i, o, now);
      }
      flying.clear();
      now += std::chrono::microseconds(1);
    }
    if (made != n + n / 10) {
      state.SkipWithError("wrong number of attempts");
      return;
    }
    attempts += made;
  }
  state.counters["attempts/s"] =
      benchmark::Counter(static_cast<double>(attempts), benchmark::Counter::kIsRate);
  state.SetItemsProcessed(static_cast<std::int64_t>(attempts));
}

void BM_scheduler_caps_only(benchmark::State& state) { run_fanout(state, false); }
void BM_scheduler_all_limits(benchmark::State& state) { run_fanout(state, true); }

// Names follow the benchmark id scheme <kind>.<scenario>[<param>]/<impl> (the importer needs it).
BENCHMARK(BM_scheduler_caps_only)->Name("client.scheduler_caps_only[5000]/native");
BENCHMARK(BM_scheduler_all_limits)->Name("client.scheduler_all_limits[5000]/native");

}  // namespace
}  // namespace lapwise::client

BENCHMARK_MAIN();

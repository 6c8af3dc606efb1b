// Gate driver for lapwise::client's scheduler (scheduler.h): the policy logic that decides
// which request goes next and what follows each attempt, run over a fixed schedule of fake
// completions on a virtual clock. No network, no libcurl, no real time.
//   client.schedule_mixed/native   2,000 requests to 8 hosts (one in eight a POST), concurrency
//                                  32, 4 per host, global and per-host rate limits; a fixed
//                                  pattern of outcomes: 200s, 503 with Retry-After (the host
//                                  pauses), connection resets (backoff with seeded jitter),
//                                  redirects to another host (a hop takes slot and tokens)
// Each attempt's latency and outcome are functions of (request, attempt), so the schedule, and
// with it the instruction count, is the same on every run.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "gate_driver.h"
#include "lapwise/client/scheduler.h"

namespace {

namespace lc = lapwise::client;
using namespace std::chrono_literals;

constexpr std::uint32_t kRequests = 2000;
constexpr std::uint32_t kHosts = 8;

bool is_post(std::uint32_t i) { return i % 8 == 5; }

lc::policy make_policy() {
  lc::policy p;
  p.concurrency = 32;
  p.per_host = 4;
  p.global_rate = {2000, 64};  // per second, burst
  p.host_rate = {400, 16};
  p.retries = 2;
  p.backoff_base = 5ms;
  p.backoff_cap = 200ms;
  return p;
}

// What attempt `attempt` of request i comes to (`hop`: the redirect's second leg).
lc::attempt_outcome outcome(std::uint32_t i, std::uint32_t attempt, bool hop) {
  lc::attempt_outcome o;
  if (!hop && attempt == 1 && i % 29 == 7) {
    o.status = 503;
    o.retry_after = 20ms;  // the host pauses; a GET is retried after it, a POST is final
  } else if (!hop && attempt <= 2 && i % 41 == 3) {
    o.error = lc::error_kind::reset;  // backoff with jitter, twice, then 200
  } else {
    o.status = 200;
  }
  return o;
}

bool redirects(std::uint32_t i, bool hop) { return !hop && i % 23 == 11; }

std::chrono::nanoseconds latency(std::uint32_t i, std::uint32_t attempt) {
  return std::chrono::microseconds(800 + (i * 37 + attempt * 101) % 1700);
}

struct in_flight {
  lc::time_point done;
  std::uint32_t index, attempt;
  bool hop;
  bool operator>(const in_flight& o) const {
    return done != o.done ? done > o.done : index > o.index;
  }
};

struct result {
  std::uint64_t attempts = 0, hops = 0, max_in_flight = 0;
  bool finished = false;
  std::vector<std::uint32_t> per_request;  // attempts of each request (verify only)
};

// One whole run of the schedule. `keep` fills result::per_request.
result run(bool keep) {
  std::vector<std::uint32_t> host_of(kRequests);
  std::vector<bool> idempotent(kRequests);
  for (std::uint32_t i = 0; i < kRequests; ++i) {
    host_of[i] = (i * 5) % kHosts;
    idempotent[i] = !is_post(i);
  }
  std::uint64_t seed = 0x9E3779B97F4A7C15ull;
  auto uniform01 = [seed]() mutable {  // a fixed sequence: the jitter repeats exactly
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(seed >> 11) * 0x1.0p-53;
  };
  const lc::time_point t0{};
  lc::scheduler s(make_policy(), std::move(host_of), std::move(idempotent), kHosts, uniform01, t0);
  std::priority_queue<in_flight, std::vector<in_flight>, std::greater<>> flying;
  lc::time_point now = t0;
  result r;
  while (!s.done()) {
    while (auto d = s.next(now)) {
      flying.push({now + latency(d->index, d->attempt), d->index, d->attempt, d->hop});
      ++r.attempts;
      r.hops += d->hop;
      if (flying.size() > r.max_in_flight) r.max_in_flight = flying.size();
    }
    std::optional<lc::time_point> wake = s.wake_at();
    if (flying.empty() && !wake) return r;  // stuck: verify reports it
    lc::time_point t = flying.empty() ? *wake : flying.top().done;
    if (wake && *wake < t) t = *wake;
    now = t;
    while (!flying.empty() && flying.top().done <= now) {
      in_flight f = flying.top();
      flying.pop();
      if (redirects(f.index, f.hop)) {
        s.redirect(f.index, (f.index + 3) % kHosts);
      } else {
        s.complete(f.index, outcome(f.index, f.attempt, f.hop), now);
      }
    }
  }
  r.finished = true;
  if (keep) {
    for (std::uint32_t i = 0; i < kRequests; ++i) r.per_request.push_back(s.attempts(i));
  }
  return r;
}

lapwise::gate::workload schedule_mixed() {
  lapwise::gate::workload w;
  w.ops_per_pass = kRequests;
  // Every request finishes; the policy's rules show in the attempt counts: a GET answered 503
  // with Retry-After is retried once, a POST never; a reset is retried twice; a redirect's hop
  // is not an attempt of its own; never more than `concurrency` in flight.
  w.verify = [](std::string* why) {
    result r = run(true);
    if (!r.finished) {
      *why = "the schedule stalled before every request finished";
      return false;
    }
    for (std::uint32_t i = 0; i < kRequests; ++i) {
      // The rules applied by hand: a redirected request's hop is answered 200 at once; a POST
      // gets no retry; a GET is retried while its outcome is a 503 or a reset, at most twice.
      std::uint32_t want = 1;
      if (!redirects(i, false) && !is_post(i)) {
        while (want <= make_policy().retries && outcome(i, want, false).status != 200) ++want;
      }
      if (r.per_request[i] != want) {
        *why = "request " + std::to_string(i) + ": " + std::to_string(r.per_request[i]) +
               " attempts, want " + std::to_string(want);
        return false;
      }
    }
    if (r.max_in_flight > make_policy().concurrency || r.hops == 0) {
      *why = "in flight " + std::to_string(r.max_in_flight) + ", hops " + std::to_string(r.hops);
      return false;
    }
    return true;
  };
  w.pass = [] {
    result r = run(false);
    return r.attempts * 3 + r.hops;
  };
  w.instr_passes = 1;
  w.time_passes = 1;
  return w;
}

}  // namespace

int main(int argc, char** argv) {
  return lapwise::gate::run_main(
      argc, argv, {{"client.schedule_mixed/native", [] { return schedule_mixed(); }}});
}

#include "lapwise/client/scheduler.h"

#include <algorithm>

#include "lapwise/client/backoff.h"
#include "lapwise/common/inject.h"

namespace lapwise::client {
namespace {

constexpr std::uint32_t kAbsent = std::numeric_limits<std::uint32_t>::max();

// The loop waits on millisecond timers; the buckets forgive that much lateness per take.
constexpr duration kTimerSlack = std::chrono::milliseconds(2);

}  // namespace

scheduler::scheduler(const policy& p, std::vector<std::uint32_t> host_of,
                     std::vector<bool> idempotent, std::size_t host_count,
                     std::function<double()> uniform01, time_point start)
    : policy_(p),
      host_of_(std::move(host_of)),
      idempotent_(std::move(idempotent)),
      attempts_(host_of_.size(), 0),
      hop_next_(host_of_.size(), false),
      hosts_(host_count),
      global_(p.global_rate.rate, p.global_rate.burst, start, kTimerSlack),
      uniform01_(std::move(uniform01)) {
  for (auto& h : hosts_) {
    h.bucket = token_bucket(p.host_rate.rate, p.host_rate.burst, start, kTimerSlack);
  }
  for (std::uint32_t i = 0; i < host_of_.size(); ++i) hosts_[host_of_[i]].pending.push(i);
  for (std::uint32_t h = 0; h < hosts_.size(); ++h) make_ready(h);
}

void scheduler::make_ready(std::uint32_t host) {
  host_state& h = hosts_[host];
  if (h.ready_head != kAbsent) {
    ready_.erase({h.ready_head, host});
    h.ready_head = kAbsent;
  }
  bool has_slot = policy_.per_host == 0 || h.in_flight < policy_.per_host;
  if (!h.pending.empty() && has_slot && !h.parked) {
    h.ready_head = h.pending.top();
    ready_.insert({h.ready_head, host});
  }
}

std::optional<dispatch> scheduler::next(time_point now) {
  wake_at_.reset();
  // Retries that fell due go back to their host's queue (in input order there).
  while (!retry_at_.empty() && retry_at_.top().first <= now) {
    std::uint32_t index = retry_at_.top().second;
    retry_at_.pop();
    hosts_[host_of_[index]].pending.push(index);
    make_ready(host_of_[index]);
  }
  // Hosts whose bucket has refilled.
  while (!parked_.empty() && parked_.top().first <= now) {
    std::uint32_t host = parked_.top().second;
    parked_.pop();
    hosts_[host].parked = false;
    make_ready(host);
  }
  auto soonest = [this](std::optional<time_point> t) {
    if (!retry_at_.empty() && (!t || retry_at_.top().first < *t)) t = retry_at_.top().first;
    if (!parked_.empty() && (!t || parked_.top().first < *t)) t = parked_.top().first;
    return t;
  };
  if (in_flight_ >= policy_.concurrency || ready_.empty()) {
    wake_at_ = soonest(std::nullopt);
    return std::nullopt;
  }
  if (global_.available_at(now) > now) {
    wake_at_ = soonest(global_.available_at(now));
    return std::nullopt;
  }
  while (!ready_.empty()) {
    auto [head, host] = *ready_.begin();
    host_state& h = hosts_[host];
    bool paused = h.paused_until > now;
    if (paused || !h.bucket.try_take(now)) {
      // This host waits (for its bucket, or for the time its Retry-After named); the others go
      // ahead meanwhile.
      h.parked = true;
      make_ready(host);
      parked_.push({paused ? h.paused_until : h.bucket.available_at(now), host});
      continue;
    }
    global_.try_take(now);  // cannot fail: checked above, and nothing took a token since
    h.pending.pop();
    ++h.in_flight;
    ++in_flight_;
    make_ready(host);
    if (hop_next_[head]) {
      hop_next_[head] = false;
      return dispatch{head, attempts_[head], true};
    }
    return dispatch{head, ++attempts_[head], false};
  }
  wake_at_ = soonest(std::nullopt);
  return std::nullopt;
}

bool scheduler::retryable(std::uint32_t index, const attempt_outcome& o) const {
  if (attempts_[index] > policy_.retries) return false;
  if (!idempotent_[index] && !policy_.retry_non_idempotent) return false;
  if (o.error) {
    return policy_.retry_on_errors &&
           (*o.error == error_kind::connect || *o.error == error_kind::reset ||
            *o.error == error_kind::timeout);
  }
  const auto& codes = policy_.retry_statuses;
  return std::find(codes.begin(), codes.end(), o.status) != codes.end();
}

decision scheduler::complete(std::uint32_t index, const attempt_outcome& outcome, time_point now) {
  // The gates' injected-slowdown self-test (inject.h; nothing in a normal build): an attempt
  // costs the scheduler ~1,800 instructions (next() and this), so a 3% build adds ~55 here.
  LAPWISE_INJECT_WORK(600);
  std::uint32_t host = host_of_[index];
  --hosts_[host].in_flight;
  --in_flight_;
  make_ready(host);
  if (!outcome.error && outcome.retry_after && (outcome.status == 429 || outcome.status == 503)) {
    // The whole host slows down, for no longer than the policy would wait for one retry.
    duration wait = std::min(*outcome.retry_after, policy_.retry_after_max);
    host_state& h = hosts_[host];
    h.paused_until = std::max(h.paused_until, now + wait);
  }
  decision d;
  if (retryable(index, outcome)) {
    if (!outcome.error && outcome.retry_after) {
      // The server said when; waiting longer than the policy allows means giving up now.
      d.retry = *outcome.retry_after <= policy_.retry_after_max;
      d.delay = *outcome.retry_after;
    } else {
      d.retry = true;
      d.delay =
          backoff_delay(attempts_[index], policy_.backoff_base, policy_.backoff_cap, uniform01_());
    }
  }
  if (d.retry) {
    retry_at_.push({now + d.delay, index});
  } else {
    ++finished_;
  }
  return d;
}

void scheduler::redirect(std::uint32_t index, std::uint32_t host) {
  std::uint32_t from = host_of_[index];
  --hosts_[from].in_flight;
  --in_flight_;
  make_ready(from);
  host_of_[index] = host;
  hop_next_[index] = true;
  hosts_[host].pending.push(index);
  make_ready(host);
}

std::uint32_t scheduler::add_host(time_point now) {
  host_state& h = hosts_.emplace_back();
  h.bucket = token_bucket(policy_.host_rate.rate, policy_.host_rate.burst, now, kTimerSlack);
  return static_cast<std::uint32_t>(hosts_.size() - 1);
}

std::vector<std::uint32_t> scheduler::drain_pending() {
  std::vector<std::uint32_t> out;
  for (std::uint32_t host = 0; host < hosts_.size(); ++host) {
    host_state& h = hosts_[host];
    while (!h.pending.empty()) {
      out.push_back(h.pending.top());
      h.pending.pop();
    }
    make_ready(host);
  }
  while (!retry_at_.empty()) {
    out.push_back(retry_at_.top().second);
    retry_at_.pop();
  }
  parked_ = timed_queue();
  for (auto& h : hosts_) h.parked = false;
  std::sort(out.begin(), out.end());
  finished_ += out.size();
  return out;
}

}  // namespace lapwise::client

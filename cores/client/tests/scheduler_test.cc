#include "lapwise/client/scheduler.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lapwise::client {
namespace {

using std::chrono::milliseconds;

time_point at(int ms) { return time_point{} + milliseconds(ms); }

// One step of a script: either ask next() at a time, or complete an attempt.
struct step {
  enum { next, complete } op;
  int at_ms;
  int index = -1;    // next: expected index (-1 = nothing); complete: which request
  int attempt = 0;   // next: expected attempt number
  int status = 200;  // complete: the status (0 with `error` for an error)
  std::optional<error_kind> error = std::nullopt;
  int retry_after_ms = -1;  // complete: Retry-After, -1 = none
  bool retry = false;       // complete: expected decision
  int delay_ms = 0;         // complete: expected delay when retrying
};

step nxt(int at_ms, int index, int attempt = 1) { return {step::next, at_ms, index, attempt}; }
step none(int at_ms) { return {step::next, at_ms, -1}; }
step done(int at_ms, int index, int status = 200) {
  return {step::complete, at_ms, index, 0, status};
}
step retry(int at_ms, int index, int status, int delay_ms, int retry_after_ms = -1) {
  return {step::complete, at_ms, index, 0, status, std::nullopt, retry_after_ms, true, delay_ms};
}
step fail(int at_ms, int index, error_kind kind, bool retried, int delay_ms = 0) {
  return {step::complete, at_ms, index, 0, 0, kind, -1, retried, delay_ms};
}

struct script {
  std::string name;
  policy pol;
  std::vector<std::uint32_t> hosts;
  std::vector<bool> idempotent;
  std::vector<step> steps;
  int wake_after_ms = -2;  // expected wake_at() after the last step (-1: none, -2: unchecked)
};

policy base_policy() {
  policy p;
  p.concurrency = 2;
  p.retries = 2;
  p.backoff_base = milliseconds(100);
  p.backoff_cap = milliseconds(1000);
  return p;
}

std::vector<script> scripts() {
  std::vector<script> out;
  {
    script s{"global cap holds the third request until one completes",
             base_policy(),
             {0, 0, 0},
             {true, true, true},
             {}};
    s.steps = {nxt(0, 0), nxt(0, 1), none(0), done(5, 1), nxt(5, 2), done(6, 0), done(7, 2)};
    s.wake_after_ms = -1;
    out.push_back(s);
  }
  {
    script s{"per-host cap does not block other hosts",
             base_policy(),
             {0, 0, 1},
             {true, true, true},
             {}};
    s.pol.concurrency = 10;
    s.pol.per_host = 1;
    s.steps = {nxt(0, 0), nxt(0, 2), none(0), done(1, 0), nxt(1, 1)};
    out.push_back(s);
  }
  {
    script s{
        "503 retried with full jitter (u = 0.5), then success", base_policy(), {0}, {true}, {}};
    s.steps = {nxt(0, 0),     retry(10, 0, 503, 50),  none(10),       none(59),
               nxt(60, 0, 2), retry(70, 0, 503, 100), nxt(170, 0, 3), done(180, 0, 503)};
    out.push_back(s);
  }
  {
    script s{"Retry-After wins over backoff; too long gives up",
             base_policy(),
             {0, 0},
             {true, true},
             {}};
    s.pol.retry_after_max = milliseconds(2000);
    s.steps = {nxt(0, 0), nxt(0, 1), retry(1, 0, 429, 1500, 1500), done(1, 1, 429)};
    s.steps.back().retry_after_ms = 5000;  // request 1: over retry_after_max, final
    s.steps.push_back(none(1));
    // Request 1's Retry-After (5 s, capped at retry_after_max) holds the host back too.
    s.steps.push_back(none(1501));
    s.steps.push_back(nxt(2001, 0, 2));
    out.push_back(s);
  }
  {
    script s{"a 429 with Retry-After holds back every request to its host, not the others",
             base_policy(),
             {0, 0, 0, 1},
             {true, true, true, true},
             {}};
    s.pol.concurrency = 4;
    // Request 0's 429 pauses host 0: requests 1 and 2 wait, request 3 (host 1) goes.
    s.steps = {nxt(0, 0),       retry(1, 0, 429, 1000, 1000),
               nxt(2, 3),       none(500),
               nxt(1001, 0, 2), nxt(1001, 1),
               nxt(1001, 2)};
    out.push_back(s);
  }
  {
    script s{"a 503 with Retry-After pauses its host even when the request is final",
             base_policy(),
             {0, 0},
             {false, true},
             {}};
    s.pol.concurrency = 1;
    s.steps = {nxt(0, 0), done(1, 0, 503), none(1), none(200), nxt(301, 1)};
    s.steps[1].retry_after_ms = 300;
    out.push_back(s);
  }
  {
    script s{"non-idempotent POST is not retried by default", base_policy(), {0}, {false}, {}};
    s.steps = {nxt(0, 0), done(1, 0, 503)};
    s.wake_after_ms = -1;
    out.push_back(s);
  }
  {
    script s{"non-idempotent retried when asked", base_policy(), {0}, {false}, {}};
    s.pol.retry_non_idempotent = true;
    s.steps = {nxt(0, 0), fail(1, 0, error_kind::reset, true, 50), nxt(51, 0, 2)};
    out.push_back(s);
  }
  {
    script s{"error kinds: reset/timeout/connect retried, tls and 404 not",
             base_policy(),
             {0, 0, 0, 0},
             {true, true, true, true},
             {}};
    s.pol.concurrency = 4;
    s.steps = {nxt(0, 0),
               nxt(0, 1),
               nxt(0, 2),
               nxt(0, 3),
               fail(1, 0, error_kind::timeout, true, 50),
               fail(1, 1, error_kind::connect, true, 50),
               fail(1, 2, error_kind::tls, false),
               done(1, 3, 404)};
    out.push_back(s);
  }
  {
    script s{"retry_on_errors off", base_policy(), {0}, {true}, {}};
    s.pol.retry_on_errors = false;
    s.steps = {nxt(0, 0), fail(1, 0, error_kind::reset, false)};
    out.push_back(s);
  }
  {
    script s{"global rate 10/s burst 2", base_policy(), {0, 0, 0, 0}, {true, true, true, true}, {}};
    s.pol.concurrency = 10;
    s.pol.global_rate = {10, 2};
    s.steps = {nxt(0, 0), nxt(0, 1), none(0), none(99), nxt(100, 2), none(150), nxt(200, 3)};
    out.push_back(s);
  }
  {
    script s{"per-host rate parks one host, the other goes ahead",
             base_policy(),
             {0, 0, 1, 1},
             {true, true, true, true},
             {}};
    s.pol.concurrency = 10;
    s.pol.host_rate = {10, 1};
    s.steps = {nxt(0, 0), nxt(0, 2), none(0), nxt(100, 1), nxt(100, 3), none(100)};
    s.wake_after_ms = -1;
    out.push_back(s);
  }
  {
    script s{"a waiting retry frees its slot, and re-enters ahead of later requests",
             base_policy(),
             {0, 0, 0},
             {true, true, true},
             {}};
    s.pol.concurrency = 1;
    s.steps = {nxt(0, 0),   retry(1, 0, 500, 50), nxt(2, 1),   none(51),
               done(60, 1), nxt(60, 0, 2),        done(61, 0), nxt(61, 2)};
    out.push_back(s);
  }
  return out;
}

TEST(Scheduler, Scripts) {
  for (const auto& s : scripts()) {
    scheduler sched(
        s.pol, s.hosts, s.idempotent, 2, [] { return 0.5; }, at(0));
    for (std::size_t k = 0; k < s.steps.size(); ++k) {
      const step& st = s.steps[k];
      std::string where = s.name + ", step " + std::to_string(k);
      if (st.op == step::next) {
        auto d = sched.next(at(st.at_ms));
        if (st.index < 0) {
          EXPECT_FALSE(d.has_value()) << where << ": got request " << (d ? int(d->index) : -1);
        } else {
          ASSERT_TRUE(d.has_value()) << where;
          EXPECT_EQ(int(d->index), st.index) << where;
          EXPECT_EQ(int(d->attempt), st.attempt) << where;
        }
      } else {
        attempt_outcome o;
        o.status = st.error ? 0 : st.status;
        o.error = st.error;
        if (st.retry_after_ms >= 0) o.retry_after = milliseconds(st.retry_after_ms);
        decision dec = sched.complete(static_cast<std::uint32_t>(st.index), o, at(st.at_ms));
        EXPECT_EQ(dec.retry, st.retry) << where;
        if (st.retry) {
          EXPECT_EQ(dec.delay, milliseconds(st.delay_ms)) << where;
        }
      }
    }
    if (s.wake_after_ms != -2) {
      EXPECT_EQ(sched.wake_at().has_value(), s.wake_after_ms != -1) << s.name;
    }
  }
}

TEST(Scheduler, RedirectHopsTakeTokensButAreNotAttempts) {
  policy p = base_policy();
  p.concurrency = 4;
  p.global_rate = {10, 1};  // one token per 100 ms
  scheduler sched(
      p, {0, 0}, {true, true}, 1, [] { return 0.5; }, at(0));
  auto d = sched.next(at(0));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->index, 0u);
  EXPECT_FALSE(d->hop);
  // Request 0 is redirected to a new host: the hop waits for a token like anything else, and
  // goes ahead of request 1 (input order).
  std::uint32_t other = sched.add_host(at(1));
  EXPECT_EQ(other, 1u);
  sched.redirect(0, other);
  EXPECT_EQ(sched.in_flight(), 0u);
  EXPECT_FALSE(sched.next(at(50)));
  ASSERT_TRUE(sched.wake_at());
  EXPECT_EQ(*sched.wake_at(), at(100));
  d = sched.next(at(100));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->index, 0u);
  EXPECT_TRUE(d->hop);
  EXPECT_EQ(d->attempt, 1u);
  EXPECT_EQ(sched.attempts(0), 1u);
  d = sched.next(at(200));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->index, 1u);
  EXPECT_FALSE(d->hop);
  attempt_outcome ok;
  ok.status = 200;
  EXPECT_FALSE(sched.complete(0, ok, at(201)).retry);
  EXPECT_FALSE(sched.complete(1, ok, at(201)).retry);
  EXPECT_TRUE(sched.done());
}

TEST(Scheduler, WakeAtNamesTheNextTimer) {
  policy p = base_policy();
  p.global_rate = {4, 1};
  scheduler sched(
      p, {0, 0}, {true, true}, 1, [] { return 0.5; }, at(0));
  ASSERT_TRUE(sched.next(at(0)));
  EXPECT_FALSE(sched.next(at(10)));
  ASSERT_TRUE(sched.wake_at());
  EXPECT_EQ(*sched.wake_at(), at(250));
}

TEST(Scheduler, DrainPendingReturnsEverythingNotInFlight) {
  policy p = base_policy();
  p.concurrency = 1;
  scheduler sched(
      p, {0, 0, 0, 0}, {true, true, true, true}, 1, [] { return 0.5; }, at(0));
  ASSERT_EQ(sched.next(at(0))->index, 0u);
  attempt_outcome busy;
  busy.status = 503;
  sched.complete(0, busy, at(1));  // waits to retry
  ASSERT_EQ(sched.next(at(1))->index, 1u);
  auto drained = sched.drain_pending();
  EXPECT_EQ(drained, (std::vector<std::uint32_t>{0, 2, 3}));
  EXPECT_EQ(sched.in_flight(), 1u);
  EXPECT_FALSE(sched.done());
  attempt_outcome ok;
  ok.status = 200;
  sched.complete(1, ok, at(2));
  EXPECT_TRUE(sched.done());
  EXPECT_FALSE(sched.next(at(3)));
}

TEST(Scheduler, EveryRequestFinishesExactlyOnceUnderRandomOutcomes) {
  policy p = base_policy();
  p.concurrency = 7;
  p.per_host = 3;
  p.retries = 3;
  p.host_rate = {1000, 4};
  const std::uint32_t n = 500;
  std::vector<std::uint32_t> hosts(n);
  std::vector<bool> idem(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    hosts[i] = i % 5;
    idem[i] = i % 7 != 0;
  }
  std::uint64_t state = 1;
  auto rnd = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) * 0x1.0p-53;
  };
  scheduler sched(p, hosts, idem, 5, rnd, at(0));
  std::vector<int> finals(n, 0);
  std::vector<std::uint32_t> flying;
  int ms = 0;
  while (!sched.done() && ms < 1'000'000) {
    while (auto d = sched.next(at(ms))) flying.push_back(d->index);
    ASSERT_LE(sched.in_flight(), p.concurrency);
    if (!flying.empty()) {
      std::uint32_t i = flying.front();
      flying.erase(flying.begin());
      attempt_outcome o;
      double r = rnd();
      if (r < 0.3) {
        o.status = 503;
      } else if (r < 0.4) {
        o.error = error_kind::reset;
      } else {
        o.status = 200;
      }
      if (!sched.complete(i, o, at(ms)).retry) ++finals[i];
    }
    ++ms;
  }
  EXPECT_TRUE(sched.done());
  for (std::uint32_t i = 0; i < n; ++i) {
    EXPECT_EQ(finals[i], 1) << i;
    EXPECT_LE(sched.attempts(i), idem[i] ? 4u : 1u) << i;
  }
}

}  // namespace
}  // namespace lapwise::client

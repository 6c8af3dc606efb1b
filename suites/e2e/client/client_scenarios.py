"""The client fan-out scenarios, shared by the e2e tests (small sizes, correctness only) and
bench_client.py (full sizes, timed). Each scenario verifies every result before it reports a
number: a fast wrong answer is a failure, never a data point."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field

from suites.adapters.client.base import Client, ClientResponse, FetchResult, Policy, Request

HELLO = b"Hello, World!"  # nginx's /plaintext (suites.adapters.server.nginx)


class WrongAnswer(AssertionError):
    pass


def _check(cond: bool, msg: str) -> None:
    if not cond:
        raise WrongAnswer(msg)


def _describe(r: FetchResult) -> str:
    return f"{r.status} {r.body[:40]!r}" if isinstance(r, ClientResponse) else f"{r.kind}: {r.message}"


@dataclass
class Outcome:
    wall: float
    results: list[FetchResult]
    extra: dict = field(default_factory=dict)


def throughput(client: Client, url: str, n: int, concurrency: int) -> Outcome:
    """n small GETs against nginx: every one must be a 200 with the exact body."""
    reqs = [Request.get(url)] * n
    policy = Policy(concurrency=concurrency)  # retries on (default), no rate limit
    t = time.perf_counter()
    results = client.fetch_many(reqs, policy)
    wall = time.perf_counter() - t
    _check(len(results) == n, f"{len(results)} results for {n} requests")
    for i, r in enumerate(results):
        _check(isinstance(r, ClientResponse) and r.status == 200 and r.body == HELLO,
               f"request {i}: {_describe(r)}")
    return Outcome(wall, results, {"req_per_s": n / wall})


def latency_bound(client: Client, server, n: int, delay_ms: int, concurrency: int) -> Outcome:
    """n GETs that each take delay_ms on the server, `concurrency` at a time. The ideal wall
    time is ceil(n / concurrency) * delay."""
    server.clear()
    reqs = [Request.get(server.url(f"/delay/{delay_ms}"))] * n
    t = time.perf_counter()
    results = client.fetch_many(reqs, Policy(concurrency=concurrency, per_host=0))
    wall = time.perf_counter() - t
    for i, r in enumerate(results):
        _check(isinstance(r, ClientResponse) and r.status == 200 and r.body == b"delayed\n",
               f"request {i}: {_describe(r)}")
    seen = len(server.log())
    _check(seen == n, f"server saw {seen} requests, expected {n}")
    ideal = -(-n // concurrency) * delay_ms / 1000
    return Outcome(wall, results, {"ideal_s": ideal, "ratio": wall / ideal})


def rate_limited(client: Client, server, rate: float, burst: float, seconds: float,
                 concurrency: int = 16) -> Outcome:
    """rate * seconds GETs under a global token bucket. The observed rate is measured from the
    server's receive timestamps after the initial burst: (count - 1) / (last - first)."""
    n = int(rate * seconds)
    server.clear()
    reqs = [Request.get(server.url(f"/f/r{i}")) for i in range(n)]
    t = time.perf_counter()
    results = client.fetch_many(reqs, Policy(concurrency=concurrency, rate=rate, burst=burst))
    wall = time.perf_counter() - t
    for i, r in enumerate(results):
        _check(isinstance(r, ClientResponse) and r.status == 200, f"request {i}: {_describe(r)}")
    log = sorted(e[0] for e in server.log())
    _check(len(log) == n, f"server saw {len(log)} requests, expected {n}")
    b = int(burst)
    steady = log[b - 1:] if b >= 1 else log
    observed = (len(steady) - 1) / (steady[-1] - steady[0]) if len(steady) > 1 else float("nan")
    # A correct limiter can only be slower than this (load adds time, never removes it).
    min_wall = (n - b) / rate
    return Outcome(wall, results, {"observed_rate": observed, "error": observed / rate - 1,
                                   "min_wall_s": min_wall})


# The fault mix: (share, plan, expected status or error kind, expected attempts with retries=3)
FAULT_MIX = [
    (0.50, "ok", 200, 1),
    (0.10, "s429~ra1,ok", 200, 2),
    (0.10, "s503,ok", 200, 2),
    (0.10, "reset,ok", 200, 2),
    (0.05, "stall,ok", 200, 2),
    (0.05, "s503,reset,s502,ok", 200, 4),
    (0.05, "s503,s503,s503,s503", 503, 4),   # retries spent: the last 503 is the result
    (0.05, "s404", 404, 1),                  # not retryable
]


def fault_plans(n: int, seed: int = 7) -> list[tuple[str, int, int]]:
    rng = random.Random(seed)
    shares = [m[0] for m in FAULT_MIX]
    picks = rng.choices(range(len(FAULT_MIX)), weights=shares, k=n)
    return [FAULT_MIX[k][1:] for k in picks]


def faults(client: Client, server, n: int, concurrency: int = 32, read_timeout: float = 0.3,
           backoff_base: float = 0.05, backoff_cap: float = 0.4) -> Outcome:
    """n requests under the fault mix, retries=3. Exact accounting: every request's result and
    attempts are what its plan implies, and the server saw exactly sum(attempts) requests.
    Then the timing of every retry is checked against the policy from the server's clock."""
    plans = fault_plans(n)
    server.clear()
    tag = f"{int(time.time() * 1000) % 10**8}"
    reqs = [Request.get(server.url(f"/f/{tag}-{i}?p={plan}")) for i, (plan, _, _) in enumerate(plans)]
    policy = Policy(concurrency=concurrency, retries=3, read_timeout=read_timeout,
                    backoff_base=backoff_base, backoff_cap=backoff_cap, retry_after_max=5)
    t = time.perf_counter()
    results = client.fetch_many(reqs, policy)
    wall = time.perf_counter() - t
    _check(len(results) == n, f"{len(results)} results for {n} requests")
    for i, ((plan, status, attempts), r) in enumerate(zip(plans, results)):
        _check(isinstance(r, ClientResponse) and r.status == status,
               f"request {i} ({plan}): expected {status}, got {_describe(r)}")
        _check(r.attempts == attempts,
               f"request {i} ({plan}): expected {attempts} attempts, got {r.attempts}")
    log = server.log()
    sent = sum(r.attempts for r in results)
    _check(len(log) == sent, f"server saw {len(log)} requests, results count {sent} attempts")
    # Backoff from the server's timestamps: each gap between two arrivals of one request is at
    # least the wait the policy asked for (Retry-After, or the read timeout for a stall) and,
    # for plain backoff, compared against the full-jitter ceiling.
    by_id: dict[str, list[tuple[float, str]]] = {}
    for t_recv, _path, key, _k, action in log:
        by_id.setdefault(key, []).append((t_recv, action))
    lower_ok = 0
    gaps = []
    for key, arrivals in by_id.items():
        arrivals.sort()
        for k in range(1, len(arrivals)):
            gap = arrivals[k][0] - arrivals[k - 1][0]
            prev = arrivals[k - 1][1]
            # The stall's floor is loose: the client's read timeout starts when it sends, which
            # may be a little before the server's receive timestamp.
            floor = 1.0 if prev.endswith("~ra1") else read_timeout - 0.1 if prev == "stall" else 0.0
            _check(gap >= floor - 0.005, f"{key}: retry after {gap:.3f} s, policy floor {floor} s")
            lower_ok += 1
            if prev in ("reset",) or prev.startswith("s5"):
                ceiling = min(backoff_cap, backoff_base * 2 ** (k - 1))
                gaps.append((gap, ceiling))
    within = sum(1 for g, c in gaps if g <= c + 0.025)
    return Outcome(wall, results, {"sent": sent, "server_saw": len(log), "results": len(results),
                                   "retries": sent - n, "gaps_checked": lower_ok,
                                   "backoff_gaps": len(gaps), "backoff_within_ceiling": within})

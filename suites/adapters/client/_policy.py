"""The policy in pure Python, for the adapters that are not native: retry decisions, full-jitter
backoff, Retry-After, token buckets, and an asyncio runner that applies them all. The native
core implements the same rules in C++ (cores/client/include/lapwise/client/scheduler.h),
the host pause among them: a 429 or 503 with Retry-After holds back every request to the host
that answered it (not only the one retried) until the stated time, capped at
``policy.retry_after_max``; requests to other hosts go ahead meanwhile."""

from __future__ import annotations

import asyncio
import email.utils
import heapq
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from urllib.parse import urlsplit

from .base import IDEMPOTENT, ClientResponse, FetchError, FetchResult, Policy, Request

RETRYABLE_ERRORS = frozenset({"connect", "reset", "timeout"})
PAUSE_STATUSES = frozenset({429, 503})  # the statuses whose Retry-After slows the whole host


def host_key(url: str) -> str:
    p = urlsplit(url)
    port = p.port or (443 if p.scheme.lower() == "https" else 80)
    return f"{p.scheme.lower()}://{(p.hostname or '').lower()}:{port}"


def parse_retry_after(value: str | None, date: str | None = None) -> float | None:
    """Seconds to wait for a Retry-After value (delta-seconds or HTTP-date, the latter relative
    to the response's Date when present); None when absent or invalid."""
    if value is None:
        return None
    value = value.strip(" \t")
    if value.isdigit():
        return float(min(int(value), 1_000_000_000))
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    now = time.time()
    if date:
        try:
            now = email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            pass
    return max(0.0, when - now)


def backoff(retry: int, policy: Policy, rng: random.Random) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2**(retry-1)))."""
    ceiling = min(policy.backoff_cap, policy.backoff_base * (2 ** min(retry - 1, 62)))
    return rng.random() * ceiling


def retry_delay(req: Request, result: FetchResult, attempts: int, policy: Policy,
                rng: random.Random) -> float | None:
    """The wait before the next attempt, or None when `result` is final."""
    if attempts > policy.retries:
        return None
    if req.method not in IDEMPOTENT and not policy.retry_non_idempotent:
        return None
    if isinstance(result, FetchError):
        if policy.retry_on_errors and result.kind in RETRYABLE_ERRORS:
            return backoff(attempts, policy, rng)
        return None
    if result.status not in policy.retry_statuses:
        return None
    ra = parse_retry_after(result.headers.get("retry-after"), result.headers.get("date"))
    if ra is not None:
        return ra if ra <= policy.retry_after_max else None
    return backoff(attempts, policy, rng)


def host_pause(result: FetchResult, policy: Policy) -> float | None:
    """Seconds every request to the answering host waits after ``result``: its Retry-After on a
    429 or 503, for no longer than the policy would wait for one retry; None otherwise."""
    if not isinstance(result, ClientResponse) or result.status not in PAUSE_STATUSES:
        return None
    ra = parse_retry_after(result.headers.get("retry-after"), result.headers.get("date"))
    return None if ra is None else min(ra, policy.retry_after_max)


class AsyncBucket:
    """Token bucket (virtual scheduling, like the native one) for one event loop."""

    def __init__(self, rate: float, burst: float) -> None:
        self.interval = 1.0 / rate
        self.tolerance = max(0.0, float(int(burst)) - 1.0) * self.interval
        self.tat = time.monotonic()

    async def take(self) -> None:
        while True:
            now = time.monotonic()
            if now >= self.tat - self.tolerance:
                self.tat = max(self.tat, now - 0.002) + self.interval
                return
            await asyncio.sleep(self.tat - self.tolerance - now)


Send = Callable[[Request], Awaitable[FetchResult]]


async def run_async(requests: Sequence[Request], policy: Policy, send: Send) -> list[FetchResult]:
    """Applies `policy` around `send` (one attempt, returning ClientResponse/FetchError with attempts=1):
    min(concurrency, n) workers take requests in input order; a retry waits outside its slot
    and re-enters ahead of later requests; per-host caps and both buckets gate each attempt; a
    paused host's request (host_pause) waits outside its slot, like a retry, until the pause
    ends, while the workers take other hosts' requests."""
    n = len(requests)
    results: list[FetchResult | None] = [None] * n
    attempts = [0] * n
    first = [0.0] * n
    rng = random.Random(policy.seed or None)
    pending = deque(range(n))
    due: list[tuple[float, int]] = []
    gbucket = AsyncBucket(policy.rate, policy.burst) if policy.rate > 0 else None
    hbuckets: dict[str, AsyncBucket] = {}
    hsems: dict[str, asyncio.Semaphore] = {}
    keys: list[str | None] = [None] * n  # host keys, parsed only when a rule needs one
    paused: dict[str, float] = {}  # host key -> monotonic time its Retry-After pause ends

    def key(i: int) -> str:
        k = keys[i]
        if k is None:
            k = keys[i] = host_key(requests[i].url)
        return k

    def pause_ends(i: int) -> float | None:
        if not paused:
            return None
        until = paused.get(key(i), 0.0)
        return until if until > time.monotonic() else None

    async def worker() -> None:
        while True:
            now = time.monotonic()
            if due and due[0][0] <= now:
                i = heapq.heappop(due)[1]
            elif pending:
                i = pending.popleft()
            elif due:
                await asyncio.sleep(due[0][0] - now)
                continue
            else:
                return
            if (until := pause_ends(i)) is not None:
                heapq.heappush(due, (until, i))
                continue
            req = requests[i]
            sem = None
            if policy.per_host:
                sem = hsems.setdefault(key(i), asyncio.Semaphore(policy.per_host))
                await sem.acquire()
            try:
                if gbucket is not None:
                    await gbucket.take()
                if policy.host_rate > 0:
                    b = hbuckets.get(key(i))
                    if b is None:
                        b = hbuckets[key(i)] = AsyncBucket(policy.host_rate, policy.host_burst)
                    await b.take()
                # A pause that began while this one waited for its slot or tokens holds it too
                # (its tokens are spent: the limits stay upper bounds).
                if (until := pause_ends(i)) is not None:
                    heapq.heappush(due, (until, i))
                    continue
                attempts[i] += 1
                if attempts[i] == 1:
                    first[i] = time.perf_counter()
                result = await send(req)
            finally:
                if sem is not None:
                    sem.release()
            pause = host_pause(result, policy)
            if pause is not None:
                # The host that answered: a redirect may have led away from the request's own.
                host = host_key(result.url) if isinstance(result, ClientResponse) and result.url else key(i)
                paused[host] = max(paused.get(host, 0.0), time.monotonic() + pause)
            delay = retry_delay(req, result, attempts[i], policy, rng)
            if delay is not None:
                heapq.heappush(due, (time.monotonic() + delay, i))
                continue
            results[i] = replace(result, attempts=attempts[i],
                                 elapsed=time.perf_counter() - first[i])

    await asyncio.gather(*(worker() for _ in range(min(policy.concurrency, n))))
    return results  # type: ignore[return-value]


def finalize(result: FetchResult, attempts: int, started: float) -> FetchResult:
    return replace(result, attempts=attempts, elapsed=time.perf_counter() - started)


def headers_dict(items) -> dict[str, str]:
    """Lower-cased names, repeated fields joined with ", " (as ClientResponse.headers wants)."""
    out: dict[str, str] = {}
    for name, value in items:
        key = name.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


__all__ = ["AsyncBucket", "ClientResponse", "FetchError", "backoff", "finalize", "headers_dict", "host_key",
           "host_pause", "parse_retry_after", "retry_delay", "run_async"]

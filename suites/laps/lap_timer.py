"""Times one step in this process: CPU time of the calling thread per call, median over
batches.

CPU time (CLOCK_THREAD_CPUTIME_ID), not wall time: the end-to-end figure the laps reconcile
with is server CPU per request, and on a shared VM wall time drifts far more than CPU time.
Each batch runs the step enough times to last ``min_batch_ns`` of CPU, so the clock's own cost
(~0.3 us a read) is amortised; the batch size is fixed by calibration before the batches.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_clock = time.thread_time_ns


@dataclass(frozen=True)
class Timing:
    ns: float       # median CPU ns per call over the batches
    batch: int      # calls per batch
    batches: int
    spread: float   # (max - min) / median over the batches, for the record


def _run(fn: Callable[[Any], Any], arg: Any, n: int) -> int:
    it = range(n)
    t0 = _clock()
    for _ in it:
        fn(arg)
    return _clock() - t0


def calibrate(fn: Callable[[Any], Any], arg: Any, min_batch_ns: int) -> int:
    """The smallest power-of-two call count whose batch lasts at least ``min_batch_ns``."""
    n = 1
    while n < 1 << 26:
        if _run(fn, arg, n) >= min_batch_ns:
            return n
        n *= 2
    return n


def _run_pool(fn: Callable[[Any], Any], pool: list[Any]) -> int:
    # pop(): each input is released right after its call, inside the timed region, as the
    # pipeline releases its intermediates (freeing a parsed request is part of the cost).
    pop = pool.pop
    t0 = _clock()
    while pool:
        fn(pop())
    return _clock() - t0


def measure_fresh(fn: Callable[[Any], Any], make: Callable[[], Any], *, batches: int,
                  min_batch_ns: int, max_pool: int = 512) -> Timing:
    """Like measure(), but every call gets a fresh input from ``make()`` (built, untimed,
    before each batch), as it does in a real pipeline: a step that always sees the same object
    runs on warm per-object caches (a str's cached hash, a lazily converted field) and looks
    about twice as fast as it is inside the pipeline. Batches hold at most ``max_pool`` calls."""
    if batches < 1:
        raise ValueError("batches must be >= 1")
    n = 1
    while n < max_pool and _run_pool(fn, [make() for _ in range(n)]) < min_batch_ns:
        n *= 2
    _run_pool(fn, [make() for _ in range(n)])
    per_call = [_run_pool(fn, [make() for _ in range(n)]) / n for _ in range(batches)]
    med = statistics.median(per_call)
    spread = (max(per_call) - min(per_call)) / med if med > 0 else 0.0
    return Timing(ns=med, batch=n, batches=batches, spread=spread)


def measure(fn: Callable[[Any], Any], arg: Any, *, batches: int, min_batch_ns: int) -> Timing:
    """Median CPU ns per ``fn(arg)``; one warm-up batch is discarded."""
    if batches < 1:
        raise ValueError("batches must be >= 1")
    n = calibrate(fn, arg, min_batch_ns)
    _run(fn, arg, n)
    per_call = [_run(fn, arg, n) / n for _ in range(batches)]
    med = statistics.median(per_call)
    spread = (max(per_call) - min(per_call)) / med if med > 0 else 0.0
    return Timing(ns=med, batch=n, batches=batches, spread=spread)

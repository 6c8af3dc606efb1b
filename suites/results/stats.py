"""Percentile-bootstrap confidence intervals: the one implementation the gate (suites/gate), the
report builder (reports/) and the suites (bench scripts) share, so an interval means the same
thing wherever it is printed.

A statistic of one or more sample sets (a median, a ratio or difference of two medians, a sum
of medians) gets a percentile interval: each set is resampled with replacement independently
(the sets come from separate processes or rounds), the statistic recomputed on the resampled
medians, and the interval read off the ``level`` quantiles of that distribution. The generator
is seeded, so the same samples always give the same interval (a gate verdict or a report
rebuilds identically).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_RESAMPLES = 2000
DEFAULT_LEVEL = 0.95
DEFAULT_SEED = 1


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its interval (lo == hi == value when there is one sample)."""

    value: float
    lo: float
    hi: float
    n: int  # samples behind it (the smallest set, for combined statistics)

    def contains(self, x: float) -> bool:
        return self.lo <= x <= self.hi


def _check(samples: Sequence[float], what: str) -> np.ndarray:
    try:
        arr = np.asarray(samples, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{what}: samples must be numbers") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{what}: need a non-empty list of samples")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what}: samples must be finite")
    return arr


def bootstrap(sets: Sequence[Sequence[float]], stat: Callable[..., float], *,
              resamples: int = DEFAULT_RESAMPLES, level: float = DEFAULT_LEVEL,
              seed: int = DEFAULT_SEED) -> Estimate:
    """``stat(median_1, ..., median_k)`` of the sets' medians with its percentile-bootstrap
    interval. ``stat`` must also accept numpy arrays (one resampled median per element), which
    plain arithmetic does. The interval always contains the point estimate (the percentile
    interval of a median can miss it by a hair on tiny samples); resamples where ``stat`` is
    undefined (a zero denominator) are left out, NaN bounds if that is all of them. ValueError
    on an empty, non-numeric or non-finite set, ``level`` outside (0, 1), or a point estimate
    that divides by zero."""
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    if not sets:
        raise ValueError("need at least one sample set")
    arrays = [_check(s, f"set {i}") for i, s in enumerate(sets)]
    # statistics.median on the list: the point estimate is exactly the caller's median.
    try:
        value = float(stat(*(statistics.median(a.tolist()) for a in arrays)))
    except ZeroDivisionError:
        raise ValueError("the statistic is undefined on these medians (division by zero)") from None
    n = min(a.size for a in arrays)
    if all(a.size == 1 for a in arrays) or resamples <= 0:
        return Estimate(value, value, value, n)
    rng = np.random.default_rng(seed)
    meds = [np.median(a[rng.integers(0, a.size, size=(resamples, a.size))], axis=1)
            for a in arrays]
    with np.errstate(divide="ignore", invalid="ignore"):
        dist = np.asarray(stat(*meds), dtype=float)
    dist = dist[np.isfinite(dist)]
    if dist.size == 0:
        return Estimate(value, float("nan"), float("nan"), n)
    tail = (1 - level) / 2
    lo, hi = np.quantile(dist, [tail, 1 - tail])
    return Estimate(value, float(min(lo, value)), float(max(hi, value)), n)


def median_ci(samples: Sequence[float], **kw: float) -> Estimate:
    """The median with its bootstrap interval."""
    return bootstrap([samples], lambda m: m, **kw)  # type: ignore[arg-type]


def ratio_ci(num: Sequence[float], den: Sequence[float], **kw: float) -> Estimate:
    """median(num) / median(den), the sets resampled independently (unpaired: for paired
    per-round ratios, take median_ci of the ratios instead)."""
    return bootstrap([num, den], lambda a, b: a / b, **kw)  # type: ignore[arg-type]


def difference_ci(a: Sequence[float], b: Sequence[float], **kw: float) -> Estimate:
    """median(a) - median(b)."""
    return bootstrap([a, b], lambda x, y: x - y, **kw)  # type: ignore[arg-type]


def sum_ci(sets: Sequence[Sequence[float]], **kw: float) -> Estimate:
    """The sum of the sets' medians (a column of per-step costs)."""
    return bootstrap(sets, lambda *m: sum(m), **kw)  # type: ignore[arg-type]


__all__ = ["DEFAULT_LEVEL", "DEFAULT_RESAMPLES", "DEFAULT_SEED", "Estimate", "bootstrap",
           "difference_ci", "median_ci", "ratio_ci", "sum_ci"]

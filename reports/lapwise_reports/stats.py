"""Bootstrap confidence intervals for medians and for statistics of several medians (ratios,
differences, sums), each sample set resampled independently (they come from separate
processes). Percentile intervals; a fixed seed so a report rebuilds identically."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_RESAMPLES = 4000
DEFAULT_LEVEL = 0.95


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
    arr = np.asarray(samples, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{what}: need a non-empty list of samples")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what}: samples must be finite")
    return arr


def bootstrap(sets: Sequence[Sequence[float]], stat: Callable[..., float], *,
              resamples: int = DEFAULT_RESAMPLES, level: float = DEFAULT_LEVEL,
              seed: int = 0) -> Estimate:
    """``stat(median_1, ..., median_k)`` with a percentile bootstrap interval: each set is
    resampled with replacement independently, its median taken, ``stat`` applied."""
    if not 0 < level < 1:
        raise ValueError("level must be in (0, 1)")
    arrays = [_check(s, f"set {i}") for i, s in enumerate(sets)]
    value = float(stat(*(statistics.median(a.tolist()) for a in arrays)))
    n = min(a.size for a in arrays)
    if all(a.size == 1 for a in arrays) or resamples <= 0:
        return Estimate(value, value, value, n)
    rng = np.random.default_rng(seed)
    meds = [np.median(a[rng.integers(0, a.size, size=(resamples, a.size))], axis=1)
            for a in arrays]
    dist = np.asarray(stat(*meds), dtype=float)
    dist = dist[np.isfinite(dist)]
    if dist.size == 0:
        return Estimate(value, float("nan"), float("nan"), n)
    alpha = (1 - level) / 2
    lo, hi = np.quantile(dist, [alpha, 1 - alpha])
    return Estimate(value, float(min(lo, value)), float(max(hi, value)), n)


def median_ci(samples: Sequence[float], **kw: float) -> Estimate:
    """Median with its bootstrap interval."""
    return bootstrap([samples], lambda m: m, **kw)  # type: ignore[arg-type]


def ratio_ci(num: Sequence[float], den: Sequence[float], **kw: float) -> Estimate:
    """median(num) / median(den): a speedup when num is the slower one."""
    return bootstrap([num, den], lambda a, b: a / b, **kw)  # type: ignore[arg-type]


def difference_ci(a: Sequence[float], b: Sequence[float], **kw: float) -> Estimate:
    """median(a) - median(b)."""
    return bootstrap([a, b], lambda x, y: x - y, **kw)  # type: ignore[arg-type]


def sum_ci(sets: Sequence[Sequence[float]], **kw: float) -> Estimate:
    """The sum of the sets' medians (a column of steps)."""
    return bootstrap(sets, lambda *m: sum(m), **kw)  # type: ignore[arg-type]

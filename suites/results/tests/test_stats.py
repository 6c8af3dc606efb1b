"""suites.results.stats, the one bootstrap the gate, the report and the suites share: intervals
contain the point estimate and (with known data) the true value, cover it about as often as
they claim, narrow with more samples, repeat exactly for the same seed, and the combined
statistics are the right arithmetic of the medians."""

from __future__ import annotations

import math
import random

import pytest

from suites.results import stats


def _noisy(center: float, n: int, sigma: float, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [center * math.exp(rng.gauss(0, sigma)) for _ in range(n)]


@pytest.mark.parametrize("samples, median", [
    ([5.0], 5.0),
    ([1.0, 2.0, 3.0], 2.0),
    ([4.0, 1.0, 3.0, 2.0], 2.5),
    ([10.0, 10.0, 10.0, 10.0], 10.0),
])
def test_median_ci_point_and_interval(samples, median):
    e = stats.median_ci(samples)
    assert e.value == median
    assert e.lo <= e.value <= e.hi
    assert min(samples) <= e.lo and e.hi <= max(samples)


def test_single_sample_has_a_degenerate_interval():
    e = stats.median_ci([7.0])
    assert (e.value, e.lo, e.hi, e.n) == (7.0, 7.0, 7.0, 1)


@pytest.mark.parametrize("center", [0.5, 1.0, 1.25, 3.0])
def test_interval_contains_the_known_median(center):
    e = stats.median_ci(_noisy(center, 40, 0.05, seed=3), seed=11)
    assert e.contains(center)
    assert e.hi - e.lo < 0.1 * center


def test_coverage_is_close_to_nominal():
    # 95% intervals of a median of 20 samples with a known median 1.0 cover it about 95% of the
    # time (the percentile bootstrap of a median is a little off at small n: accept 88-100%).
    covered = sum(stats.median_ci(_noisy(1.0, 20, 0.1, seed=s), resamples=400, seed=s).contains(1.0)
                  for s in range(200))
    assert covered >= 176


def test_interval_narrows_with_more_samples_and_widens_with_noise():
    few = [100.0 + (i % 7) * 3 for i in range(5)]
    many = [100.0 + (i % 7) * 3 for i in range(200)]
    width = lambda e: e.hi - e.lo  # noqa: E731
    assert width(stats.median_ci(many)) < width(stats.median_ci(few))
    calm = stats.median_ci(_noisy(1.0, 30, 0.02, seed=1))
    noisy = stats.median_ci(_noisy(1.0, 30, 0.2, seed=1))
    assert width(noisy) > width(calm)


def test_same_samples_same_interval_and_the_seed_matters():
    s = _noisy(1.1, 20, 0.1, seed=5)
    assert stats.median_ci(s) == stats.median_ci(s)
    assert stats.median_ci(s, seed=3) == stats.median_ci(list(s), seed=3)
    a, b = stats.median_ci(s, seed=1), stats.median_ci(s, seed=2)
    assert a.value == b.value and (a.lo, a.hi) != (b.lo, b.hi)


def test_defaults_are_the_gates_documented_ones():
    # suites/gate/README.md: 2000 resamples, 95%.
    assert (stats.DEFAULT_RESAMPLES, stats.DEFAULT_LEVEL) == (2000, 0.95)


@pytest.mark.parametrize("fn, a, b, want", [
    (stats.ratio_ci, [10.0, 10.0, 10.0], [2.0, 2.0, 2.0], 5.0),
    (stats.difference_ci, [10.0, 11.0, 12.0], [2.0, 3.0, 4.0], 8.0),
])
def test_two_set_statistics(fn, a, b, want):
    e = fn(a, b)
    assert e.value == pytest.approx(want)
    assert e.lo <= e.value <= e.hi


def test_ratio_interval_excludes_one_when_clearly_faster():
    slow = [200.0 + i for i in range(15)]
    fast = [100.0 + i for i in range(15)]
    e = stats.ratio_ci(slow, fast)
    assert e.lo > 1.5 and e.hi < 2.5


def test_ratio_over_a_zero_median_is_a_clear_error():
    with pytest.raises(ValueError, match="division by zero"):
        stats.ratio_ci([1.0, 2.0, 3.0], [0.0, 0.0, 0.0])


def test_resamples_with_a_zero_denominator_are_left_out():
    # Median 1.0, but a resample of mostly zeros has median 0: those resamples drop out.
    e = stats.ratio_ci([2.0, 2.0, 2.0], [0.0, 1.0, 1.0], resamples=500)
    assert e.value == 2.0 and math.isfinite(e.lo) and math.isfinite(e.hi) and e.contains(2.0)


def test_sum_of_medians():
    e = stats.sum_ci([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0], [5.0]])
    assert e.value == pytest.approx(2.0 + 20.0 + 5.0)
    assert e.n == 1
    assert e.lo <= e.value <= e.hi


@pytest.mark.parametrize("bad", [[], [float("nan")], [1.0, float("inf")], ["x", 1.0], [[1.0]]])
def test_bad_samples_are_rejected(bad):
    with pytest.raises(ValueError):
        stats.median_ci(bad)


@pytest.mark.parametrize("level", [0.0, 1.0, 1.5, -0.1])
def test_bad_level_is_rejected(level):
    with pytest.raises(ValueError):
        stats.median_ci([1.0, 2.0], level=level)


def test_no_sets_is_rejected():
    with pytest.raises(ValueError):
        stats.sum_ci([])

"""The ratio gate's statistics on synthetic data with known answers."""

import math
import random

import pytest

from ci.gate.stats import Verdict, bootstrap_median_ci, ratio_verdict, schedule, summarize


@pytest.mark.parametrize("rounds", [2, 4, 6, 16, 30, 50])
def test_schedule_is_balanced(rounds):
    order = schedule(rounds, seed=7)
    assert len(order) == rounds
    assert all(sorted(pair) == ["A", "B"] for pair in order)
    # Every block of two rounds is ABBA or BAAB: each runs A and B once first, once second.
    blocks = [order[i] + order[i + 1] for i in range(0, rounds, 2)]
    assert all(b in (("A", "B", "B", "A"), ("B", "A", "A", "B")) for b in blocks)
    assert sum(p[0] == "A" for p in order) == rounds // 2
    kinds = [b[0] for b in blocks]
    assert abs(kinds.count("A") - kinds.count("B")) <= 1


def test_schedule_is_reproducible_and_randomized():
    assert schedule(30, seed=1) == schedule(30, seed=1)
    assert len({tuple(schedule(30, seed=s)) for s in range(20)}) > 1


@pytest.mark.parametrize("rounds", [0, 1, 3, 15])
def test_schedule_rejects_odd_or_tiny(rounds):
    with pytest.raises(ValueError):
        schedule(rounds, seed=1)


def _noisy(ratio, n, sigma, seed):
    rng = random.Random(seed)
    return [ratio * math.exp(rng.gauss(0, sigma)) for _ in range(n)]


@pytest.mark.parametrize("true_ratio", [0.5, 1.0, 1.25, 3.0])
def test_interval_contains_the_known_ratio(true_ratio):
    med, lo, hi = bootstrap_median_ci(_noisy(true_ratio, 40, 0.05, seed=3), seed=11)
    assert lo <= med <= hi
    assert lo <= true_ratio <= hi
    assert hi - lo < 0.1 * true_ratio


def test_interval_is_reproducible_with_the_seed():
    data = _noisy(1.1, 20, 0.1, seed=5)
    assert bootstrap_median_ci(data, seed=3) == bootstrap_median_ci(data, seed=3)


def test_interval_coverage_is_close_to_nominal():
    # 95% intervals of the median on 200 samples with a known median 1.0 cover it about 95%
    # of the time (the percentile bootstrap of a median is a little conservative or liberal at
    # small n; accept 88-100%).
    covered = sum(lo <= 1.0 <= hi for lo, hi in
                  (bootstrap_median_ci(_noisy(1.0, 20, 0.1, seed=s), resamples=400, seed=s)[1:]
                   for s in range(200)))
    assert covered >= 176


def test_more_noise_gives_a_wider_interval():
    _, lo1, hi1 = bootstrap_median_ci(_noisy(1.0, 30, 0.02, seed=1), seed=1)
    _, lo2, hi2 = bootstrap_median_ci(_noisy(1.0, 30, 0.2, seed=1), seed=1)
    assert hi2 - lo2 > hi1 - lo1


def test_interval_needs_two_values():
    with pytest.raises(ValueError):
        bootstrap_median_ci([1.0])


@pytest.mark.parametrize("lo,hi,kw,want", [
    (0.95, 1.05, {"max_ratio": 1.10}, Verdict.PASS),
    (1.12, 1.30, {"max_ratio": 1.10}, Verdict.FAIL),
    (1.05, 1.15, {"max_ratio": 1.10}, Verdict.WARN),
    (1.00, 1.10, {"max_ratio": 1.10}, Verdict.PASS),   # touching the threshold is not past it
    (3.5, 4.0, {"min_ratio": 3.0}, Verdict.PASS),
    (2.0, 2.9, {"min_ratio": 3.0}, Verdict.FAIL),
    (2.8, 3.2, {"min_ratio": 3.0}, Verdict.WARN),
])
def test_verdict_fails_only_when_the_whole_interval_is_past(lo, hi, kw, want):
    assert ratio_verdict(lo, hi, **kw) is want


def test_verdict_needs_exactly_one_threshold():
    with pytest.raises(ValueError):
        ratio_verdict(1, 2)
    with pytest.raises(ValueError):
        ratio_verdict(1, 2, max_ratio=1.1, min_ratio=1.0)


def test_summarize_takes_head_over_base_per_round():
    s = summarize([100, 200, 400, 100], [125, 250, 500, 125], resamples=200, confidence=0.95, seed=1)
    assert s.ratios == [1.25] * 4
    assert s.median == s.lo == s.hi == 1.25


def test_summarize_rejects_unpaired_or_nonpositive():
    with pytest.raises(ValueError):
        summarize([1, 2], [1], resamples=100, confidence=0.95, seed=1)
    with pytest.raises(ValueError):
        summarize([1, 0], [1, 1], resamples=100, confidence=0.95, seed=1)

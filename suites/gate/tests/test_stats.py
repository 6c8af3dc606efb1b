"""The ratio gate's statistics on synthetic data with known answers."""

import math
import random

import pytest

from suites.gate.stats import Verdict, ratio_verdict, schedule, summarize


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


def _summary(true_ratio, rounds=40, sigma=0.05, seed=3, **kw):
    """A run whose head is ``true_ratio`` times its base, with per-round noise."""
    base = [100.0 * (1 + 0.01 * (i % 5)) for i in range(rounds)]
    head = [b * r for b, r in zip(base, _noisy(true_ratio, rounds, sigma, seed))]
    args = dict(resamples=2000, confidence=0.95, seed=11) | kw
    return summarize(base, head, **args)


@pytest.mark.parametrize("true_ratio", [0.5, 1.0, 1.25, 3.0])
def test_interval_contains_the_known_ratio(true_ratio):
    s = _summary(true_ratio)
    assert s.lo <= s.median <= s.hi
    assert s.lo <= true_ratio <= s.hi
    assert s.hi - s.lo < 0.1 * true_ratio


def test_same_measurements_give_the_same_interval():
    first = _summary(1.1, sigma=0.1)
    again = _summary(1.1, sigma=0.1)
    assert (first.median, first.lo, first.hi) == (again.median, again.lo, again.hi)


def test_interval_seed_changes_the_resampling():
    base = [1.0] * 20
    head = _noisy(1.0, 20, 0.1, seed=5)
    a = summarize(base, head, resamples=200, confidence=0.95, seed=1)
    b = summarize(base, head, resamples=200, confidence=0.95, seed=2)
    assert a.median == b.median  # the point estimate does not depend on the seed
    assert (a.lo, a.hi) != (b.lo, b.hi)


def test_more_noise_gives_a_wider_interval():
    calm, noisy = _summary(1.0, 30, 0.02, seed=1), _summary(1.0, 30, 0.2, seed=1)
    assert noisy.hi - noisy.lo > calm.hi - calm.lo


def test_interval_needs_two_rounds():
    with pytest.raises(ValueError):
        summarize([1.0], [1.0], resamples=100, confidence=0.95, seed=1)


def test_bad_confidence_is_refused():
    with pytest.raises(ValueError):
        summarize([1.0, 1.0], [1.0, 1.1], resamples=100, confidence=1.0, seed=1)


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

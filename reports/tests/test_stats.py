"""Bootstrap intervals: they contain the point estimate, narrow with more samples, and the
combined statistics (ratio, difference, sum) are the right arithmetic of the medians."""

import pytest

from lapwise_reports import stats


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
    assert (e.lo, e.hi, e.n) == (7.0, 7.0, 1)


def test_interval_narrows_with_more_samples():
    few = [100.0 + (i % 7) * 3 for i in range(5)]
    many = [100.0 + (i % 7) * 3 for i in range(200)]
    w_few = stats.median_ci(few).hi - stats.median_ci(few).lo
    w_many = stats.median_ci(many).hi - stats.median_ci(many).lo
    assert w_many < w_few


def test_seeded_so_reports_rebuild_identically():
    s = [3.0, 9.0, 4.0, 7.0, 5.0, 6.0]
    assert stats.median_ci(s) == stats.median_ci(s)


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


def test_sum_of_medians():
    e = stats.sum_ci([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0], [5.0]])
    assert e.value == pytest.approx(2.0 + 20.0 + 5.0)
    assert e.lo <= e.value <= e.hi


@pytest.mark.parametrize("bad", [[], [float("nan")], [1.0, float("inf")]])
def test_bad_samples_are_rejected(bad):
    with pytest.raises(ValueError):
        stats.median_ci(bad)


def test_bad_level_is_rejected():
    with pytest.raises(ValueError):
        stats.median_ci([1.0, 2.0], level=1.5)

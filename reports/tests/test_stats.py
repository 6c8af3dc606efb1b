"""The report's statistics are the package's shared bootstrap (suites.results.stats, tested in
adapters/tests/test_results_stats.py), under the names the builder's modules use."""

import suites.results.stats as shared
from reports import stats


def test_report_uses_the_shared_bootstrap():
    for name in ("Estimate", "bootstrap", "median_ci", "ratio_ci", "difference_ci", "sum_ci"):
        assert getattr(stats, name) is getattr(shared, name), name


def test_report_intervals_rebuild_identically():
    s = [3.0, 9.0, 4.0, 7.0, 5.0, 6.0]
    e = stats.median_ci(s)
    assert e == stats.median_ci(s)
    assert e.lo <= e.value == 5.5 <= e.hi

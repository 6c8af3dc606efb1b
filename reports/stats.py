"""The report's intervals come from suites.results.stats, the bootstrap the gate and the suites
use too (one definition of "95% interval" across the project). These names stay importable
from here for the builder's modules (``from . import stats``; ``stats.median_ci(...)``)."""

from __future__ import annotations

from suites.results.stats import (DEFAULT_LEVEL, DEFAULT_RESAMPLES, DEFAULT_SEED,  # noqa: F401
                                  Estimate, bootstrap, difference_ci, median_ci, ratio_ci, sum_ci)

__all__ = ["DEFAULT_LEVEL", "DEFAULT_RESAMPLES", "DEFAULT_SEED", "Estimate", "bootstrap",
           "difference_ci", "median_ci", "ratio_ci", "sum_ci"]

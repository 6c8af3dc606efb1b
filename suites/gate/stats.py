"""The statistics of the same-run ratio gate: a balanced, randomized interleaving of A and B
runs, the per-round ratio, a bootstrap confidence interval of the median ratio (the package's
suites.results.stats, shared with the report and the suites), and the verdict that fails only
when the whole interval is past the threshold."""

from __future__ import annotations

import enum
import random
from collections.abc import Sequence
from dataclasses import dataclass

from suites.results.stats import median_ci


def schedule(rounds: int, seed: int) -> list[tuple[str, str]]:
    """The run order of ``rounds`` rounds, as ("A", "B") or ("B", "A") pairs.

    Rounds come in blocks of two, ABBA or BAAB, so every block runs A and B twice, once first
    and once second, and a drift inside a block (a neighbour's job starting) hits both alike.
    Half of the blocks are ABBA and half BAAB (the odd one out, if any, is drawn at random), in
    an order shuffled with ``seed``: balanced overall, with no fixed pattern for a periodic load
    to line up with.
    """
    if rounds < 2 or rounds % 2:
        raise ValueError(f"rounds must be an even number >= 2, got {rounds}")
    rng = random.Random(seed)
    blocks = rounds // 2
    kinds = ["ABBA"] * (blocks // 2) + ["BAAB"] * (blocks // 2)
    if blocks % 2:
        kinds.append(rng.choice(["ABBA", "BAAB"]))
    rng.shuffle(kinds)
    order: list[tuple[str, str]] = []
    for k in kinds:
        order += [(k[0], k[1]), (k[2], k[3])]
    return order


class Verdict(enum.Enum):
    PASS = "PASS"
    WARN = "WARN"        # inconclusive: the interval straddles the threshold (exit status 0)
    FAIL = "FAIL"
    MISSING = "MISSING"  # nothing to compare with: a baseline, a driver, an adapter
    ERROR = "ERROR"      # a measurement could not be taken (crash, wrong answer, no number)
    SKIP = "SKIP"        # cannot be measured here by design: the CPU (or valgrind's) lacks a level


def ratio_verdict(lo: float, hi: float, *, max_ratio: float | None = None,
                  min_ratio: float | None = None) -> Verdict:
    """PASS when the whole interval is on the good side of the threshold, FAIL when the whole
    interval is past it, WARN when it straddles. Exactly one of max_ratio/min_ratio is given."""
    if (max_ratio is None) == (min_ratio is None):
        raise ValueError("give exactly one of max_ratio, min_ratio")
    if max_ratio is not None:
        if lo > max_ratio:
            return Verdict.FAIL
        return Verdict.PASS if hi <= max_ratio else Verdict.WARN
    assert min_ratio is not None
    if hi < min_ratio:
        return Verdict.FAIL
    return Verdict.PASS if lo >= min_ratio else Verdict.WARN


@dataclass(frozen=True)
class RatioSummary:
    ratios: list[float]   # head/base, one per round, in run order
    median: float
    lo: float
    hi: float
    confidence: float


def summarize(base: Sequence[float], head: Sequence[float], *, resamples: int,
              confidence: float, seed: int) -> RatioSummary:
    """Per-round ratios head[i]/base[i] and the percentile-bootstrap interval of their median
    (``resamples`` resamples of the rounds, level ``confidence``, seeded with ``seed``: the same
    measurements always give the same interval). ValueError for fewer than two rounds,
    unpaired lists or a measurement <= 0."""
    if len(base) != len(head):
        raise ValueError("base and head need one measurement per round each")
    if any(b <= 0 for b in base) or any(h <= 0 for h in head):
        raise ValueError("measurements must be positive")
    if len(base) < 2:
        raise ValueError("need at least two rounds for an interval")
    ratios = [h / b for b, h in zip(base, head)]
    # The rounds are paired (A and B ran side by side), so the interval is the median of the
    # per-round ratios resampled by round, not a ratio of two independently resampled medians.
    est = median_ci(ratios, resamples=resamples, level=confidence, seed=seed)
    return RatioSummary(ratios, est.value, est.lo, est.hi, confidence)

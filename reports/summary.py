"""The report's first table: does moving each step into native code pay, and by how much?

Per lap scenario and step, native-py (the C++ cores through Python) against py-baseline (pure
Python) and against the peer stack; per micro or end-to-end scenario, the native adapter
against the best pure-Python baseline and the best other adapter. Each comparison is a ratio
"how many times better native is" (baseline / native for lower-is-better metrics, native /
baseline for higher-is-better ones, from the record's direction) with its 95% bootstrap
interval and a verdict:

    pays     the whole interval is above 1 + TOLERANCE
    worse    the whole interval is below 1 / (1 + TOLERANCE)
    no gain  otherwise (the interval reaches the band around 1)

A lap step whose native-py cell runs no native code (Python glue in every family, e.g. "build
response bytes" is bytes.join everywhere) is marked so and never credited, whatever its ratio.
"""

from __future__ import annotations

from collections import defaultdict

from suites.results import Record

from . import checks, laps, stats

TOLERANCE = 0.05
NO_NATIVE = "no native code in this step (not credited)"


def verdict(est: stats.Estimate | None) -> str:
    if est is None:
        return "n/a"
    band = f"{est.value:.2f}x [{est.lo:.2f}, {est.hi:.2f}]"
    if est.lo > 1 + TOLERANCE:
        return f"pays: {band}"
    if est.hi < 1 / (1 + TOLERANCE):
        return f"worse: {band}"
    return f"no gain: {band}"


def runs_native(impl: str) -> bool:
    """True when a lap cell's implementation is (or chains) a native core."""
    return "/native" in impl or impl == "all steps chained"


def _gain(native: laps.Cell, other: laps.Cell) -> stats.Estimate | None:
    if not (native.ok and other.ok):
        return None
    return stats.ratio_ci(other.samples, native.samples)


def lap_rows(t: laps.LapTable) -> list[list[str]]:
    out = []
    for s in (*laps.STEPS, "pipeline"):
        npy = t.pipeline["native-py"] if s == "pipeline" else t.cells[(s, "native-py")]
        base = t.pipeline["py-baseline"] if s == "pipeline" else t.cells[(s, "py-baseline")]
        peer = t.pipeline["peer"] if s == "pipeline" else t.cells[(s, "peer")]
        label = "**whole pipeline**" if s == "pipeline" else laps.STEP_LABELS[s]
        if not npy.ok:
            out.append([label, "n/a", "n/a", "n/a"])
            continue
        cost = laps.fmt_est(npy)
        if s != "pipeline" and not runs_native(npy.impl):
            out.append([label, f"{cost} ({npy.impl or 'python'})", NO_NATIVE, NO_NATIVE])
            continue
        out.append([label, cost, verdict(_gain(npy, base)), verdict(_gain(npy, peer))])
    return out


def _is_native(impl: str) -> bool:
    return impl == "native" or impl.startswith("native-")


def _is_baseline(impl: str) -> bool:
    return impl.startswith("py-") or impl in ("stdlib", "urllib")


def _better_ratio(native: Record, other: Record) -> stats.Estimate:
    if native.higher_is_better:
        return stats.ratio_ci(native.samples, other.samples)
    return stats.ratio_ci(other.samples, native.samples)


def _best(recs: list[Record]) -> Record | None:
    if not recs:
        return None
    return (max if recs[0].higher_is_better else min)(recs, key=lambda r: r.median)


# The figure each scenario kind is summarised by (one row per scenario and parameter).
HEADLINE_METRICS = ("cpu_time_per_op", "time_per_op", "cpu_per_request", "throughput")


def scenario_rows(records: list[Record]) -> list[list[str]]:
    """One row per (scenario, param, metric) that has a native adapter (impl "native") and at
    least one other adapter: native against the best pure-Python baseline and the best other.
    A load-generator-bound record is a lower bound, not a measurement of its server, so it
    takes part in no verdict (reports/checks.py lists it as a warning)."""
    groups: dict[tuple[str, str, str], list[Record]] = defaultdict(list)
    for r in records:
        if (r.metric in HEADLINE_METRICS and not r.adapter.startswith("laps/") and r.samples
                and not checks.is_loadgen_bound(r)):
            groups[(r.scenario, r.param or "", r.metric)].append(r)
    out = []
    for (scenario, param, metric), rs in sorted(groups.items()):
        native = next((r for r in rs if r.impl == "native"), None)
        if native is None or native.median <= 0:
            continue
        others = [r for r in rs if not _is_native(r.impl) and r.median > 0]
        base = _best([r for r in others if _is_baseline(r.impl)])
        peer = _best([r for r in others if not _is_baseline(r.impl)])
        if base is None and peer is None:
            continue
        name = scenario + (f"[{param}]" if param else "")
        out.append([name, metric, native.adapter,
                    f"{verdict(_better_ratio(native, base))} ({base.impl})" if base else "n/a",
                    f"{verdict(_better_ratio(native, peer))} ({peer.impl})" if peer else "n/a"])
    return out

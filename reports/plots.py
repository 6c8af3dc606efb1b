"""Plots, each written as PNG and SVG (matplotlib's Figure API: no pyplot, so no global backend
or figure registry): the lap table as stacked bars, one
cost-growth curve per scenario with a numeric parameter, and end-to-end throughput/latency."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from matplotlib import colormaps
from matplotlib.figure import Figure

from suites.results import Record

from . import laps, stats

_TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def _save(fig: Figure, out: Path, stem: str) -> str:
    out.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(out / f"{stem}.png", dpi=110)
    fig.savefig(out / f"{stem}.svg")
    return f"{stem}.svg"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")


def lap_bars(t: laps.LapTable, out: Path) -> str | None:
    """Stacked bars: one per family, one segment per step (µs)."""
    fams = [f for f in t.families if any(t.cells[(s, f)].ok for s in laps.STEPS)]
    if not fams:
        return None
    fig = Figure(figsize=(8, 4.5))
    ax = fig.subplots()
    bottom = [0.0] * len(fams)
    cmap = colormaps["tab10"]
    for i, s in enumerate(laps.STEPS):
        vals = [t.cells[(s, f)].est.value / 1e3 if t.cells[(s, f)].ok else 0.0 for f in fams]
        ax.bar(fams, vals, bottom=bottom, label=laps.STEP_LABELS[s], color=cmap(i))
        bottom = [b + v for b, v in zip(bottom, vals)]
    for i, f in enumerate(fams):
        if t.pipeline[f].ok:
            ax.plot([i - 0.4, i + 0.4], [t.pipeline[f].est.value / 1e3] * 2, color="black", lw=2)
    ax.set_ylabel("CPU µs per request (black line: whole pipeline)")
    ax.set_title(f"Lap table, scenario {t.scenario}: per-step CPU time")
    positive = [b for b in bottom if b > 0]
    if positive and max(positive) > 50 * min(positive):
        ax.set_yscale("log")
    ax.legend(fontsize=7, loc="upper left")
    return _save(fig, out, f"laps_{_slug(t.scenario)}")


def growth_groups(records: list[Record]) -> dict[tuple[str, str], list[Record]]:
    """(scenario, metric) -> records whose params are numbers, with >= 3 distinct points."""
    groups: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for r in records:
        if r.param is None or r.metric == "missing" or r.adapter.startswith("laps/"):
            continue
        try:
            float(r.param)
        except ValueError:
            continue
        groups[(r.scenario, r.metric)].append(r)
    return {k: v for k, v in sorted(groups.items()) if len({r.param for r in v}) >= 3}


def growth_curve(key: tuple[str, str], recs: list[Record], out: Path) -> str:
    scenario, metric = key
    fig = Figure(figsize=(7, 4.2))
    ax = fig.subplots()
    by_adapter: dict[str, list[Record]] = defaultdict(list)
    for r in recs:
        by_adapter[r.adapter].append(r)
    unit = recs[0].unit
    for adapter, rs in sorted(by_adapter.items()):
        rs.sort(key=lambda r: float(r.param))  # type: ignore[arg-type]
        xs = [float(r.param) for r in rs]  # type: ignore[arg-type]
        ests = [stats.median_ci(r.samples) for r in rs]
        ys = [e.value for e in ests]
        err = [[e.value - e.lo for e in ests], [e.hi - e.value for e in ests]]
        ax.errorbar(xs, ys, yerr=err, marker="o", ms=3, capsize=2, label=adapter)
    ax.set_xscale("log")
    if max(r.median for r in recs) > 30 * max(min(r.median for r in recs), 1e-12):
        ax.set_yscale("log")
    ax.set_xlabel(f"{scenario} parameter")
    ax.set_ylabel(f"{metric} ({unit})")
    ax.set_title(f"Cost growth: {scenario}")
    ax.legend(fontsize=7)
    return _save(fig, out, f"growth_{_slug(scenario)}_{_slug(metric)}")


def e2e_records(records: list[Record]) -> list[Record]:
    return [r for r in records if r.metric != "missing" and (
        r.scenario.startswith(("e2e.", "server.")) or r.source in ("wrk", "hyperfine"))]


def e2e_throughput(records: list[Record], out: Path) -> str | None:
    recs = [r for r in e2e_records(records) if r.unit in ("req/s", "ops/s")]
    if not recs:
        return None
    labels = [f"{r.adapter} {r.scenario}{'[' + r.param + ']' if r.param else ''}" for r in recs]
    ests = [stats.median_ci(r.samples) for r in recs]
    fig = Figure(figsize=(8, 0.35 * len(recs) + 1.5))
    ax = fig.subplots()
    ax.barh(labels, [e.value for e in ests],
            xerr=[[e.value - e.lo for e in ests], [e.hi - e.value for e in ests]], capsize=2)
    ax.set_xlabel(recs[0].unit)
    ax.set_title("End-to-end throughput")
    return _save(fig, out, "e2e_throughput")


_PCT = re.compile(r"latency_p(\d+(?:\.\d+)?)$")


def e2e_latency(records: list[Record], out: Path) -> str | None:
    """Latency percentiles per server/scenario: one line each over p50..p99.9."""
    lines: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for r in e2e_records(records):
        m = _PCT.match(r.metric)
        if m and r.unit in _TO_NS:
            label = f"{r.adapter} {r.scenario}{'[' + r.param + ']' if r.param else ''}"
            lines[label].append((float(m[1]), r.median * _TO_NS[r.unit] / 1e3))
    if not lines:
        return None
    fig = Figure(figsize=(7, 4.2))
    ax = fig.subplots()
    for label, pts in sorted(lines.items()):
        pts.sort()
        ax.plot([str(p) for p, _ in pts], [v for _, v in pts], marker="o", label=label)
    ax.set_yscale("log")
    ax.set_xlabel("percentile")
    ax.set_ylabel("latency (µs)")
    ax.set_title("End-to-end latency percentiles")
    ax.legend(fontsize=6)
    return _save(fig, out, "e2e_latency")

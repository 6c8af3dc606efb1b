"""Plots, each written as PNG and SVG (matplotlib's Figure API: no pyplot, so no global backend
or figure registry). Rules every plot follows so a person can read it: small multiples (one
panel per scenario), at most MAX_SERIES series a panel (more adapters are split over more
panels), a log scale where the values span more than SPAN_LOG, latency percentiles on an
ordered axis (p50, p90, p99, p99.9), the legend outside the data, and a constrained layout
(which, unlike tight_layout, fits outside legends without a warning)."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from suites.results import Record

from . import laps, stats

_TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
MAX_SERIES = 8
SPAN_LOG = 30.0
NCOLS = 2


def _save(fig: Figure, out: Path, stem: str) -> str:
    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / f"{stem}.png", dpi=100)
    fig.savefig(out / f"{stem}.svg")
    return f"{stem}.svg"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_")


def _spans_decades(values: Sequence[float]) -> bool:
    pos = [v for v in values if v > 0]
    return bool(pos) and max(pos) > SPAN_LOG * min(pos)


def _chunks(items: list, n: int = MAX_SERIES) -> list[list]:
    """``items`` in order, split into as few panels of at most ``n`` as possible, balanced
    (9 -> 5 + 4, never 8 + 1)."""
    k = max(1, math.ceil(len(items) / n))
    size = math.ceil(len(items) / k) if items else 0
    return [items[i:i + size] for i in range(0, len(items), size)] if items else [[]]


def _colors(names: set[str]) -> dict[str, tuple]:
    """One colour per adapter across every panel of a figure."""
    cmap = colormaps["tab20" if len(names) > 10 else "tab10"]
    return {n: cmap(i % cmap.N) for i, n in enumerate(sorted(names))}


def _grid(n: int, panel_h: float = 3.2, width: float = 11.0) -> tuple[Figure, list[Axes]]:
    cols = min(NCOLS, n)
    rows = math.ceil(n / cols)
    fig = Figure(figsize=(width, panel_h * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel().tolist()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def _legend_outside(ax: Axes) -> None:
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)


def lap_bars(t: laps.LapTable, out: Path) -> str | None:
    """Stacked bars: one per family, one segment per step (µs)."""
    fams = [f for f in t.families if any(t.cells[(s, f)].ok for s in laps.STEPS)]
    if not fams:
        return None
    fig = Figure(figsize=(9, 4.5), layout="constrained")
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
    if _spans_decades(bottom):
        ax.set_yscale("log")
    _legend_outside(ax)
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
    """One panel per MAX_SERIES adapters, cost against the numeric parameter (log x)."""
    scenario, metric = key
    by_adapter: dict[str, list[Record]] = defaultdict(list)
    for r in recs:
        by_adapter[r.adapter].append(r)
    panels = _chunks(sorted(by_adapter))
    fig, axes = _grid(len(panels))
    log_y = _spans_decades([r.median for r in recs])
    colors = _colors(set(by_adapter))
    for ax, adapters in zip(axes, panels):
        for adapter in adapters:
            rs = sorted(by_adapter[adapter], key=lambda r: float(r.param))  # type: ignore[arg-type]
            ests = [stats.median_ci(r.samples) for r in rs]
            ax.errorbar([float(r.param) for r in rs], [e.value for e in ests],  # type: ignore[arg-type]
                        yerr=[[e.value - e.lo for e in ests], [e.hi - e.value for e in ests]],
                        marker="o", ms=3, capsize=2, label=adapter, color=colors[adapter])
        ax.set_xscale("log")
        if log_y:
            ax.set_yscale("log")
        ax.set_xlabel(f"{scenario} parameter")
        ax.set_ylabel(f"{metric} ({recs[0].unit})")
        _legend_outside(ax)
    fig.suptitle(f"Cost growth: {scenario}")
    return _save(fig, out, f"growth_{_slug(scenario)}_{_slug(metric)}")


def e2e_records(records: list[Record]) -> list[Record]:
    return [r for r in records if r.metric != "missing" and (
        r.scenario.startswith(("e2e.", "server.")) or r.source in ("wrk", "hyperfine"))]


def _panel_name(r: Record) -> str:
    return r.scenario + (f"[{r.param}]" if r.param else "")


def e2e_throughput(records: list[Record], out: Path) -> str | None:
    """One panel per scenario (and parameter): a bar per adapter, best first."""
    recs = [r for r in e2e_records(records) if r.metric == "throughput" and r.unit in ("req/s", "ops/s")]
    if not recs:
        return None
    by_panel: dict[str, dict[str, Record]] = defaultdict(dict)
    for r in recs:
        by_panel[_panel_name(r)].setdefault(r.adapter, r)
    panels = [(name, chunk) for name, rs in sorted(by_panel.items())
              for chunk in _chunks(sorted(rs.values(), key=lambda r: -r.median))]
    fig, axes = _grid(len(panels), panel_h=2.6)
    colors = _colors({r.impl for r in recs})
    for ax, (name, rs) in zip(axes, panels):
        ests = [stats.median_ci(r.samples) for r in rs]
        ax.barh([r.impl for r in rs], [e.value for e in ests],
                xerr=[[e.value - e.lo for e in ests], [e.hi - e.value for e in ests]], capsize=2,
                color=[colors[r.impl] for r in rs])
        ax.invert_yaxis()
        whole = [r.median for r in by_panel[name].values()]  # the scenario's scale, all panels
        if _spans_decades(whole):
            ax.set_xscale("log")
            ax.set_xlim(min(whole) / 2, max(whole) * 1.5)
        else:
            ax.set_xlim(0, max(whole) * 1.1)
        ax.set_title(name, fontsize=9)
        ax.set_xlabel(rs[0].unit)
        ax.tick_params(labelsize=7)
    fig.suptitle("End-to-end throughput (higher is better; 95% interval as error bar)")
    return _save(fig, out, "e2e_throughput")


_PCT = re.compile(r"latency_p(\d+(?:\.\d+)?)$")


def e2e_latency(records: list[Record], out: Path) -> str | None:
    """One panel per scenario (and parameter), one line per adapter over the percentiles in
    increasing order (p50, p90, p99, p99.9), evenly spaced, log scale."""
    pts: dict[str, dict[str, dict[float, float]]] = defaultdict(lambda: defaultdict(dict))
    for r in e2e_records(records):
        m = _PCT.match(r.metric)
        if m and r.unit in _TO_NS and r.median > 0:  # a log axis has no place for 0
            pts[_panel_name(r)][r.impl][float(m[1])] = r.median * _TO_NS[r.unit] / 1e3
    if not pts:
        return None
    panels = [(name, chunk) for name, lines in sorted(pts.items())
              for chunk in _chunks(sorted(lines.items(), key=lambda kv: max(kv[1].values())))]
    fig, axes = _grid(len(panels))
    colors = _colors({impl for lines in pts.values() for impl in lines})
    for ax, (name, lines) in zip(axes, panels):
        order = sorted({p for _, ps in lines for p in ps})
        for impl, ps in lines:
            xs = [order.index(p) for p in sorted(ps)]
            ax.plot(xs, [ps[p] for p in sorted(ps)], marker="o", ms=3, label=impl,
                    color=colors[impl])
        ax.set_xticks(range(len(order)), [f"p{p:g}" for p in order])
        ax.set_yscale("log")
        ax.set_ylabel("latency (µs)")
        ax.set_title(name, fontsize=9)
        _legend_outside(ax)
    fig.suptitle("End-to-end latency percentiles (lower is better)")
    return _save(fig, out, "e2e_latency")

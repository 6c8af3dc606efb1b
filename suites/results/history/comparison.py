"""One stored run against another: per figure (same id and metric in both), the ratio "how
many times worse head is than base" (head / base for lower-is-better figures, base / head for
higher-is-better ones) with its 95% bootstrap interval. A figure is flagged only when its whole
interval is past the threshold: "slower" above 1 + threshold, "faster" below 1 / (1 +
threshold); everything else is within noise.

``metrics`` narrows the figures to those metrics (fnmatch patterns): on a shared machine the
CPU-time figures (``cpu_time_per_op``) resist the other processes' load, wall-time figures do
not (between-run drift of 15-30% and more), so a wall-time flag there may be the machine.

Two runs from different CPU models are not comparable: compare() refuses them unless
``allow_other_machine`` is set, and then says so on every report. The report also gives each
run's load (suites/results/quiet.py) and warns when either ran on a shared machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatch

from .. import stats
from ..quiet import RunLoad
from ..schema import Record
from . import store

DEFAULT_THRESHOLD = 0.10


class OtherMachine(ValueError):
    """The two runs ran on different CPU models."""


@dataclass(frozen=True)
class Figure:
    id: str
    metric: str
    unit: str
    direction: str
    base: float
    head: float
    worse: stats.Estimate   # >1: head is worse
    flag: str               # "slower" | "faster" | ""


@dataclass(frozen=True)
class Comparison:
    head: store.Run
    base: store.Run
    threshold: float
    figures: list[Figure]
    machine_note: str       # empty on the same machine
    head_load: RunLoad | None = None
    base_load: RunLoad | None = None

    @property
    def flagged(self) -> list[Figure]:
        return [f for f in self.figures if f.flag]


def _figure(h: Record, b: Record, threshold: float) -> Figure | None:
    if h.median <= 0 or b.median <= 0:
        return None
    worse = (stats.ratio_ci(b.samples, h.samples) if h.higher_is_better
             else stats.ratio_ci(h.samples, b.samples))
    flag = ("slower" if worse.lo > 1 + threshold
            else "faster" if worse.hi < 1 / (1 + threshold) else "")
    return Figure(h.id, h.metric, h.unit, h.direction, b.median, h.median, worse, flag)


def compare(head_ref: str, base_ref: str, *, threshold: float = DEFAULT_THRESHOLD,
            db: str | None = None, allow_other_machine: bool = False,
            metrics: list[str] | None = None) -> Comparison:
    head, base = store.resolve(head_ref, db), store.resolve(base_ref, db)
    note = ""
    if (head.cpu_model or "?") != (base.cpu_model or "?"):
        note = (f"DIFFERENT MACHINES: head ran on {head.cpu_model!r}, base on "
                f"{base.cpu_model!r}; the ratios mix machine and code")
        if not allow_other_machine:
            raise OtherMachine(note + " (pass --other-machine to compare anyway)")
    base_recs = {(r.id, r.metric): r for r in store.records(base.id, db) if r.metric != "missing"}
    figures = []
    for h in store.records(head.id, db):
        b = base_recs.get((h.id, h.metric))
        if metrics and not any(fnmatch(h.metric, m) for m in metrics):
            continue
        if b is not None and h.metric != "missing":
            f = _figure(h, b, threshold)
            if f is not None:
                figures.append(f)
    figures.sort(key=lambda f: (f.flag == "", -f.worse.value))
    return Comparison(head, base, threshold, figures, note, store.load_of(head.id, db),
                      store.load_of(base.id, db))


def render(c: Comparison, *, all_figures: bool = False) -> str:
    """Plain text: the two runs, the machine note, then the flagged figures (or every figure)."""
    def run_line(tag: str, r: store.Run) -> str:
        return (f"{tag}: run {r.id}, commit {(r.commit or '?')[:12]}{' (dirty)' if r.dirty else ''}"
                f", {r.created}, {r.cpu_model}, options: {r.options or '-'}")

    out = [run_line("head", c.head), run_line("base", c.base)]
    if c.machine_note:
        out.append("WARNING: " + c.machine_note)
    if c.head_load is not None and c.base_load is not None:
        out.append(f"load: head {c.head_load.short()}; base {c.base_load.short()}")
        shared = [tag for tag, r in (("head", c.head_load), ("base", c.base_load)) if r.quiet is False]
        if shared:
            out.append(f"WARNING: {' and '.join(shared)} ran on a shared machine: a wall-time or "
                       "throughput flag may be the machine (the CPU-time figures alone: "
                       "--metric 'cpu_time*', in ci/bench --compare-metric)")
    out.append(f"{len(c.figures)} figure(s) in both runs; flagged when the whole 95% interval of "
               f"head/base is past {c.threshold:.0%}: {len(c.flagged)}")
    shown = c.figures if all_figures else c.flagged
    if shown:
        w = max(len(f"{f.id} {f.metric}") for f in shown)
        out.append(f"{'figure':<{w}}  {'base':>12}  {'head':>12}  head worse by [95% CI]      flag")
        for f in shown:
            e = f.worse
            out.append(f"{f.id + ' ' + f.metric:<{w}}  {f.base:>12.4g}  {f.head:>12.4g}  "
                       f"{e.value:6.3f}x [{e.lo:.3f}, {e.hi:.3f}] {f.unit:<6} {f.flag or '-'}")
    return "\n".join(out)

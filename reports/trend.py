"""The trend page: every figure of the history store over its runs (commits in run order), the
median as a line and its 95% bootstrap interval as the noise band, small multiples (one panel
per scenario and metric, at most plots.MAX_SERIES adapters a panel; each adapter drawn relative
to its first run, so a 5% step reads the same at 20 ns and at 20 ms), and a sortable table of
each figure's first, previous and latest value.

    python -m reports.trend [--db build/history.sqlite] [--out build/trend] [--machine CPU]

Only runs on one CPU model are drawn together (the newest run's, unless --machine names
another): figures from two machines are never mixed on one axis.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

from matplotlib.figure import Figure

from suites.results import Record, history

from . import plots, stats
from .render import Block, html_page

TITLE = "lapwise trend"


def _series(runs: list[history.Run], db: str | None
            ) -> dict[tuple[str, str], dict[str, dict[int, Record]]]:
    """(scenario[param], metric) -> adapter -> run index -> record."""
    out: dict[tuple[str, str], dict[str, dict[int, Record]]] = defaultdict(lambda: defaultdict(dict))
    for i, run in enumerate(runs):
        for r in history.records(run.id, db):
            if r.metric != "missing" and r.samples:
                name = r.scenario + (f"[{r.param}]" if r.param else "")
                out[(name, r.metric)][r.adapter].setdefault(i, r)
    return out


def _panel(key: tuple[str, str], lines: dict[str, dict[int, Record]], labels: list[str],
           out: Path) -> str:
    name, metric = key
    chunks = plots._chunks(sorted(lines))
    fig = Figure(figsize=(11, 3.0 * len(chunks) + 0.5), layout="constrained")
    axes = fig.subplots(len(chunks), 1, squeeze=False).ravel()
    colors = plots._colors(set(lines))
    unit = next(iter(next(iter(lines.values())).values())).unit
    for ax, adapters in zip(axes, chunks):
        for adapter in adapters:
            pts = sorted(lines[adapter].items())
            first = pts[0][1].median or 1.0
            ests = [stats.median_ci(r.samples) for _, r in pts]
            xs = [i for i, _ in pts]
            ax.plot(xs, [e.value / first for e in ests], marker="o", ms=3,
                    label=f"{adapter} ({first:.4g} {unit})", color=colors[adapter])
            ax.fill_between(xs, [e.lo / first for e in ests], [e.hi / first for e in ests],
                            alpha=0.2, color=colors[adapter], linewidth=0)
        ax.axhline(1.0, color="grey", lw=0.8, ls=":")
        ax.set_xticks(range(len(labels)), labels, rotation=30, fontsize=7, ha="right")
        ax.set_xlim(-0.5, len(labels) - 0.5)
        ax.set_ylabel("× its first run")
        plots._legend_outside(ax)
    better = "higher" if next(iter(next(iter(lines.values())).values())).higher_is_better \
        else "lower"
    fig.suptitle(f"{name}: {metric}, {better} is better\n× each adapter's first run (its "
                 "value in the legend); band: each run's 95% interval", fontsize=9)
    return plots._save(fig, out, f"trend_{plots._slug(name)}_{plots._slug(metric)}")


def _fmt(r: Record | None) -> str:
    return "—" if r is None else f"{r.median:.4g} {r.unit}"


def build(db: str | None, out: Path, machine: str | None = None) -> Path:
    """Writes ``out``/trend.html and its plots; returns the page. ValueError on an empty store."""
    all_runs = history.runs(db)
    if not all_runs:
        raise ValueError(f"{history.path_of(db)}: no stored runs")
    cpu = machine or all_runs[-1].cpu_model
    runs = [r for r in all_runs if r.cpu_model == cpu]
    labels = [f"{(r.commit or '?')[:8]}{'+' if r.dirty else ''} #{r.id}" for r in runs]
    series = _series(runs, db)
    plot_dir = out / "plots"
    blocks: list[Block] = [
        ("h", 1, TITLE),
        ("p", f"{len(runs)} run(s) on `{cpu}` from {history.path_of(db)} "
              f"({len({r.commit for r in runs})} commit(s); "
              f"{len(all_runs) - len(runs)} run(s) on other machines left out). Each line is a "
              "figure's median per run, its band the run's 95% bootstrap interval: a step "
              "outside the band is a change, a step inside it is noise."),
        ("table", ["run", "commit", "created", "machine load", "options", "records"],
         [[str(r.id), (r.commit or "?")[:12] + (" (dirty)" if r.dirty else ""), r.created,
           history.load_of(r.id, db).short(), r.options or "—", str(r.records)] for r in runs]),
    ]
    rows = []
    for (name, metric), lines in sorted(series.items()):
        for adapter, pts in sorted(lines.items()):
            idx = sorted(pts)
            first, last = pts[idx[0]], pts[idx[-1]]
            prev = pts[idx[-2]] if len(idx) > 1 else None
            change = "—"
            if prev is not None and prev.median > 0:
                worse = (stats.ratio_ci(prev.samples, last.samples) if last.higher_is_better
                         else stats.ratio_ci(last.samples, prev.samples))
                change = f"{worse.value:.3f}x [{worse.lo:.3f}, {worse.hi:.3f}]"
            rows.append([name, metric, adapter, str(len(idx)), _fmt(first), _fmt(prev),
                         _fmt(last), change])
    blocks += [("h", 2, "Figures"),
               ("p", "latest vs previous: how many times worse the latest run is (direction-"
                     "aware; below 1 is better), with its 95% interval."),
               ("table", ["scenario", "metric", "adapter", "runs", "first", "previous", "latest",
                          "latest vs previous"], rows),
               ("h", 2, "Plots")]
    for key, lines in sorted(series.items()):
        if any(len(p) > 1 for p in lines.values()):
            blocks.append(("img", f"plots/{_panel(key, lines, labels, plot_dir)}",
                           f"{key[0]} {key[1]}"))
    out.mkdir(parents=True, exist_ok=True)
    page = out / "trend.html"
    page.write_text(html_page(TITLE, blocks))
    return page


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reports.trend", description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", default=None, help="history database (default $LAPWISE_HISTORY, "
                                               "else build/history.sqlite)")
    ap.add_argument("--out", default="build/trend", help="where to write trend.html")
    ap.add_argument("--machine", default=None, help="CPU model to draw (default the newest run's)")
    a = ap.parse_args(argv)
    try:
        page = build(a.db, Path(a.out), a.machine)
    except ValueError as exc:
        print(f"trend: {exc}", file=sys.stderr)
        return 2
    print(f"trend: wrote {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

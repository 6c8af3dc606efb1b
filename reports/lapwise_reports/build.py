"""Builds the report from a results directory: report.md, report.html, laps.md (the lap
table alone, for the README) and plots/ (PNG + SVG).

    python -m lapwise_reports [--results build/results] [--out build/report]

Reads only result JSON. A bad or missing input is one line naming the file and the problem,
exit status 2.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from collections import defaultdict
from pathlib import Path

from lapwise.results import Record, ResultFile, SchemaError

from . import laps, plots, stats
from .load import all_records, load_dir
from .render import Block, html_page, markdown

TITLE = "lapwise report"


def _fmt_value(est: stats.Estimate, unit: str) -> str:
    if unit == "ns":
        return f"{laps.fmt_ns(est.value)} [{laps.fmt_ns(est.lo)}, {laps.fmt_ns(est.hi)}]"
    return f"{est.value:.4g} [{est.lo:.4g}, {est.hi:.4g}] {unit}"


def lap_section(records: list[Record], scenario: str, plot_dir: Path, level: int = 2
                ) -> list[Block]:
    t = laps.build(records, scenario)
    desc = {"api": "one GitHub API request (picohttpparser's benchmark request with the "
                   "GithubParam path and fast-querystring's query) through the 203-route GitHub "
                   "table, a handler returning a small dict serialized as JSON",
            "users": "the end-to-end app's `GET /users/42?q=hello` through its 4 routes; this "
                     "scenario is the one reconciled with the end-to-end server CPU per request"}
    blocks: list[Block] = [
        ("h", level, f"Lap table — scenario `{scenario}`"),
        ("p", f"{desc.get(scenario, scenario)}. CPU time per call (thread CPU clock), median over "
              "repetitions in separate processes, with a bootstrap 95% interval in brackets. "
              "Families: **native** = the C++ cores called from C++; **native-py** = the same "
              "cores through the Python adapters; **py-baseline** = pure Python; **peer** = "
              "what uvicorn + Starlette do for the step. Boundary = native-py − native (the "
              "cost of crossing into Python); speedup = peer / native-py."),
    ]
    header, rows, notes = laps.rows(t)
    blocks.append(("table", header, rows))
    if notes:
        blocks.append(("p", "n/a: " + "; ".join(f"({i}) {n}" for i, n in enumerate(notes, 1))))
    if not t.reconciliation:
        blocks.append(("p", "No end-to-end run for this scenario in these results, so no "
                            "\"other / unattributed\" row: the reconciliation appears when the "
                            f"end-to-end suite records `{laps.E2E_METRIC}` for "
                            + ", ".join(f"`{s}`" for s in sorted(set(laps.E2E_SERVER.values())))
                            + f" on a scenario named after `{scenario}`."))
    sh_header, sh_rows = laps.share_rows(t)
    blocks.append(("p", "Each step's share:"))
    blocks.append(("table", sh_header, sh_rows))
    impls = [[laps.STEP_LABELS[s], *(t.cells[(s, f)].impl or "—" for f in t.families)]
             for s in laps.STEPS]
    blocks.append(("p", "What runs in each cell:"))
    blocks.append(("table", ["step", *t.families], impls))
    img = plots.lap_bars(t, plot_dir)
    if img:
        blocks.append(("img", f"plots/{img}", f"lap table {scenario}"))
    return blocks


def growth_section(records: list[Record], plot_dir: Path) -> list[Block]:
    blocks: list[Block] = [("h", 2, "Cost growth")]
    groups = plots.growth_groups(records)
    if not groups:
        return blocks + [("p", "No results with a numeric parameter over three or more points yet "
                               "(router table size, header count, body size, client concurrency).")]
    for key, recs in groups.items():
        blocks.append(("img", f"plots/{plots.growth_curve(key, recs, plot_dir)}",
                       f"{key[0]} {key[1]}"))
    return blocks


def e2e_section(records: list[Record], plot_dir: Path) -> list[Block]:
    blocks: list[Block] = [("h", 2, "End-to-end")]
    recs = plots.e2e_records(records)
    if not recs:
        return blocks + [("p", "No end-to-end results in this run.")]
    rows = [[r.adapter, r.scenario + (f"[{r.param}]" if r.param else ""), r.metric,
             _fmt_value(stats.median_ci(r.samples), r.unit), str(len(r.samples)), r.source]
            for r in sorted(recs, key=lambda r: (r.scenario, r.param or "", r.metric, r.adapter))]
    blocks.append(("table", ["adapter", "scenario", "metric", "median [95% CI]", "n", "source"], rows))
    for img in (plots.e2e_throughput(records, plot_dir), plots.e2e_latency(records, plot_dir)):
        if img:
            blocks.append(("img", f"plots/{img}", img))
    return blocks


def micro_section(records: list[Record]) -> list[Block]:
    blocks: list[Block] = [("h", 2, "Micro benchmarks")]
    recs = [r for r in records if not r.adapter.startswith("laps/") and r.metric != "missing"
            and r not in plots.e2e_records(records)]
    if not recs:
        return blocks + [("p", "No micro benchmark results in this run.")]
    groups: dict[tuple[str, str | None, str], list[Record]] = defaultdict(list)
    for r in recs:
        groups[(r.scenario, r.param, r.metric)].append(r)
    rows = []
    for (scenario, param, metric), rs in sorted(groups.items(), key=lambda kv: (
            kv[0][0], kv[0][2], _param_key(kv[0][1]))):
        best = min(r.median for r in rs)
        for r in sorted(rs, key=lambda r: r.median):
            rel = f"{r.median / best:.2f}x" if best > 0 else "—"
            rows.append([scenario + (f"[{param}]" if param else ""), r.adapter, metric,
                         _fmt_value(stats.median_ci(r.samples), r.unit), rel, r.source])
    blocks.append(("p", "Median with bootstrap 95% interval over repetitions; `vs best` is "
                        "relative to the fastest adapter of the same scenario and metric."))
    blocks.append(("table", ["scenario", "adapter", "metric", "median [95% CI]", "vs best",
                             "source"], rows))
    return blocks


def _param_key(p: str | None) -> tuple:
    try:
        return (0, float(p), "") if p is not None else (-1, 0.0, "")
    except ValueError:
        return (1, 0.0, p)


def machine_section(files: list[tuple[Path, ResultFile]]) -> list[Block]:
    blocks: list[Block] = [("h", 2, "Machine and commands")]
    rows = []
    for path, f in files:
        m = f.machine
        nb = m.get("native_build") or {}
        build = ", ".join(f"{k}={v}" for k, v in sorted(nb.items())) if isinstance(nb, dict) else str(nb)
        rows.append([path.name, f.suite, f.created, f"{m.get('cpu_model', '?')} ({m.get('cores', '?')} cores, "
                     f"governor {m.get('governor', '?')})", f"Python {m.get('python', '?')}; {build or 'no native build'}",
                     f"{str(m.get('commit') or '?')[:12]}{' (dirty)' if m.get('dirty') else ''}",
                     "; ".join(f"`{c}`" for c in f.commands) or "—"])
    blocks.append(("table", ["file", "suite", "created", "machine", "software", "commit", "commands"], rows))
    return blocks


def build(results: Path, out: Path) -> dict[str, Path]:
    """Writes the report files into ``out``; returns them by name. Raises SchemaError."""
    files = load_dir(results)
    records = all_records(files)
    plot_dir = out / "plots"
    out.mkdir(parents=True, exist_ok=True)
    now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    head: list[Block] = [
        ("h", 1, TITLE),
        ("p", f"Built {now} from {len(files)} result file(s), {len(records)} record(s). The "
              "machine was shared with other work; compare ratios measured in the same run, "
              "not absolute times across runs."),
    ]
    lap_blocks: list[Block] = []
    for scenario in laps.scenarios(records):
        lap_blocks += lap_section(records, scenario, plot_dir)
    if not lap_blocks:
        lap_blocks = [("h", 2, "Lap table"), ("p", "No lap results (suite `laps`) in this run.")]
    blocks = (head + lap_blocks + growth_section(records, plot_dir) + e2e_section(records, plot_dir)
              + micro_section(records) + machine_section(files))
    written = {"report.md": out / "report.md", "report.html": out / "report.html",
               "laps.md": out / "laps.md"}
    written["report.md"].write_text(markdown(blocks))
    written["report.html"].write_text(html_page(TITLE, blocks))
    # laps.md: the first lap table alone (for the README), with plot links made relative to it.
    first = [b for b in lap_blocks if b[0] != "img"]
    cut = next((i for i, b in enumerate(first[1:], 1) if b[0] == "h"), len(first))
    written["laps.md"].write_text(markdown(first[:cut]))
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m lapwise_reports", description=__doc__.split("\n\n")[0])
    ap.add_argument("--results", default="build/results", help="directory of schema v1 result files")
    ap.add_argument("--out", default="build/report", help="where to write the report")
    a = ap.parse_args(argv)
    try:
        written = build(Path(a.results), Path(a.out))
    except SchemaError as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 2
    print(f"report: wrote {', '.join(str(p) for p in written.values())}")
    return 0

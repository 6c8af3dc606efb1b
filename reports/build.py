"""Builds the report from a results directory: report.md, report.html, laps.md (the lap
table alone, for the README) and plots/ (PNG + SVG).

    python -m reports [--results build/results] [--out build/report]

Reads only result JSON. Exit status: 0 built and every check passed; 2 a bad or missing input
(one line naming the file and the problem); 3 built, but a check failed (reports/checks.py:
reconciliation, saturation, skipped), listed in the report's "Checks" block and on stderr.
Warnings (a load-generator-bound point) are listed there too but leave the status 0.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import sys
from collections import defaultdict
from pathlib import Path

from suites.results import Record, ResultFile, SchemaError

from . import (checks, hosted_table, laps, machine_load, pipeline_table, plots, stats,
               stream_tables, summary)
from .load import all_records, load_dir
from .render import Block, html_page, markdown

TITLE = "lapwise report"


def _fmt_value(est: stats.Estimate, unit: str) -> str:
    if unit == "ns":
        return f"{laps.fmt_ns(est.value)} [{laps.fmt_ns(est.lo)}, {laps.fmt_ns(est.hi)}]"
    return f"{est.value:.4g} [{est.lo:.4g}, {est.hi:.4g}] {unit}"


RECONCILIATION_TEXT = (
    "Reconciliation with the end-to-end run (server CPU per request, closed loop, 64 "
    "connections, no pipelining; the lap request is byte for byte what lapwise-load sends, "
    "`GET /users/42?q=abc` with only its Host header). The server standing for each family "
    "runs that family's steps: `server/py-asyncio` exactly the py-baseline steps "
    "(parser/py-baseline, router/py-trie, query/urllib, json/stdlib) on asyncio, "
    "`server/py-asyncio-native` the same server with the native-py steps (the C++ cores "
    "through their Python adapters), `server/uvicorn` the peer stack. "
    "(`server/native-py`, lapwise.App, runs the whole request path in C++ and only the "
    "handler in Python, so it stands for no lap family.) Besides the tight loop of the table "
    "above, the laps time each family's `/users` and `/plaintext` pipelines **in context**: "
    "served by a loopback asyncio server (uvloop for the peer, as uvicorn) under lapwise-load, "
    "pinned like the end-to-end run, each request's pipeline and its response's "
    "`transport.write` timed on the thread CPU clock (one clock read's cost subtracted); "
    "**served** = pipeline + write in context. **other / unattributed** (event loop, socket "
    "reads, scheduling) is measured independently of `/users`: the same server's CPU per "
    "request on `/plaintext` minus `/plaintext` served in context. The check is then a "
    "prediction: served(`/users`) + other against the measured `/users` cost, within "
    f"{laps.TOLERANCE:.0%}; the residual row is what it misses, and the last row is the error "
    "of the same prediction made from the tight-loop pipelines. Why the context: in a server "
    "the kernel's socket work and the event loop run between two requests and leave the "
    "caches and branch predictors cold for the next request's Python code, and a route with "
    "more Python code pays more. Timing the py-asyncio server's own steps under lapwise-load "
    "(suites/laps/insitu.py, py-baseline, medians of 3-5 runs, one clock read subtracted) "
    "showed it: parsing the `/users` request took 8.1 µs against 6.0 µs for the `/plaintext` "
    "one, though both parse in 4.7 µs in the tight loop; the rest of `/users` (the server's "
    "`handle`) took 9.3 µs against 6.2 µs in the tight loop; the send after `/users` cost "
    "about 1 µs more than after `/plaintext`; no garbage collection ran. So the tight-loop "
    "pipelines under-predicted py-baseline's `/users` by about 5 µs (18.8% in the published "
    "quiet run) while the families with less Python per request passed. The server does "
    "nothing the laps leave out: its parse + handle costs what the lap pipeline costs on the "
    "same bytes in the tight loop (12.9 µs both). (The former lap request also carried a "
    "User-Agent header, 1.4 µs of py-baseline parsing the server never did; it cancelled in "
    "the prediction because the `/plaintext` lap request carried it too.) Read the check on "
    "a quiet machine: under other load the end-to-end CPU per request itself moves by 15% and "
    "more between runs (once py-asyncio's `/users` fell from about 31 to 24 µs while its "
    "throughput halved, most likely because a starved server finds more requests ready per "
    "event-loop pass), which no prediction from another route can follow. **step "
    "interaction** (whole pipeline − sum of isolated steps, both tight loop) is a diagnostic, "
    "not part of the check. It is not a GC or timer artifact: the laps run with the collector "
    "enabled everywhere, each batch lasts ≥ 2 ms of CPU or 512 calls so the ~0.3 µs clock "
    "read vanishes, and every input is built outside the timed region. Running the same "
    "fresh requests stage by stage (every request through parse, then every request through "
    "the next step) costs about the sum of the isolated steps, request by request about the "
    "whole pipeline: the gap comes from interleaving eight steps' code and objects per "
    "request (instruction cache, branch predictors, CPython's inline caches, allocator "
    "locality), the same kind of cost the context adds, and it grows with the Python code "
    "per request (peer > py-baseline > native-py, ≈ 0 for native).")


def lap_section(records: list[Record], scenario: str, plot_dir: Path, level: int = 2
                ) -> list[Block]:
    t = laps.build(records, scenario)
    desc = {"api": "one GitHub API request (picohttpparser's benchmark request with the "
                   "GithubParam path and fast-querystring's query) through the 203-route GitHub "
                   "table, a handler returning a small dict serialized as JSON",
            "users": "the end-to-end app's `GET /users/42?q=abc` (lapwise-load's exact bytes) "
                     "through its 4 routes; this "
                     "scenario is the one reconciled with the end-to-end server CPU per request"}
    blocks: list[Block] = [
        ("h", level, f"Lap table — scenario `{scenario}`"),
        ("p", f"{desc.get(scenario, scenario)}. CPU time per call (thread CPU clock), median over "
              "repetitions in separate processes, with a bootstrap 95% interval in brackets. "
              "Families: **native** = the C++ cores called from C++; **native-py** = the same "
              "cores through the Python adapters; **py-baseline** = pure Python; **peer** = "
              "what uvicorn + Starlette do for the step. Boundary = native-py − native (the "
              "cost of crossing into Python); speedup = peer / native-py, given only where "
              "native-py runs native code."),
    ]
    header, rows, notes = laps.rows(t)
    blocks.append(("table", header, rows))
    if notes:
        blocks.append(("p", "n/a: " + "; ".join(f"({i}) {n}" for i, n in enumerate(notes, 1))))
    c_header, c_rows = laps.contract_rows(records, scenario)
    if c_rows:
        blocks.append(("p", "Every cell of a row does the same work, its step's contract; a "
                            "family whose boundary differs is named beside it:"))
        blocks.append(("table", c_header, c_rows))
    if t.reconciliation:
        blocks.append(("p", RECONCILIATION_TEXT))
    else:
        blocks.append(("p", "No end-to-end run for this scenario in these results, so no "
                            "\"other / unattributed\" row: the reconciliation appears when the "
                            f"end-to-end suite records `{laps.E2E_METRIC}` for "
                            + ", ".join(f"`{s}`" for s in sorted(set(laps.E2E_SERVER.values())))
                            + f" on `closed_{scenario}` and `closed_plaintext` "
                              "and the laps time the plaintext pipeline."))
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


# The pivot's columns: (label, scenario, param, metric, format).
PIVOT = (("plaintext c64 req/s", "server.closed_plaintext", "c64-p1", "throughput", "{:,.0f}"),
         ("plaintext c64 µs CPU/req", "server.closed_plaintext", "c64-p1", "cpu_per_request", "{:.2f}"),
         ("plaintext c64 ×16 pipelined req/s", "server.closed_plaintext", "c64-p16", "throughput", "{:,.0f}"),
         ("plaintext c64 ×16 pipelined µs CPU/req", "server.closed_plaintext", "c64-p16", "cpu_per_request", "{:.2f}"),
         ("json c64 req/s", "server.closed_json", "c64-p1", "throughput", "{:,.0f}"),
         ("json c64 µs CPU/req", "server.closed_json", "c64-p1", "cpu_per_request", "{:.2f}"),
         ("users c64 req/s", "server.closed_users", "c64-p1", "throughput", "{:,.0f}"),
         ("users c64 µs CPU/req", "server.closed_users", "c64-p1", "cpu_per_request", "{:.2f}"),
         ("open loop 80% p99 µs", "server.open_plaintext", "80pct", "latency_p99", "{:,.0f}"),
         ("cold start ms", "server.cold_start", None, "wall_time", "{:.1f}"))
_PIVOT_UNIT = {"us": 1.0, "ms": 1e3, "s": 1e6, "ns": 1e-3}


def _pivot_value(r: Record, metric: str) -> float:
    """The record's median in the pivot column's unit (µs for times, ms for cold start)."""
    v = r.median
    if metric == "wall_time":
        return v * _PIVOT_UNIT.get(r.unit, 1.0) / 1e3
    if r.unit in _PIVOT_UNIT and metric != "throughput":
        return v * _PIVOT_UNIT[r.unit]
    return v


def e2e_pivot(records: list[Record]) -> tuple[list[str], list[list[str]]] | None:
    """One row per server, one column per headline figure (PIVOT); "—" where a server has no
    such record. None when no server record has any of them."""
    index = {(r.adapter, r.scenario, r.param, r.metric): r for r in records
             if r.adapter.startswith("server/") and r.metric != "missing"}
    servers = sorted({k[0] for k in index})
    rows = []
    for srv in servers:
        cells = []
        for _, scenario, param, metric, fmt in PIVOT:
            r = index.get((srv, scenario, param, metric))
            # "≥": the load generator limited this point, so the server's own figure is higher.
            bound = "≥" if r and metric == "throughput" and checks.is_loadgen_bound(r) else ""
            cells.append(bound + fmt.format(_pivot_value(r, metric)) if r else "—")
        if any(c != "—" for c in cells):
            rows.append([srv, *cells])
    return (["server", *(c[0] for c in PIVOT)], rows) if rows else None


def e2e_section(records: list[Record], plot_dir: Path) -> list[Block]:
    blocks: list[Block] = [("h", 2, "End-to-end")]
    recs = plots.e2e_records(records)
    streams = stream_tables.section(records)
    if not recs:
        return blocks + (streams or [("p", "No end-to-end results in this run.")])
    pivot = e2e_pivot(recs)
    if pivot:
        blocks.append(("p", "Headline figures per server (medians; closed loop = 64 "
                            "connections each waiting for its response, ×16 = 16 requests "
                            "pipelined per connection; server CPU per request = server process "
                            "CPU time / responses; open loop = requests at 80% of the measured "
                            "closed-loop rate; ≥ marks a rate the load generator limited, a lower "
                            "bound on the server). The full list of records is in the appendix "
                            "at the end."))
        blocks.append(("table", *pivot))
    for img in (plots.e2e_throughput(records, plot_dir), plots.e2e_latency(records, plot_dir)):
        if img:
            blocks.append(("img", f"plots/{img}", img))
    return blocks + streams


def e2e_appendix(records: list[Record]) -> list[Block]:
    """Every end-to-end record, flat (the pivot in e2e_section picks the headline ones)."""
    recs = plots.e2e_records(records)
    if not recs:
        return []
    rows = [[r.adapter, r.scenario + (f"[{r.param}]" if r.param else ""), r.metric,
             _fmt_value(stats.median_ci(r.samples), r.unit), str(len(r.samples)), r.source]
            for r in sorted(recs, key=lambda r: (r.scenario, r.param or "", r.metric, r.adapter))]
    return [("h", 2, "Appendix: all end-to-end records"),
            ("table", ["adapter", "scenario", "metric", "median [95% CI]", "n", "source"], rows)]


def micro_section(records: list[Record]) -> list[Block]:
    blocks: list[Block] = [("h", 2, "Micro benchmarks")]
    shown_elsewhere = (plots.e2e_records(records) + pipeline_table.records_of(records)
                       + hosted_table.hosting_records(records) + stream_tables.records_of(records))
    recs = [r for r in records if not r.adapter.startswith("laps/") and r.metric != "missing"
            and r not in shown_elsewhere]
    if not recs:
        return blocks + [("p", "No micro benchmark results in this run.")]
    groups: dict[tuple[str, str | None, str], list[Record]] = defaultdict(list)
    for r in recs:
        groups[(r.scenario, r.param, r.metric)].append(r)
    rows = []
    for (scenario, param, metric), rs in sorted(groups.items(), key=lambda kv: (
            kv[0][0], kv[0][2], _param_key(kv[0][1]))):
        higher = rs[0].higher_is_better
        best = max(r.median for r in rs) if higher else min(r.median for r in rs)
        for r in sorted(rs, key=lambda r: -r.median if higher else r.median):
            rel = (f"{(best / r.median if higher else r.median / best):.2f}x"
                   if best > 0 and r.median > 0 else "—")
            rows.append([scenario + (f"[{param}]" if param else ""), r.adapter, metric,
                         _fmt_value(stats.median_ci(r.samples), r.unit), rel, r.source])
    blocks.append(("p", "Median with bootstrap 95% interval over repetitions; `vs best` is "
                        "how far each adapter is from the best one of the same scenario and metric "
                        "(1.00x = the best; the record's direction says whether higher or lower "
                        "is better, so req/s ranks the other way from ns)."))
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
        machine = (f"{m.get('cpu_model', '?')} ({m.get('cores', '?')} cores, "
                   f"governor {m.get('governor', '?')})")
        rows.append([path.name, f.suite, f.created, machine_load.cell(f), machine,
                     f"Python {m.get('python', '?')}; {build or 'no native build'}",
                     f"{str(m.get('commit') or '?')[:12]}{' (dirty)' if m.get('dirty') else ''}",
                     "; ".join(f"`{c}`" for c in f.commands) or "—"])
    blocks.append(("table", ["file", "suite", "created", "load (1 min, start → end)", "machine",
                             "software", "commit", "commands"], rows))
    return blocks


def checks_section(found: list[checks.Check]) -> list[Block]:
    bad = checks.failed(found)
    warn = checks.warned(found)
    blocks: list[Block] = [("h", 2, "Checks")]
    if not found:
        return blocks + [("p", "No checkable results in this run (no reconciliation, open-loop "
                               "or load-generator records).")]
    if not bad and not warn:
        return blocks + [("p", f"All {len(found)} check(s) passed.")]
    text = []
    if bad:
        text.append(f"**{len(bad)} of {len(found)} check(s) FAILED**: read the figures they "
                    "name as unchecked (`python -m reports` exits 3).")
    else:
        text.append(f"No check failed ({len(found)} run).")
    if warn:
        text.append(f"{len(warn)} warning(s): a limit of the measurement, not of what was "
                    "measured (a load-generator-bound point is a lower bound on the server; "
                    "it is left out of the Summary's verdicts and does not fail the run).")
    blocks.append(("p", " ".join(text)))
    order = {"FAIL": 0, "warning": 1, "ok": 2}
    blocks.append(("table", ["check", "result", "what"],
                   [[c.name, c.result, c.detail]
                    for c in sorted(found, key=lambda c: (order[c.result], c.name))]))
    return blocks


def summary_section(records: list[Record]) -> list[Block]:
    blocks: list[Block] = [
        ("h", 2, "Summary: does native code pay?"),
        ("p", "Ratio = how many times better native is (baseline cost / native cost; for "
              "rates, native / baseline), 95% bootstrap interval in brackets. **pays**: the "
              f"whole interval above {1 + summary.TOLERANCE:.2f}; **worse**: below "
              f"{1 / (1 + summary.TOLERANCE):.2f}; **no gain**: it reaches the band between. "
              "A step that runs no native code in the native-py family is never credited.")]
    for scenario in laps.scenarios(records):
        t = laps.build(records, scenario)
        blocks.append(("p", f"Lap scenario `{scenario}` (CPU time per call):"))
        blocks.append(("table", ["step", "native-py", "vs py-baseline", "vs peer"],
                       summary.lap_rows(t)))
    pipeline_rows = pipeline_table.speedup_rows(pipeline_table.records_of(records))
    if pipeline_rows:
        blocks.append(("p", "Fetch-and-extract pipeline (wall time for all pages; lapwise "
                            "against each other pipeline, target where the html issue set one):"))
        blocks.append(("table", ["comparison", "lapwise speedup", "target", "CPU ratio"],
                       pipeline_rows))
    hosted_rows = hosted_table.summary_rows(hosted_table.records_of(records))
    if hosted_rows:
        blocks.append(("p", "Hosted app (server CPU per request end to end, same run; lapwise's "
                            "ASGI server against the app's usual host):"))
        blocks.append(("table", ["comparison", "CPU us per request", "lapwise costs",
                                 "lapwise saves"], hosted_rows))
    rows = summary.scenario_rows(records)
    if rows:
        blocks.append(("p", "Per scenario: the native adapter against the best pure-Python "
                            "baseline and the best other adapter (which one in parentheses):"))
        blocks.append(("table", ["scenario", "metric", "native", "vs best baseline",
                                 "vs best other"], rows))
    return blocks


def build(results: Path, out: Path) -> dict[str, Path]:
    """Writes the report files into ``out``; returns them by name. Raises SchemaError."""
    return build_checked(results, out)[0]


def build_checked(results: Path, out: Path) -> tuple[dict[str, Path], list[checks.Check]]:
    """build(), and the checks it ran (reports/checks.py)."""
    files = load_dir(results)
    records = all_records(files)
    plot_dir = out / "plots"
    out.mkdir(parents=True, exist_ok=True)
    now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    head: list[Block] = [
        ("h", 1, TITLE),
        ("p", f"Built {now} from {len(files)} result file(s), {len(records)} record(s). "
              + machine_load.sentence(machine_load.of_files(files))),
    ]
    lap_blocks: list[Block] = []
    for scenario in laps.scenarios(records):
        lap_blocks += lap_section(records, scenario, plot_dir)
    if not lap_blocks:
        lap_blocks = [("h", 2, "Lap table"), ("p", "No lap results (suite `laps`) in this run.")]
    lap_blocks += pipeline_table.section(records)
    lap_blocks += hosted_table.section(records)
    found = checks.run(records)
    head += checks_section(found) + summary_section(records)
    blocks = (head + lap_blocks + growth_section(records, plot_dir) + e2e_section(records, plot_dir)
              + micro_section(records) + machine_section(files) + e2e_appendix(records))
    written = {"report.md": out / "report.md", "report.html": out / "report.html",
               "laps.md": out / "laps.md"}
    written["report.md"].write_text(markdown(blocks))
    written["report.html"].write_text(html_page(TITLE, blocks))
    # laps.md: the first lap table alone (for the README), with plot links made relative to it.
    first = [b for b in lap_blocks if b[0] != "img"]
    cut = next((i for i, b in enumerate(first[1:], 1) if b[0] == "h"), len(first))
    written["laps.md"].write_text(markdown(first[:cut]))
    return written, found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reports", description=__doc__.split("\n\n")[0])
    ap.add_argument("--results", default="build/results", help="directory of result files (schema v2, or v1)")
    ap.add_argument("--out", default="build/report", help="where to write the report")
    a = ap.parse_args(argv)
    try:
        written, found = build_checked(Path(a.results), Path(a.out))
    except SchemaError as exc:
        print(f"report: {exc}", file=sys.stderr)
        return 2
    print(f"report: wrote {', '.join(str(p) for p in written.values())}")
    bad = checks.failed(found)
    for c in checks.warned(found):
        print(f"report: check warning: {c.name}: {c.detail}", file=sys.stderr)
    for c in bad:
        print(f"report: check FAILED: {c.name}: {c.detail}", file=sys.stderr)
    return checks.CHECK_FAILED if bad else 0

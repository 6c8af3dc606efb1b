"""The fetch-and-extract pipeline as a lap family (suite ``e2e.pipeline``,
suites/e2e/pipeline/pipeline_bench.py): per pipeline, each step's cost per page with its
interval, the end-to-end wall time, and lapwise's speedup over every other pipeline against
the issue's targets.

The steps are timed alone on the same pages (pipeline_steps.py) and do not add up to the wall
time: every pipeline overlaps fetching with parsing, and lapwise extracts on two native
threads. Each step has one contract, the same for every pipeline (STEP_CONTRACTS), so a row
compares equal work.
"""

from __future__ import annotations

from suites.results import Record

from . import stats
from .render import Block

STEPS = ("fetch", "parse", "select", "to_python")
STEP_CONTRACTS = {
    "fetch": "every page's body as bytes, by the pipeline's own client under the same "
             "concurrency cap; wall time of all pages / pages",
    "parse": "the pipeline's parser builds each page's whole tree; one thread, summed over pages",
    "select": "every field's CSS selector run on each tree, no value taken (for the native "
              "parser an extractor whose fields ask for an attribute no element has, so no "
              "match becomes a Python object); one thread",
    "to_python": "the answer as Python objects (title; every link's href; headings' and table "
                 "cells' text; every meta element's attributes): extraction minus select; "
                 "one thread",
    "wall": "all pages fetched and extracted end to end, every answer equal to html5lib's "
            "(checked on every run)",
    "cpu": "the same runs' CPU time of the pipeline's process (user + system, every thread) / "
           "pages: what other load on the machine does not inflate",
}
STEP_LABELS = {"fetch": "fetch", "parse": "parse", "select": "select",
               "to_python": "to Python objects", "wall": "**whole pipeline** (wall)",
               "cpu": "**whole pipeline** (CPU per page)"}
WHOLE = ("wall", "cpu")


def records_of(records: list[Record]) -> list[Record]:
    return [r for r in records if r.scenario.startswith("pipeline.") and r.metric != "missing"]


def _fmt(r: Record) -> str:
    est = stats.median_ci(r.samples)
    if len(r.samples) == 1:
        return f"{est.value:.3g} {r.unit} (n=1)"
    return f"{est.value:.3g} {r.unit} [{est.lo:.3g}, {est.hi:.3g}] n={len(r.samples)}"


def _pipelines(recs: list[Record]) -> list[str]:
    """Pipeline adapters, lapwise first, then by wall time."""
    walls = {r.adapter: r.median for r in recs if r.scenario == "pipeline.wall"}
    names = sorted({r.adapter for r in recs if r.scenario != "pipeline.speedup"},
                   key=lambda a: (a != "pipeline/lapwise", walls.get(a, float("inf")), a))
    return names


def speedup_estimate(r: Record) -> stats.Estimate:
    lo, hi = r.extra.get("ci95", (r.samples[0], r.samples[0]))
    return stats.Estimate(r.samples[0], float(lo), float(hi), len(r.samples))


def speedup_rows(recs: list[Record]) -> list[list[str]]:
    """Per other pipeline: lapwise's wall-time speedup with its target, and the CPU ratio."""
    from .summary import verdict

    cpu = {r.adapter: r for r in recs if r.scenario == "pipeline.cpu" and r.samples}
    rows = []
    for r in sorted((r for r in recs if r.scenario == "pipeline.speedup"),
                    key=lambda r: -r.samples[0]):
        est = speedup_estimate(r)
        target = r.extra.get("target")
        if target is None:
            met = "—"
        elif est.lo >= target:
            met = f"{target:g}x: met"
        elif est.hi < target:
            met = f"{target:g}x: not met"
        else:
            met = f"{target:g}x: undecided (interval spans it)"
        ours, theirs = cpu.get("pipeline/lapwise"), cpu.get(f"pipeline/{r.param}")
        by_cpu = verdict(stats.ratio_ci(theirs.samples, ours.samples)) if ours and theirs else "—"
        rows.append([f"lapwise vs {r.param}", verdict(est), met, by_cpu])
    return rows


def section(records: list[Record], level: int = 2) -> list[Block]:
    recs = records_of(records)
    if not recs:
        return []
    walls = [r for r in recs if r.scenario == "pipeline.wall"]
    pages = walls[0].extra.get("pages", walls[0].param) if walls else "?"
    cap = walls[0].extra.get("concurrency", "?") if walls else "?"
    names = _pipelines(recs)
    index = {(r.scenario.split(".", 1)[1], r.adapter): r for r in recs}
    step_pages = next((r.extra.get("step_pages") for r in recs
                       if r.scenario.split(".", 1)[1] in STEPS), None)
    blocks: list[Block] = [
        ("h", level, "Lap table — fetch-and-extract pipeline"),
        ("p", f"{pages} pages served by a local nginx from the 23 shared pages, fetched and "
              f"extracted by each pipeline at concurrency {cap}, every answer checked against "
              "html5lib's before a run counts. Steps in ms per page, timed alone on the first "
              f"{step_pages or '?'} pages (median [95% interval] n=samples); the whole pipeline "
              "in seconds for all pages. The steps do not add up to the wall time: every "
              "pipeline overlaps fetching with parsing, and lapwise extracts on two native "
              "threads with the GIL released."),
    ]
    header = ["step", *(n.split("/", 1)[1] for n in names)]
    rows = []
    for step in (*STEPS, *WHOLE):
        cells = [_fmt(index[(step, n)]) if (step, n) in index else "—" for n in names]
        if any(c != "—" for c in cells):
            rows.append([STEP_LABELS[step], *cells])
    blocks.append(("table", header, rows))
    blocks.append(("p", "Each step's contract, the same for every pipeline:"))
    blocks.append(("table", ["step", "contract"],
                   [[STEP_LABELS[s], STEP_CONTRACTS[s]] for s in (*STEPS, *WHOLE)]))
    designs = [[n.split("/", 1)[1], str(index[("wall", n)].extra.get("design", "")),
                str(index[("wall", n)].extra.get("engine", ""))]
               for n in names if ("wall", n) in index]
    if designs:
        blocks.append(("p", "What each pipeline is:"))
        blocks.append(("table", ["pipeline", "design", "parser (html adapter)"], designs))
    sp = speedup_rows(recs)
    if sp:
        blocks.append(("p", "lapwise's wall time against each other pipeline's (ratio of "
                            "medians, bootstrap 95% interval; the targets are the html "
                            "issue's, on wall time); the CPU ratio is the other pipeline's "
                            "process CPU per page over lapwise's, the figure a shared machine "
                            "does not move:"))
        blocks.append(("table", ["comparison", "speedup (wall)", "target", "CPU ratio"], sp))
    return blocks

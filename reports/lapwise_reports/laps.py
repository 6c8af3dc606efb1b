"""The lap table: per step, per family, median CPU time with its interval; the boundary cost
(native-py - native), the speedup of native-py over the peer stack, each step's share; and,
when an end-to-end run exists for the same request, the reconciliation:

    sum of steps + (step interaction) + other / unattributed = end-to-end server CPU/request

where ``other = e2e - pipeline`` (event loop, socket I/O, scheduling: what the pipeline timed
in one go does not do) and ``interaction = pipeline - sum of steps`` (what isolating the steps
leaves out or adds: cache effects, call overhead). The table's column therefore sums to the
end-to-end figure; the check is that the steps account for the pipeline: |interaction| must be
within ``TOLERANCE`` of the end-to-end cost (the issue's "within 10%").
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lapwise.results import Record

from . import stats

STEPS = ("parse", "build_request", "route", "params", "query", "handler", "serialize", "response")
STEP_LABELS = {"parse": "parse request", "build_request": "build request object",
               "route": "match route", "params": "extract params", "query": "parse query",
               "handler": "call handler", "serialize": "serialize JSON",
               "response": "build response bytes"}
FAMILIES = ("native", "native-py", "py-baseline", "peer")
TOLERANCE = 0.10
# Which end-to-end server stands for each family in the reconciliation (scenario "users").
E2E_SERVER = {"native-py": "server/native-py", "py-baseline": "server/py-asyncio",
              "peer": "server/uvicorn-starlette"}
E2E_METRIC = "cpu_per_request"  # suites/e2e/server_bench: server CPU s / responses
_KIND = {"parse": "parser", "route": "router", "query": "query", "serialize": "json"}
_TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


@dataclass
class Cell:
    est: stats.Estimate | None = None
    samples: list[float] = field(default_factory=list)
    na: str = ""     # "n/a: reason" when there is no estimate
    impl: str = ""

    @property
    def ok(self) -> bool:
        return self.est is not None


@dataclass
class Reconciliation:
    e2e: Cell
    other: Cell          # e2e - pipeline
    interaction: float   # pipeline - sum of steps (ns)
    error: float         # |sum of steps + other - e2e| / e2e (see reconcile())
    ok: bool


@dataclass
class LapTable:
    scenario: str
    cells: dict[tuple[str, str], Cell]            # (step, family)
    step_sum: dict[str, Cell]                     # family -> sum of step medians
    pipeline: dict[str, Cell]
    boundary: dict[str, Cell]                     # step -> native-py - native
    speedup: dict[str, Cell]                      # step -> peer / native-py
    reconciliation: dict[str, Reconciliation]     # family -> (when an e2e run exists)
    families: tuple[str, ...] = FAMILIES

    def share(self, step: str, family: str) -> float | None:
        """The step's share of the end-to-end cost (of the whole pipeline without one)."""
        cell = self.cells[(step, family)]
        rec = self.reconciliation.get(family)
        total = rec.e2e.est.value if rec and rec.e2e.ok else (
            self.pipeline[family].est.value if self.pipeline[family].ok else None)
        if not cell.ok or not total:
            return None
        return cell.est.value / total


def reconcile(step_sum: float, pipeline: float, e2e: float,
              tolerance: float = TOLERANCE) -> tuple[float, float, float, bool]:
    """(other, interaction, error, ok) for one family, all in the same unit.

    other = e2e - pipeline; interaction = pipeline - step_sum; so step_sum + interaction +
    other == e2e exactly. error = |step_sum + other - e2e| / e2e = |interaction| / e2e: how far
    the isolated steps plus the unattributed row are from the measured end-to-end cost."""
    if e2e <= 0:
        raise ValueError("end-to-end cost must be positive")
    other = e2e - pipeline
    interaction = pipeline - step_sum
    error = abs(step_sum + other - e2e) / e2e
    return other, interaction, error, error <= tolerance


def _ns(rec: Record) -> list[float]:
    return [s * _TO_NS[rec.unit] for s in rec.samples]


def lap_records(records: list[Record]) -> list[Record]:
    return [r for r in records if r.adapter.startswith("laps/") and r.scenario.startswith("laps.")]


def scenarios(records: list[Record]) -> list[str]:
    return sorted({r.param or "" for r in lap_records(records)}, key=lambda s: (s != "api", s))


def _cell(rec: Record | None, what: str) -> Cell:
    if rec is None:
        return Cell(na=f"n/a: no result for {what}")
    if rec.metric == "missing":
        return Cell(na=str(rec.extra.get("reason", "n/a")), impl="")
    samples = _ns(rec)
    return Cell(est=stats.median_ci(samples), samples=samples, impl=str(rec.extra.get("impl", "")))


def e2e_record(records: list[Record], family: str, scenario: str) -> Record | None:
    """The end-to-end server CPU per request for ``family``'s server on the lap scenario's
    route (scenario containing the lap scenario name, e.g. "e2e.users")."""
    server = E2E_SERVER.get(family)
    cands = [r for r in records if r.metric == E2E_METRIC and r.adapter == server
             and scenario in r.scenario and r.unit in _TO_NS]
    cands.sort(key=lambda r: (r.param is not None, r.param or ""))
    return cands[0] if cands else None


def build(records: list[Record], scenario: str = "api") -> LapTable:
    by_key = {(r.scenario.split(".", 1)[1], r.adapter.split("/", 1)[1]): r
              for r in lap_records(records) if (r.param or "") == scenario}
    cells = {(s, f): _cell(by_key.get((s, f)), f"{s}/{f}") for s in STEPS for f in FAMILIES}
    step_sum: dict[str, Cell] = {}
    pipeline: dict[str, Cell] = {}
    recon: dict[str, Reconciliation] = {}
    for f in FAMILIES:
        col = [cells[(s, f)] for s in STEPS]
        missing = [s for s, c in zip(STEPS, col) if not c.ok]
        step_sum[f] = (Cell(est=stats.sum_ci([c.samples for c in col]))
                       if not missing else Cell(na=f"n/a: {', '.join(missing)} missing"))
        pipeline[f] = _cell(by_key.get(("pipeline", f)), f"pipeline/{f}")
        e2e = e2e_record(records, f, scenario)
        if e2e is not None and pipeline[f].ok and step_sum[f].ok:
            e2e_cell = _cell(e2e, f"e2e/{f}")
            e2e_cell.impl = e2e.adapter
            other_est = stats.difference_ci(e2e_cell.samples, pipeline[f].samples)
            other, interaction, error, ok = reconcile(
                step_sum[f].est.value, pipeline[f].est.value, e2e_cell.est.value)
            recon[f] = Reconciliation(e2e=e2e_cell, other=Cell(est=other_est), interaction=interaction,
                                      error=error, ok=ok)
            assert abs(other - other_est.value) < 1e-6 * max(1.0, abs(other))
    boundary: dict[str, Cell] = {}
    speedup: dict[str, Cell] = {}
    for s in (*STEPS, "pipeline"):
        nat = pipeline["native"] if s == "pipeline" else cells[(s, "native")]
        npy = pipeline["native-py"] if s == "pipeline" else cells[(s, "native-py")]
        peer = pipeline["peer"] if s == "pipeline" else cells[(s, "peer")]
        crosses = s == "pipeline" or npy.impl.startswith(f"{_KIND.get(s, '-')}/native")
        boundary[s] = (Cell(est=stats.difference_ci(npy.samples, nat.samples))
                       if nat.ok and npy.ok and crosses
                       else Cell(na="— (python glue)" if npy.ok and not crosses else "n/a"))
        speedup[s] = (Cell(est=stats.ratio_ci(peer.samples, npy.samples))
                      if peer.ok and npy.ok else Cell(na="n/a"))
    return LapTable(scenario, cells, step_sum, pipeline, boundary, speedup, recon)


# --- formatting ---------------------------------------------------------------------------

def fmt_ns(ns: float) -> str:
    a = abs(ns)
    if a < 1e3:
        return f"{ns:.0f} ns"
    if a < 1e6:
        return f"{ns / 1e3:.2f} µs"
    if a < 1e9:
        return f"{ns / 1e6:.2f} ms"
    return f"{ns / 1e9:.2f} s"


def fmt_est(cell: Cell, unit: str = "ns", notes: list[str] | None = None) -> str:
    """``median [lo, hi]``; an n/a cell is "n/a" with its reason as a numbered note when
    ``notes`` is given (the same reason gets the same number)."""
    if not cell.ok:
        reason = (cell.na or "n/a").removeprefix("n/a: ").removeprefix("n/a")
        if notes is None or not reason:
            return cell.na or "n/a"
        if reason not in notes:
            notes.append(reason)
        return f"n/a ({notes.index(reason) + 1})"
    e = cell.est
    if unit == "x":
        return f"{e.value:.2f}x [{e.lo:.2f}, {e.hi:.2f}]"
    if e.lo == e.hi:
        return fmt_ns(e.value)
    return f"{fmt_ns(e.value)} [{fmt_ns(e.lo)}, {fmt_ns(e.hi)}]"


def rows(t: LapTable) -> tuple[list[str], list[list[str]], list[str]]:
    """The lap table as header, rows of text and the numbered n/a reasons (Markdown and HTML
    render the same rows)."""
    header = ["step", *t.families, "boundary (native-py − native)", "speedup native-py vs peer"]
    out = []
    notes: list[str] = []
    for s in STEPS:
        out.append([STEP_LABELS[s], *(fmt_est(t.cells[(s, f)], notes=notes) for f in t.families),
                    fmt_est(t.boundary[s]), fmt_est(t.speedup[s], "x")])
    out.append(["**sum of steps**", *(fmt_est(t.step_sum[f], notes=notes) for f in t.families), "", ""])
    out.append(["**whole pipeline, one go**", *(fmt_est(t.pipeline[f], notes=notes) for f in t.families),
                fmt_est(t.boundary["pipeline"]), fmt_est(t.speedup["pipeline"], "x")])
    if t.reconciliation:
        def rec_cell(f: str, what: str) -> str:
            r = t.reconciliation.get(f)
            if r is None:
                return "n/a: no end-to-end run"
            if what == "interaction":
                return fmt_ns(r.interaction)
            if what == "other":
                return fmt_est(r.other)
            if what == "e2e":
                return f"{fmt_est(r.e2e)} ({r.e2e.impl})"
            return f"{r.error * 100:.1f}% {'ok' if r.ok else 'FAIL'}"

        out.append(["step interaction (pipeline − sum)", *(rec_cell(f, "interaction") for f in t.families), "", ""])
        out.append(["other / unattributed (e2e − pipeline)", *(rec_cell(f, "other") for f in t.families), "", ""])
        out.append(["**end-to-end server CPU / request**", *(rec_cell(f, "e2e") for f in t.families), "", ""])
        out.append([f"reconciliation error (≤ {TOLERANCE:.0%})", *(rec_cell(f, "error") for f in t.families), "", ""])
    return header, out, notes


def share_rows(t: LapTable) -> tuple[list[str], list[list[str]]]:
    base = "end-to-end" if t.reconciliation else "whole pipeline"
    header = ["step", *(f"{f} (% of {base})" for f in t.families)]
    out = []
    for s in STEPS:
        row = [STEP_LABELS[s]]
        for f in t.families:
            sh = t.share(s, f)
            row.append("n/a" if sh is None else f"{sh * 100:.1f}%")
        out.append(row)
    return header, out

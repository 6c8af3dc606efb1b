"""The lap table: per step, per family, median CPU time with its interval; the boundary cost
(native-py - native), the speedup of native-py over the peer stack, each step's share; and,
when an end-to-end run exists for the same request, the reconciliation.

The reconciliation is a check, not an identity: "other / unattributed" (event loop, socket
reads, scheduling) is estimated INDEPENDENTLY of the route being reconciled, from the same
server on its trivial route, and the route's own cost comes from the laps, timed "in context"
(suites/laps/lap_context.py: the family's pipeline served by a loopback asyncio server under
lapwise-load, each request's pipeline and response write timed on the thread CPU clock):

    served(r) = pipeline in context(r) + response write in context(r)
    other     = e2e(/plaintext) - served(/plaintext)
    predicted = served(/users) + other
    error     = |predicted - e2e(/users)| / e2e(/users)  must be within TOLERANCE (10%)

In a server the kernel and the event loop run between two requests and leave the caches and
branch predictors cold, so a pipeline costs more than in the tight loop, the more the heavier
its Python code (in the py-asyncio server, suites/laps/insitu.py: py-baseline /users about
+4.4 µs, /plaintext about +1.3 µs), and the send runs colder after a heavier route: the
tight-loop pipeline in place of ``served`` under-predicts. Without in-context records the
reconciliation falls back to the tight-loop pipelines (basis "isolated"). ``interaction =
pipeline - sum of steps`` (both tight loop) is a diagnostic row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from suites.results import Record

from . import stats

STEPS = ("parse", "build_request", "route", "params", "query", "handler", "serialize", "response")
STEP_LABELS = {"parse": "parse request", "build_request": "build request object",
               "route": "match route", "params": "extract params", "query": "parse query",
               "handler": "call handler", "serialize": "serialize JSON",
               "response": "build response bytes"}
FAMILIES = ("native", "native-py", "py-baseline", "peer")
TOLERANCE = 0.10
HOSTED_PREFIX = "laps.hosted."
# Which end-to-end server stands for each family in the reconciliation (scenario "users").
E2E_SERVER = {"native-py": "server/py-asyncio-native", "py-baseline": "server/py-asyncio",
              "peer": "server/uvicorn"}
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
    e2e: Cell                # measured end-to-end server CPU / request on the lap's route
    e2e_plain: Cell          # the same server on /plaintext
    plain_pipeline: Cell     # /plaintext as the prediction uses it (served, or tight loop)
    other: Cell              # e2e_plain - plain_pipeline (independent of e2e)
    interaction: float       # pipeline - sum of steps (ns, both tight loop), a diagnostic
    predicted: float         # served(/users) + other (or pipeline + other when isolated)
    error: float             # |predicted - e2e| / e2e
    steps_error: float       # |sum of steps + other - e2e| / e2e, for comparison
    ok: bool
    basis: str = "isolated"  # "in context" when the in-context records exist
    served: Cell = field(default_factory=Cell)        # pipeline + write in context (/users)
    isolated_error: float | None = None  # the tight-loop prediction's error, for comparison


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


def reconcile(step_sum: float, pipeline: float, e2e: float, other: float,
              tolerance: float = TOLERANCE, served: float | None = None
              ) -> tuple[float, float, float, float, bool]:
    """(interaction, predicted, error, steps_error, ok) for one family, all in one unit.

    ``other`` is the server's overhead outside the steps, measured on another route (see the
    module docstring), so nothing here forces predicted == e2e: predicted = served + other
    (``served``: the route's pipeline and write in context; the tight-loop ``pipeline`` when
    None), error = |predicted - e2e| / e2e, steps_error the same with the sum of isolated
    steps in place of it; ok when error <= tolerance. interaction = pipeline - step_sum."""
    if e2e <= 0:
        raise ValueError("end-to-end cost must be positive")
    interaction = pipeline - step_sum
    predicted = (pipeline if served is None else served) + other
    error = abs(predicted - e2e) / e2e
    steps_error = abs(step_sum + other - e2e) / e2e
    return interaction, predicted, error, steps_error, error <= tolerance


def _ns(rec: Record) -> list[float]:
    return [s * _TO_NS[rec.unit] for s in rec.samples]


def lap_records(records: list[Record]) -> list[Record]:
    # The hosted family (laps.hosted.*) has its own steps and table (reports/hosted_table.py).
    return [r for r in records if r.adapter.startswith("laps/") and r.scenario.startswith("laps.")
            and not r.scenario.startswith(HOSTED_PREFIX)]


def scenarios(records: list[Record]) -> list[str]:
    return sorted({r.param or "" for r in lap_records(records)}, key=lambda s: (s != "api", s))


def _cell(rec: Record | None, what: str) -> Cell:
    if rec is None:
        return Cell(na=f"n/a: no result for {what}")
    if rec.metric == "missing":
        return Cell(na=str(rec.extra.get("reason", "n/a")), impl="")
    samples = _ns(rec)
    return Cell(est=stats.median_ci(samples), samples=samples, impl=str(rec.extra.get("impl", "")))


E2E_PARAM = "c64-p1"  # closed loop, 64 connections, no pipelining: one request per read


def e2e_record(records: list[Record], family: str, route: str) -> Record | None:
    """The end-to-end server CPU per request for ``family``'s server on ``route`` (a scenario
    ending in the route name, e.g. "server.closed_users"), preferring the c64 run without
    pipelining (what the lap pipeline does: one request, one response)."""
    server = E2E_SERVER.get(family)
    cands = [r for r in records if r.metric == E2E_METRIC and r.adapter == server
             and r.scenario.rsplit(".", 1)[-1].removeprefix("closed_") == route
             and r.unit in _TO_NS]
    cands.sort(key=lambda r: (r.param != E2E_PARAM, r.param is not None, r.param or ""))
    return cands[0] if cands else None


# The in-context records (suites/laps/lap_context.py): served = pipeline + write, per route.
CONTEXT = {"users": ("pipeline_ctx", "write_ctx"),
           "plaintext": ("pipeline_plaintext_ctx", "write_plaintext_ctx")}


def _served(ctx: dict[str, Cell], route: str) -> Cell | None:
    """Pipeline + response write in context for ``route``, None if either is missing. Both
    come from the same lap processes (one sample each per process), so they add per process."""
    pipe, write = (ctx.get(k) for k in CONTEXT[route])
    if pipe is None or write is None or not (pipe.ok and write.ok) \
            or len(pipe.samples) != len(write.samples):
        return None
    samples = [p + w for p, w in zip(pipe.samples, write.samples)]
    return Cell(est=stats.median_ci(samples), samples=samples,
                impl="pipeline + response write, in context")


def _reconcile_family(records: list[Record], f: str, scenario: str, step_sum: Cell,
                      pipeline: Cell, plain_pipeline: Cell,
                      ctx: dict[str, Cell] | None = None) -> Reconciliation | None:
    e2e = e2e_record(records, f, scenario)
    plain = e2e_record(records, f, "plaintext")
    if e2e is None or plain is None or not (pipeline.ok and step_sum.ok and plain_pipeline.ok):
        return None
    e2e_cell, plain_cell = _cell(e2e, f"e2e/{f}"), _cell(plain, f"e2e plaintext/{f}")
    e2e_cell.impl = plain_cell.impl = e2e.adapter
    iso_other = stats.difference_ci(plain_cell.samples, plain_pipeline.samples).value
    iso_error = abs(pipeline.est.value + iso_other - e2e_cell.est.value) / e2e_cell.est.value
    served, served_plain = _served(ctx or {}, "users"), _served(ctx or {}, "plaintext")
    basis = "in context" if served is not None and served_plain is not None else "isolated"
    base_plain = served_plain if basis == "in context" else plain_pipeline
    other = Cell(est=stats.difference_ci(plain_cell.samples, base_plain.samples))  # type: ignore[union-attr]
    interaction, predicted, error, steps_error, ok = reconcile(
        step_sum.est.value, pipeline.est.value, e2e_cell.est.value, other.est.value,
        served=served.est.value if basis == "in context" else None)  # type: ignore[union-attr]
    return Reconciliation(e2e=e2e_cell, e2e_plain=plain_cell, plain_pipeline=base_plain,  # type: ignore[arg-type]
                          other=other, interaction=interaction, predicted=predicted,
                          error=error, steps_error=steps_error, ok=ok, basis=basis,
                          served=served or Cell(na="n/a: no in-context run"),
                          isolated_error=iso_error)


def build(records: list[Record], scenario: str = "api") -> LapTable:
    by_key = {(r.scenario.split(".", 1)[1], r.adapter.split("/", 1)[1]): r
              for r in lap_records(records) if (r.param or "") == scenario}
    cells = {(s, f): _cell(by_key.get((s, f)), f"{s}/{f}") for s in STEPS for f in FAMILIES}
    step_sum: dict[str, Cell] = {}
    pipeline: dict[str, Cell] = {}
    plain_pipeline: dict[str, Cell] = {}
    recon: dict[str, Reconciliation] = {}
    for f in FAMILIES:
        col = [cells[(s, f)] for s in STEPS]
        missing = [s for s, c in zip(STEPS, col) if not c.ok]
        step_sum[f] = (Cell(est=stats.sum_ci([c.samples for c in col]))
                       if not missing else Cell(na=f"n/a: {', '.join(missing)} missing"))
        pipeline[f] = _cell(by_key.get(("pipeline", f)), f"pipeline/{f}")
        plain_pipeline[f] = _cell(by_key.get(("pipeline_plaintext", f)),
                                  f"pipeline_plaintext/{f}")
        ctx = {k: _cell(by_key[(k, f)], f"{k}/{f}") for pair in CONTEXT.values() for k in pair
               if (k, f) in by_key}
        r = _reconcile_family(records, f, scenario, step_sum[f], pipeline[f], plain_pipeline[f],
                              ctx)
        if r is not None:
            recon[f] = r
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
        # A step native-py runs in Python glue gets no speedup: there is nothing native to credit.
        speedup[s] = (Cell(est=stats.ratio_ci(peer.samples, npy.samples))
                      if peer.ok and npy.ok and crosses
                      else Cell(na="— (no native code)" if npy.ok and not crosses else "n/a"))
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

    def interaction(f: str) -> str:
        if not (t.pipeline[f].ok and t.step_sum[f].ok):
            return "n/a"
        d = t.pipeline[f].est.value - t.step_sum[f].est.value
        return f"{fmt_ns(d)} ({d / t.pipeline[f].est.value:+.0%} of pipeline)"

    out.append(["step interaction (pipeline − sum), diagnostic",
                *(interaction(f) for f in t.families), "", ""])
    if t.reconciliation:
        def rec_cell(f: str, what: str) -> str:
            r = t.reconciliation.get(f)
            if r is None:
                return "n/a: no end-to-end run"
            if what == "plain":
                return f"{fmt_est(r.e2e_plain)} − {fmt_est(r.plain_pipeline)}"
            if what == "served":
                return fmt_est(r.served) if r.basis == "in context" else (
                    "n/a: no in-context run (tight-loop pipeline used)")
            if what == "other":
                return fmt_est(r.other)
            if what == "predicted":
                return f"{fmt_ns(r.predicted)} ({r.basis})"
            if what == "e2e":
                return f"{fmt_est(r.e2e)} ({r.e2e.impl})"
            if what == "residual":
                return fmt_ns(r.e2e.est.value - r.predicted)
            if what == "isolated":
                return "—" if r.isolated_error is None else f"{r.isolated_error * 100:.1f}%"
            return f"{r.error * 100:.1f}% {'ok' if r.ok else 'FAIL'}"

        for label, what in (
                ("/users served in context (pipeline + response write)", "served"),
                ("e2e /plaintext − /plaintext served (in context, else tight loop)", "plain"),
                ("other / unattributed (from /plaintext)", "other"),
                ("**predicted: served + other**", "predicted"),
                ("**end-to-end server CPU / request (measured)**", "e2e"),
                ("residual (measured − predicted)", "residual"),
                (f"reconciliation error (≤ {TOLERANCE:.0%})", "error"),
                ("same with tight-loop pipelines (diagnostic)", "isolated")):
            out.append([label, *(rec_cell(f, what) for f in t.families), "", ""])
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


def contract_rows(records: list[Record], scenario: str) -> tuple[list[str], list[list[str]]]:
    """Per step, its contract (what every cell must read and produce, checked before timing)
    and the families whose cell boundary differs from it, from the records' extra fields."""
    contract: dict[str, str] = {}
    differ: dict[str, dict[str, str]] = {}
    for r in lap_records(records):
        if r.param != scenario:
            continue
        step, family = r.extra.get("step"), r.extra.get("family")
        if r.extra.get("contract"):
            contract[step] = r.extra["contract"]
        if r.extra.get("boundary"):
            differ.setdefault(step, {})[family] = r.extra["boundary"]
    out = [[STEP_LABELS[s], contract[s],
            "; ".join(f"{f}: {b}" for f, b in sorted(differ.get(s, {}).items())) or "—"]
           for s in STEPS if s in contract]
    return ["step", "contract (checked before timing)", "boundary differs"], out

"""The checks a run must pass before its figures can be read as answers. Each one that did not
pass is listed in the report's "Checks" block at the top. A **failure** says the run measured
something wrong or did not measure it; ``python -m reports`` then exits with CHECK_FAILED (3)
so ci/bench fails too:

- reconciliation: a lap family whose in-context prediction misses the measured end-to-end
  server CPU per request by more than the lap table's tolerance (reports/laps.py);
- saturation: an open-loop point whose achieved rate is below SATURATION of the rate it was
  asked for (its latencies then measure a queue, not the server), or that says it saturated,
  while the load generator kept up (so the server is what fell behind);
- skipped: a record that stands for a measurement or a conformance run that did not happen
  (metric "missing" outside the lap table, whose n/a cells carry their own reasons).

A **warning** is a limit of the measurement, not a fault of what was measured, so it stays
visible but does not fail the run:

- load generator bound: a throughput the load generator itself limited (extra.loadgen_bound:
  its core was saturated, or its own send lateness passed its limit), so the figure is a
  lower bound on the server, not its peak. On two cores shared by server and generator the
  fastest servers' peaks reach it by construction. Such a point is left out of every verdict
  (reports/summary.py), and an open-loop point that is bound is never called a saturation of
  the server, since the generator, not the server, may be what fell short of the rate.
"""

from __future__ import annotations

from dataclasses import dataclass

from suites.results import Record

from . import hosted_table, laps

CHECK_FAILED = 3
SATURATION = 0.95


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    warning: bool = False  # not ok, but a limit of the measurement: shown, never a failure

    @property
    def result(self) -> str:
        return "ok" if self.ok else "warning" if self.warning else "FAIL"


def _label(r: Record) -> str:
    return f"{r.adapter} {r.scenario}" + (f"[{r.param}]" if r.param else "")


def run(records: list[Record]) -> list[Check]:
    out: list[Check] = []
    for scenario in laps.scenarios(records):
        t = laps.build(records, scenario)
        for family, rec in sorted(t.reconciliation.items()):
            out.append(Check("reconciliation", rec.ok,
                             f"lap scenario `{scenario}`, {family}: predicted within "
                             f"{rec.error:.1%} of the measured end-to-end cost "
                             f"(threshold {laps.TOLERANCE:.0%}, basis {rec.basis})"))
    hosted = hosted_table.records_of(records)
    # One end-to-end round (ci/bench --quick: 1 s of wrk) is too noisy to fail a run on: a miss
    # there is shown as a warning; with two rounds or more it is a failure.
    one_round = hosted_table.e2e_rounds(hosted) < 2
    for app, host, err, ok in hosted_table.reconciliation(hosted):
        out.append(Check("reconciliation", ok,
                         f"hosted lap family `{app}`, {host}: predicted within {err:.1%} of the "
                         f"measured end-to-end cost (threshold {laps.TOLERANCE:.0%}"
                         + (", one end-to-end round: a warning only)" if one_round else ")"),
                         warning=one_round and not ok))
    for r in records:
        if r.metric != "throughput" or not r.samples:
            continue
        rate = r.extra.get("rate")
        short = "open" in r.scenario and (r.extra.get("saturated") or (
            isinstance(rate, (int, float)) and rate > 0 and r.median < SATURATION * rate))
        got = (f"{r.median:,.0f} of {rate:,.0f} req/s asked" if isinstance(rate, (int, float))
               else "the run says it saturated")
        if is_loadgen_bound(r):
            out.append(Check("load generator bound", False,
                             f"{_label(r)}: the load generator limited this point "
                             f"({r.median:,.0f} {r.unit} is a lower bound"
                             + (f"; {got}" if short else "") + "); left out of the verdicts",
                             warning=True))
        elif short:
            out.append(Check("saturation", False, f"{_label(r)}: {got}; its latencies measure "
                             "a queue"))
    for r in records:
        if r.metric == "missing" and not r.adapter.startswith("laps/"):
            out.append(Check("skipped", False,
                             f"{_label(r)}: {r.extra.get('reason', 'no reason given')}"))
    return out


def is_loadgen_bound(r: Record) -> bool:
    """The load generator, not the server, limited this record (a lower bound on the server)."""
    return bool(r.extra.get("loadgen_bound"))


def failed(checks: list[Check]) -> list[Check]:
    return [c for c in checks if not c.ok and not c.warning]


def warned(checks: list[Check]) -> list[Check]:
    return [c for c in checks if not c.ok and c.warning]

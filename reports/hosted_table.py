"""The hosted lap family (suite ``laps.hosted``, suites/laps/hosted_family.py): one FastAPI app
on lapwise's ASGI server against the same app on uvicorn, step by step, each host's predicted
server CPU per request reconciled to the end-to-end figure of the same run; and the hosting
benchmark's CPU per request of real framework apps (suite ``e2e.hostperf.hosting``).
"""

from __future__ import annotations

from suites.results import Record

from .laps import HOSTED_PREFIX, TOLERANCE
from .render import Block

STEPS = ("framework", "host_python", "framework_x_host", "server_rest")
STEP_LABELS = {
    "framework": "framework alone (no server)",
    "host_python": "server's own Python",
    "framework_x_host": "framework through the server",
    "server_rest": "server core + loop + kernel",
    "predicted": "**predicted** (sum of the steps)",
    "e2e": "**measured** end to end",
    "residual": "residual (measured - predicted)",
}
STEP_CONTRACTS = {
    "framework": "the app called in-process with a prebuilt scope, no server: the same code and "
                 "figure for every host",
    "host_python": "the host's Python per request (bytes or native request to scope, task, "
                   "receive/send, answer) with a raw ASGI app, no sockets: driver(raw) - floor(raw)",
    "framework_x_host": "what the app costs more through this host than alone: driver(app) - "
                        "driver(raw) - (floor(app) - floor(raw))",
    "server_rest": "what the in-process driver leaves out (sockets, event-loop polling, kernel; "
                   "for lapwise the C++ parse and io-thread hand-off): e2e(raw) - driver(raw)",
    "e2e": "server process CPU time / responses under wrk -c64, server pinned to one core",
}
LAPWISE = "laps/hosted-lapwise-asgi"


def records_of(records: list[Record]) -> list[Record]:
    return [r for r in records if r.scenario.startswith(HOSTED_PREFIX) and r.metric != "missing"]


def hosting_records(records: list[Record]) -> list[Record]:
    return [r for r in records if r.scenario.startswith("hosting.") and r.metric != "missing"]


def _apps(recs: list[Record]) -> list[str]:
    return sorted({r.scenario[len(HOSTED_PREFIX):] for r in recs})


def _hosts(recs: list[Record]) -> list[str]:
    return sorted({r.adapter for r in recs}, key=lambda a: (a != LAPWISE, a))


def _name(adapter: str) -> str:
    return adapter.split("/", 1)[1].removeprefix("hosted-")


def _index(recs: list[Record], app: str) -> dict[tuple[str, str], float]:
    return {(r.adapter, r.param or ""): r.median for r in recs if r.scenario == HOSTED_PREFIX + app}


def e2e_rounds(recs: list[Record]) -> int:
    """The fewest end-to-end rounds behind any host's measured figure (0 when not recorded)."""
    counts = [len(v) for r in recs if r.param == "e2e"
              for v in (r.extra.get("inputs", {}).get("e2e", {}) or {}).values()]
    return min(counts, default=0)


def reconciliation(recs: list[Record]) -> list[tuple[str, str, float, bool]]:
    """(app, host, |residual| / measured, within TOLERANCE) per app and host with both figures."""
    out = []
    for app in _apps(recs):
        idx = _index(recs, app)
        for host in _hosts([r for r in recs if r.scenario == HOSTED_PREFIX + app]):
            measured, predicted = idx.get((host, "e2e")), idx.get((host, "predicted"))
            if measured is None or predicted is None or measured <= 0:
                continue
            err = abs(measured - predicted) / measured
            out.append((app, _name(host), err, err <= TOLERANCE))
    return out


def summary_rows(recs: list[Record]) -> list[list[str]]:
    """Per app: lapwise's measured and predicted CPU per request against each other host's."""
    rows = []
    for app in _apps(recs):
        idx = _index(recs, app)
        ours = idx.get((LAPWISE, "e2e"))
        for host in _hosts([r for r in recs if r.scenario == HOSTED_PREFIX + app]):
            theirs = idx.get((host, "e2e"))
            if host == LAPWISE or not ours or not theirs:
                continue
            rows.append([f"{app}: lapwise-asgi vs {_name(host)}",
                         f"{ours:.1f} vs {theirs:.1f} us", f"{ours / theirs:.2f}x the CPU",
                         f"{theirs / ours:.2f}x"])
    return rows


def section(records: list[Record], level: int = 2) -> list[Block]:
    recs = records_of(records)
    blocks: list[Block] = []
    for app in _apps(recs):
        here = [r for r in recs if r.scenario == HOSTED_PREFIX + app]
        hosts = _hosts(here)
        idx = _index(here, app)
        names = [_name(h) for h in hosts]
        blocks.append(("h", level, f"Lap table — hosted app `{app}`"))
        blocks.append(("p", "Server CPU microseconds per request of one framework app on each "
                            "host, step by step (medians over the rounds); the steps sum to the "
                            "prediction, which is checked against the end-to-end figure of the "
                            f"same run (within {TOLERANCE:.0%}). The last column is lapwise's "
                            "figure over the other host's."))
        header = ["step", *names] + (["ratio"] if len(hosts) == 2 else [])
        rows = []
        for step in (*STEPS, "predicted", "e2e", "residual"):
            vals = [idx.get((h, step)) for h in hosts]
            cells = [f"{v:.2f}" if v is not None else "—" for v in vals]
            if len(hosts) == 2:
                a, b = vals
                cells.append(f"{a / b:.2f}x" if a and b and a > 0 and b > 0 and step != "residual"
                             else "")
            rows.append([STEP_LABELS[step], *cells])
        blocks.append(("table", header, rows))
        checks = reconciliation(here)
        missed = "warning: one end-to-end round" if e2e_rounds(here) < 2 else "FAIL"
        if checks:
            blocks.append(("p", "Reconciliation: " + "; ".join(
                f"{host} predicted within {err:.1%} of measured ({'ok' if ok else missed})"
                for _, host, err, ok in checks) + "."))
        blocks.append(("table", ["step", "contract"],
                       [[STEP_LABELS[s], c] for s, c in STEP_CONTRACTS.items()]))
    blocks += hosting_section(records, level)
    return blocks


def hosting_section(records: list[Record], level: int = 2) -> list[Block]:
    recs = hosting_records(records)
    if not recs:
        return []
    by = {(r.scenario, r.adapter, r.metric): r for r in recs}
    rows = []
    for scenario in sorted({r.scenario for r in recs}):
        servers = sorted({a for s, a, _ in by if s == scenario},
                         key=lambda a: (not a.startswith("server/lapwise"), a))
        ours = next((by.get((scenario, a, "cpu_per_request")) for a in servers
                     if a.startswith("server/lapwise")), None)
        for a in servers:
            cpu, rps = by.get((scenario, a, "cpu_per_request")), by.get((scenario, a, "throughput"))
            errors = by.get((scenario, a, "errors"))
            failed = bool(errors and sum(errors.samples) > 0)
            # A server whose answers failed did not do the app's work: no ratio for it.
            ratio = ("— (errors)" if failed and cpu is not ours else
                     f"{cpu.median / ours.median:.2f}x" if cpu and ours and cpu is not ours and ours.median > 0
                     else "")
            rows.append([scenario.removeprefix("hosting."), a.removeprefix("server/"),
                         f"{cpu.median:.2f}" if cpu else "—", f"{rps.median:,.0f}" if rps else "—",
                         f"{sum(errors.samples):.0f}" if errors else "—", ratio])
    return [("h", level, "Hosted apps end to end"),
            ("p", "Server CPU microseconds per request of real framework apps (Starlette /json, "
                  "FastAPI /items, Flask) under wrk -c64, the server pinned to one core, each answer "
                  "checked before and after the load; `lapwise saves` = this server's CPU per "
                  "request over lapwise's (above 1: lapwise costs less)."),
            ("table", ["app", "server", "CPU us/request", "req/s", "errors", "lapwise saves"], rows)]

"""lapwise-load reports (one per repetition) -> result schema v1 records.

Metrics per (server, scenario, param); each record's samples are the repetitions:
  throughput (req/s)                 ok responses / measured seconds
  latency_p50, _p90, _p99, _p99.9, latency_max (us)
  errors (count)                     failed requests (any kind; kinds in extra)
  server_cpu (s), cpu_per_request (us)          the server's CPU over the run / responses
  loadgen_cpu (s), loadgen_cpu_per_request (us) lapwise-load's own (getrusage)
  loadgen_cpu_util (ratio)           lapwise-load's CPU per wall second (1.0: its core saturated)
  open loop only (lapwise-load's "open_loop" block):
  send_lateness_p50, _p99, _p99.9 (us)    written - intended: everything that held a request back
  loadgen_lateness_p99, _p99.9 (us)       the generator's own share of it (see driver.h)
  response_p50, _p99 (us)                 written - answered: the server's time alone
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from suites.results import Record

LATENCIES = (("p50", "latency_p50"), ("p90", "latency_p90"), ("p99", "latency_p99"),
             ("p99.9", "latency_p99.9"), ("max", "latency_max"))


@dataclass
class Measured:
    """One lapwise-load run with the server CPU seconds it cost."""

    report: dict
    server_cpu_s: float

    @property
    def responses(self) -> int:  # everything the server answered (failed ones cost CPU too)
        r = self.report["requests"]
        return r["sent"]

    def metrics(self) -> dict[str, tuple[float, str]]:
        rep = self.report
        lat = rep["latency_us"]
        load_cpu = rep["cpu"]["user_s"] + rep["cpu"]["system_s"]
        out: dict[str, tuple[float, str]] = {"throughput": (rep["throughput_rps"], "req/s")}
        if lat["count"]:
            for key, metric in LATENCIES:
                out[metric] = (lat[key], "us")
        out["errors"] = (float(rep["requests"]["failed"]), "count")
        out["server_cpu"] = (self.server_cpu_s, "s")
        out["loadgen_cpu"] = (load_cpu, "s")
        out["loadgen_cpu_util"] = (loadgen_utilisation(rep), "ratio")
        if self.responses:
            out["cpu_per_request"] = (self.server_cpu_s / self.responses * 1e6, "us")
            out["loadgen_cpu_per_request"] = (load_cpu / self.responses * 1e6, "us")
        open_loop = rep.get("open_loop", {})
        for block, keys in OPEN_LOOP_METRICS:
            part = open_loop.get(block)
            if part and part["count"]:
                for key, metric in keys:
                    out[metric] = (part[key], "us")
        return out


OPEN_LOOP_METRICS = (
    ("send_lateness_us", (("p50", "send_lateness_p50"), ("p99", "send_lateness_p99"),
                          ("p99.9", "send_lateness_p99.9"))),
    ("loadgen_lateness_us", (("p99", "loadgen_lateness_p99"), ("p99.9", "loadgen_lateness_p99.9"))),
    ("response_us", (("p50", "response_p50"), ("p99", "response_p99"))),
)


# At or above this share of its core, lapwise-load itself is the bottleneck of a run.
LOADGEN_BOUND_UTIL = 0.9
# Open loop: when the generator's own lateness (a request ready to go, not yet written) reaches
# this at p99.9, the run's tail latency is partly the generator's: half the 1 ms p99 budget the
# open-loop target sets, so a figure under that budget can never hide a late generator.
LOADGEN_LATE_US = 500.0


def loadgen_utilisation(report: dict) -> float:
    """lapwise-load's CPU seconds (user + system) per wall second of its run: 1.0 means its
    (pinned) core was saturated, so the run measured the generator as much as the server. The
    wall time is the whole run as lapwise-load timed it (``cpu.wall_s``); reports without it
    (older binaries) fall back to the warmup plus the measured window."""
    cpu = report["cpu"]["user_s"] + report["cpu"]["system_s"]
    wall = float(report["cpu"].get("wall_s") or 0)
    if wall <= 0:
        wall = float(report["config"].get("warmup_s", 0)) + float(report["elapsed_s"])
    return cpu / wall if wall > 0 else 0.0


def loadgen_late(report: dict) -> bool:
    """Open loop: the generator's own lateness p99.9 reached LOADGEN_LATE_US."""
    part = report.get("open_loop", {}).get("loadgen_lateness_us")
    return bool(part and part["count"] and part["p99.9"] >= LOADGEN_LATE_US)


def loadgen_verdict(reports: Sequence[dict]) -> dict:
    """The generator's side of a set of repetitions, for a record's extra: its utilisation per
    run, and ``loadgen_bound`` when any run saturated its core or (open loop) sent late."""
    utils = [loadgen_utilisation(r) for r in reports]
    late = [loadgen_late(r) for r in reports]
    return {"loadgen_cpu_util": utils, "loadgen_late": late,
            "loadgen_bound": any(u >= LOADGEN_BOUND_UTIL for u in utils) or any(late),
            "loadgen_bound_at": LOADGEN_BOUND_UTIL, "loadgen_late_at_us": LOADGEN_LATE_US}


def to_records(adapter: str, scenario: str, param: str | None, runs: Sequence[Measured],
               extra: dict | None = None) -> list[Record]:
    """One record per metric present in every run; samples in run order."""
    if not runs:
        raise ValueError(f"{adapter} {scenario}: no runs")
    per_run = [m.metrics() for m in runs]
    common = [k for k in per_run[0] if all(k in m for m in per_run)]
    cfg = runs[0].report["config"]
    base_extra = {
        "connections": cfg["connections"], "pipeline": cfg["pipeline"], "mode": cfg["mode"],
        "rate": cfg["rate"], "duration_s": cfg["duration_s"],
        "requests": [m.report["requests"] for m in runs],
        "errors_by_kind": [m.report["errors"] for m in runs],
        "connect_errors": [m.report["connections"]["connect_errors"] for m in runs],
        "first_errors": [e for m in runs for e in m.report["first_errors"]][:8],
        "targets": [f"{r['method']} {r['target']}" for r in cfg["requests"]],
        **(extra or {}),
    }
    return [Record(adapter=adapter, scenario=scenario, param=param, metric=k,
                   unit=per_run[0][k][1], samples=[m[k][0] for m in per_run], source="lapwise",
                   extra=base_extra)
            for k in common]

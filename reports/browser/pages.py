"""Builds the two pages the browser test opens from synthetic inputs: a report from a small
result set (reports/tests/synth.py) and a trend page from a history store of a few runs."""

from __future__ import annotations

from pathlib import Path

from reports import build, trend
from reports.tests.synth import MACHINE, lap_records, write_file
from suites.results import Record, ResultFile, history

STEP = {"native": 10.0, "native-py": 60.0, "py-baseline": 500.0, "peer": 350.0}


def _lap_records() -> list[Record]:
    recs = lap_records("api", STEP, {f: v * 8 for f, v in STEP.items()})
    for r in recs:
        if r.adapter == "laps/native-py" and r.scenario in ("laps.parse", "laps.route"):
            r.extra["impl"] = "parser/native" if r.scenario == "laps.parse" else "router/native"
    return recs


def _micro(scale: float = 1.0) -> list[Record]:
    out = [Record(f"router/{impl}", "router.table_size", "time_per_op", "ns",
                  [k * scale * n ** 0.5 * (1 + 0.01 * j) for j in range(5)], param=str(n))
           for impl, k in (("native", 1.0), ("py-trie", 20.0)) for n in (10, 100, 1000)]
    out += [Record(f"server/{impl}", "server.closed_plaintext", m, u,
                   [v * (1 + 0.01 * j) for j in range(3)], param="c64-p1")
            for impl, base in (("native-py", 1.0), ("uvicorn", 8.0))
            for m, u, v in (("throughput", "req/s", 200000.0 / base),
                            ("latency_p50", "us", 100.0 * base), ("latency_p90", "us", 150.0 * base),
                            ("latency_p99", "us", 300.0 * base), ("latency_p99.9", "us", 900.0 * base))]
    return out


def report(out: Path) -> Path:
    results = out / "results"
    write_file(results / "laps.json", "laps", _lap_records())
    write_file(results / "micro.json", "micro", _micro())
    build.build(results, out / "report")
    return out / "report" / "report.html"


def trend_page(out: Path, runs: int = 5) -> Path:
    db = out / "history.sqlite"
    db.unlink(missing_ok=True)
    for i in range(runs):
        machine = {**MACHINE, "commit": f"{i:02d}" + "c" * 38}
        history.append([ResultFile("micro", machine, _micro(1.0 + 0.05 * (i == runs - 1)),
                                   created=f"2026-01-0{i + 1}T00:00:00+00:00")],
                       options="--quick", db=db)
    return trend.build(str(db), out / "trend")

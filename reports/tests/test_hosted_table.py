"""The hosted lap family in the report: steps per host, predicted vs measured, its
reconciliation check (a warning after one end-to-end round, a failure after more), the Summary
line, and the hosting benchmark's table, from synthetic records."""

from __future__ import annotations

from reports import hosted_table
from reports.build import main
from reports.checks import CHECK_FAILED
from reports.tests.synth import write_file
from suites.results import Record

APP = "fastapi-app-items"


def _hosted(e2e: dict[str, float], rounds: int = 2) -> list[Record]:
    steps = {"lapwise-asgi": (60.0, 2.0, -1.0, 6.0), "uvicorn": (60.0, 9.0, 6.5, 5.5)}
    inputs = {"e2e": {f"{h}/{a}": [1.0] * rounds for h in steps for a in ("raw-asgi-json", APP)}}
    out = []
    for host, vals in steps.items():
        row = dict(zip(hosted_table.STEPS, vals))
        row["predicted"] = sum(vals)
        row["e2e"] = e2e[host]
        row["residual"] = e2e[host] - row["predicted"]
        for step, v in row.items():
            out.append(Record(f"laps/hosted-{host}", f"laps.hosted.{APP}", "cpu_time_per_op", "us", [v],
                              param=step, extra={"family": f"hosted-{host}", "step": step, "inputs": inputs}))
    return out


def _hosting() -> list[Record]:
    out = []
    for server, cpu in {"lapwise-asgi": 20.0, "uvicorn": 30.0, "hypercorn": 60.0, "daphne": 90.0}.items():
        for metric, unit, v in (("cpu_per_request", "us", cpu), ("throughput", "req/s", 1e6 / cpu),
                                ("errors", "count", 5.0 if server == "daphne" else 0.0)):
            out.append(Record(f"server/{server}", "hosting.starlette-app-json", metric, unit, [v, v, v],
                              param="c64"))
    return out


def _report(tmp_path, records: list[Record]) -> tuple[int, str]:
    d = tmp_path / "results"
    write_file(d / "hosted.json", "laps.hosted", records)
    code = main(["--results", str(d), "--out", str(tmp_path / "r")])
    return code, (tmp_path / "r" / "report.md").read_text()


def test_family_table_reconciles_and_summarises(tmp_path) -> None:
    code, md = _report(tmp_path, _hosted({"lapwise-asgi": 70.0, "uvicorn": 85.0}) + _hosting())
    assert code == 0
    section = md.split(f"## Lap table — hosted app `{APP}`")[1].split("\n## ")[0]
    assert "| step | lapwise-asgi | uvicorn | ratio |" in section
    assert "| server's own Python | 2.00 | 9.00 | 0.22x |" in section
    assert "| **predicted** (sum of the steps) | 67.00 | 81.00 | 0.83x |" in section
    assert "| **measured** end to end | 70.00 | 85.00 | 0.82x |" in section
    assert "lapwise-asgi predicted within 4.3% of measured (ok)" in section
    summary = md.split("## Summary")[1].split("\n## ")[0]
    assert f"| {APP}: lapwise-asgi vs uvicorn | 70.0 vs 85.0 us | 0.82x the CPU | 1.21x |" in summary
    hosting = md.split("## Hosted apps end to end")[1].split("\n## ")[0]
    assert "| starlette-app-json | lapwise-asgi | 20.00 | 50,000 | 0 |  |" in hosting
    assert "| starlette-app-json | hypercorn | 60.00 | 16,667 | 0 | 3.00x |" in hosting
    assert "| starlette-app-json | daphne | 90.00 | 11,111 | 15 | — (errors) |" in hosting
    assert "hosting." not in md.split("## Micro benchmarks")[1].split("\n## ")[0]
    assert "laps.hosted" not in md.split("## Lap table\n")[1].split("\n## ")[0]  # not a step family


def test_a_miss_fails_after_two_rounds_and_warns_after_one(tmp_path) -> None:
    missed = {"lapwise-asgi": 70.0, "uvicorn": 100.0}  # 81 predicted: 19% off
    code, md = _report(tmp_path / "two", _hosted(missed, rounds=2))
    assert code == CHECK_FAILED
    assert "| reconciliation | FAIL | hosted lap family" in md
    code, md = _report(tmp_path / "one", _hosted(missed, rounds=1))
    assert code == 0
    assert "| reconciliation | warning | hosted lap family" in md

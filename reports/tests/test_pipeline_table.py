"""The fetch-and-extract pipeline shown as a lap family: steps per pipeline with their
contracts, the wall time, lapwise's speedups against the targets, and none of it in the micro
table."""

from __future__ import annotations

from reports import pipeline_table
from reports.build import main
from reports.tests.synth import write_file
from suites.results import Record


def _pipeline_records() -> list[Record]:
    recs = []
    cost = {"lapwise": 1.0, "aiohttp-native": 1.3, "aiohttp-bs4": 60.0}
    for name, k in cost.items():
        common = {"family": "pipeline", "pages": 1000, "concurrency": 32, "step_pages": 100,
                  "engine": "html/native", "design": f"{name} design"}
        recs.append(Record(f"pipeline/{name}", "pipeline.wall", "wall_time", "s",
                           [6.5 * k, 6.6 * k, 6.4 * k], param="1000", extra=dict(common)))
        recs.append(Record(f"pipeline/{name}", "pipeline.cpu", "cpu_per_page", "ms",
                           [2.0 * k, 2.1 * k, 1.9 * k], param="1000", extra=dict(common)))
        for step in pipeline_table.STEPS:
            recs.append(Record(f"pipeline/{name}", f"pipeline.{step}", "time_per_page", "ms",
                               [0.5 * k], param="1000", extra={**common, "step": step}))
    for other, (v, lo, hi, target) in {"aiohttp-native": (1.3, 0.9, 2.1, 2.0),
                                       "aiohttp-bs4": (60.0, 55.0, 66.0, 10.0)}.items():
        recs.append(Record("pipeline/lapwise", "pipeline.speedup", "speedup", "ratio", [v],
                           param=other, extra={"ci95": [lo, hi], "target": target}))
    return recs


def test_speedups_against_their_targets() -> None:
    rows = {r[0]: r for r in pipeline_table.speedup_rows(_pipeline_records())}
    assert rows["lapwise vs aiohttp-bs4"][1].startswith("pays: 60.00x [55.00, 66.00]")
    assert rows["lapwise vs aiohttp-bs4"][2] == "10x: met"
    assert rows["lapwise vs aiohttp-native"][2].startswith("2x: undecided")
    assert rows["lapwise vs aiohttp-bs4"][3].startswith("pays: 60.00x")  # CPU per page


def test_report_shows_the_pipeline_family_with_contracts(tmp_path) -> None:
    d = tmp_path / "results"
    write_file(d / "pipeline.json", "e2e.pipeline", _pipeline_records())
    assert main(["--results", str(d), "--out", str(tmp_path / "r")]) == 0
    md = (tmp_path / "r" / "report.md").read_text()
    section = md.split("## Lap table — fetch-and-extract pipeline")[1].split("\n## ")[0]
    head = section.split("| step | lapwise | aiohttp-native | aiohttp-bs4 |")[1]
    assert "| to Python objects | 0.5 ms (n=1) | 0.65 ms (n=1) | 30 ms (n=1) |" in head
    assert "| **whole pipeline** (wall) | 6.5 s [6.4, 6.6] n=3 |" in head
    assert "| **whole pipeline** (CPU per page) | 2 ms [1.9, 2.1] n=3 |" in head
    for step in pipeline_table.STEPS:
        label = pipeline_table.STEP_LABELS[step]
        assert f"| {label} | {pipeline_table.STEP_CONTRACTS[step]} |" in section
    assert "lapwise vs aiohttp-bs4 | pays: 60.00x" in md.split("## Lap table")[0]  # the summary
    assert "pipeline." not in md.split("## Micro benchmarks")[1].split("\n## ")[0]

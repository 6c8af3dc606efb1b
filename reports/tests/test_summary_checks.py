"""The summary's verdicts and the checks block: direction-aware ratios, steps without native
code never credited, a failed check named at the top and in the exit status."""

from __future__ import annotations

import warnings

from reports import checks, laps, summary
from reports.build import main
from reports.tests.synth import lap_records, write_file
from suites.results import Record, stats


def _laps() -> list[Record]:
    step = {"native": 10.0, "native-py": 60.0, "py-baseline": 500.0, "peer": 61.0}
    recs = lap_records("api", step, {f: v * 8 for f, v in step.items()})
    for r in recs:
        if r.adapter == "laps/native-py":
            r.extra["impl"] = "parser/native" if r.scenario == "laps.parse" else "python (glue)"
    return recs


def test_verdicts() -> None:
    assert summary.verdict(stats.Estimate(6.2, 5.9, 6.5, 5)).startswith("pays: 6.20x [5.90, 6.50]")
    assert summary.verdict(stats.Estimate(1.02, 0.97, 1.08, 5)).startswith("no gain")
    assert summary.verdict(stats.Estimate(1.04, 1.01, 1.07, 5)).startswith("no gain")
    assert summary.verdict(stats.Estimate(0.5, 0.45, 0.55, 5)).startswith("worse")


def test_lap_rows_credit_only_native_steps() -> None:
    rows = {r[0]: r for r in summary.lap_rows(laps.build(_laps(), "api"))}
    assert rows["parse request"][2].startswith("pays: 8.33x")
    assert rows["parse request"][3].startswith("no gain")  # peer 61 vs 60
    assert rows["build response bytes"][2] == summary.NO_NATIVE


def test_rates_rank_the_right_way() -> None:
    def rec(impl: str, v: float) -> Record:
        return Record(f"client/{impl}", "client.throughput", "throughput", "req/s",
                      [v, v * 1.01, v * 0.99])
    rows = summary.scenario_rows([rec("native", 2000.0), rec("py-asyncio", 1000.0),
                                  rec("pycurl", 20000.0)])
    assert rows[0][3].startswith("pays: 2.00x") and rows[0][4].startswith("worse: 0.10x")


def _open_point(rate: float, got: float, bound: bool) -> Record:
    return Record("server/x", "server.open_plaintext", "throughput", "req/s", [got, got],
                  param="80pct", extra={"rate": rate, "loadgen_bound": bound})


def test_checks_name_saturation_loadgen_and_skips() -> None:
    found = checks.run([_open_point(1000.0, 700.0, False), _open_point(1000.0, 999.0, True),
                        Record("parser/x", "parser.conformance", "missing", "count", [0.0],
                               extra={"reason": "httptools not installed"})])
    assert sorted(c.name for c in checks.failed(found)) == ["saturation", "skipped"]
    assert [c.name for c in checks.warned(found)] == ["load generator bound"]


def test_loadgen_bound_short_point_is_a_warning_not_a_saturation() -> None:
    found = checks.run([_open_point(1000.0, 600.0, True)])
    assert checks.failed(found) == []
    (warn,) = checks.warned(found)
    assert warn.result == "warning" and "600 of 1,000 req/s asked" in warn.detail


def test_loadgen_bound_points_take_no_verdict(tmp_path, capsys) -> None:
    def rec(impl: str, v: float, bound: bool) -> Record:
        return Record(f"server/{impl}", "server.closed_plaintext", "throughput", "req/s",
                      [v, v * 1.01, v * 0.99], param="c64-p1", extra={"loadgen_bound": bound})
    recs = [rec("native", 300000.0, True), rec("py-asyncio", 40000.0, False),
            rec("nginx", 250000.0, True)]
    assert summary.scenario_rows(recs) == []  # native bound: no verdict at all
    d = tmp_path / "results"
    write_file(d / "e2e.json", "e2e", recs)
    assert main(["--results", str(d), "--out", str(tmp_path / "r")]) == 0
    assert "check warning: load generator bound" in capsys.readouterr().err
    head = (tmp_path / "r" / "report.md").read_text().split("## Summary")[0]
    assert "No check failed" in head and "2 warning(s)" in head and "| warning |" in head


def test_exit_status_3_and_checks_block_first(tmp_path, capsys) -> None:
    d = tmp_path / "results"
    write_file(d / "laps.json", "laps", _laps())
    write_file(d / "e2e.json", "e2e", [_open_point(1000.0, 500.0, False)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no matplotlib warning may leak
        assert main(["--results", str(d), "--out", str(tmp_path / "r")]) == checks.CHECK_FAILED
    assert "saturation" in capsys.readouterr().err
    md = (tmp_path / "r" / "report.md").read_text()
    assert md.index("## Checks") < md.index("## Summary") < md.index("Lap table")
    assert "FAILED" in md.split("## Summary")[0]


def test_vs_best_follows_direction(tmp_path) -> None:
    d = tmp_path / "results"
    recs = [Record(f"client/{impl}", "client.throughput", "throughput", "req/s", [v, v])
            for impl, v in (("httpx", 683.0), ("pycurl", 20750.0))]
    write_file(d / "c.json", "client", recs)
    assert main(["--results", str(d), "--out", str(tmp_path / "r")]) == 0
    md = (tmp_path / "r" / "report.md").read_text()
    micro = md.split("## Micro benchmarks")[1]
    assert "| client/pycurl | throughput | 2.075e+04" in micro and "| 1.00x |" in micro
    assert "30.38x" in micro.split("client/httpx")[1].splitlines()[0]

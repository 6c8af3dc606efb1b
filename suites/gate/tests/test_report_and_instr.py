"""Rows, verdicts, exit status and the instruction-count gate's comparisons; a missing
baseline is reported as MISSING (exit 1), never as a pass or a crash."""

import io
import json
from pathlib import Path

import pytest

from suites.gate import baselines, built_drivers, callgrind, cli, config, instr, report
from suites.gate.config import InstrThreshold
from suites.gate.stats import Verdict

THR = InstrThreshold(1.0, "exact counts", "instr")


@pytest.mark.parametrize("base,head,want", [
    (1000, 1000, Verdict.PASS),
    (1000, 1010, Verdict.PASS),      # exactly +1%: not over
    (1000, 1011, Verdict.FAIL),
    (1000, 1030, Verdict.FAIL),
    (1000, 900, Verdict.PASS),       # an improvement passes, with a note to refresh
])
def test_compare_thresholds(base, head, want):
    row = instr.compare("x.y/z", base, callgrind.Count(head), THR, missing_note="m")
    assert row.verdict is want
    if head < base:
        assert "improved" in row.note and "--update" in row.note
    if want is Verdict.FAIL:
        assert "exact counts" in row.note and "+1%" in row.note


def test_compare_missing_baseline_and_error():
    row = instr.compare("x.y/z", None, callgrind.Count(1000), THR, missing_note="no baseline here")
    assert row.verdict is Verdict.MISSING and row.note == "no baseline here" and row.head == "1,000"
    row = instr.compare("x.y/z", 1000, callgrind.Count(None, "driver exit 3: wrong"), THR, missing_note="m")
    assert row.verdict is Verdict.ERROR and "wrong" in row.note


def _rows(*verdicts):
    return [report.Row(f"b{i}", "1", "1", "1", "-", "+1%", v) for i, v in enumerate(verdicts)]


@pytest.mark.parametrize("verdicts,allow,rc", [
    ((Verdict.PASS, Verdict.WARN), False, 0),
    ((Verdict.PASS, Verdict.FAIL), False, 1),
    ((Verdict.PASS, Verdict.ERROR), True, 1),
    ((Verdict.PASS, Verdict.MISSING), False, 1),
    ((Verdict.PASS, Verdict.MISSING), True, 0),
    ((), False, 1),                   # nothing gated is not a pass
])
def test_exit_status(verdicts, allow, rc):
    assert report.exit_status(_rows(*verdicts), allow_missing=allow) == rc


def test_closing_line_counts_and_names():
    line = report.closing_line("instr", _rows(Verdict.PASS, Verdict.FAIL, Verdict.MISSING))
    assert line.startswith("gate instr: FAIL - 1 passed, 1 failed, 1 missing of 3 benchmarks")
    assert "b1 fail" in line and "b2 missing" in line


@pytest.mark.parametrize("verdicts,expect,rc", [
    ((Verdict.FAIL, Verdict.FAIL), "fail", 0),
    ((Verdict.FAIL, Verdict.PASS), "fail", 1),
    ((Verdict.FAIL, Verdict.ERROR), "fail", 1),   # a crash is not the failure a self-test wants
    ((Verdict.MISSING,), "fail", 1),
    ((Verdict.PASS, Verdict.WARN), "pass", 0),
    ((Verdict.PASS, Verdict.FAIL), "pass", 1),
])
def test_self_test_expectation(verdicts, expect, rc):
    assert report.expectation(_rows(*verdicts), expect)[0] == rc


def test_table_has_every_column_and_notes():
    rows = _rows(Verdict.PASS)
    rows[0].note = "do this"
    out = io.StringIO()
    report.emit("instr", rows, out, json_path=None)
    text = out.getvalue()
    for col in ("benchmark", "base", "head", "ratio", "interval", "threshold", "verdict"):
        assert col in text.splitlines()[0]
    assert "b0: do this" in text and text.rstrip().endswith("of 1 benchmarks")


def test_baseline_store_and_lookup(tmp_path):
    assert baselines.lookup("router.github_all/native", tmp_path) is None
    baselines.store({"router.github_all/native": 123, "gate.spin/calibrated": 7},
                    {"compiler": "GNU 12"}, tmp_path)
    got = baselines.lookup("router.github_all/native", tmp_path)
    assert got.instructions == 123 and got.path == tmp_path / "router.json"
    assert got.recorded_with == {"compiler": "GNU 12"}
    assert baselines.lookup("router.static_all/native", tmp_path) is None
    baselines.store({"router.static_all/native": 5}, {}, tmp_path)   # keeps the others
    assert baselines.lookup("router.github_all/native", tmp_path).instructions == 123


def test_a_corrupt_baseline_names_the_file(tmp_path):
    (tmp_path / "router.json").write_text("{not json")
    with pytest.raises(baselines.BaselineError, match="router.json"):
        baselines.lookup("router.x/native", tmp_path)


def _fake_build(tmp_path: Path) -> Path:
    """A build whose one driver is a script listing one benchmark (counts are faked)."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    exe = tmp_path / "driver"
    exe.write_text("#!/bin/sh\ncase $1 in --list) echo fake.one/native;; "
                   "--info) printf 'compiler=c\\nflags=f\\ninject_pct=0\\n';; esac\n")
    exe.chmod(0o755)
    (tmp_path / "gate").mkdir()
    (tmp_path / "gate" / "drivers.json").write_text(json.dumps(
        {"drivers": [{"name": "fake", "exe": str(exe), "inject_pct": 0, "inject": {}}]}))
    return tmp_path


def test_cli_reports_a_missing_baseline(tmp_path, monkeypatch, capsys):
    build = _fake_build(tmp_path / "b")
    monkeypatch.setattr(callgrind, "count", lambda exe, bench, **kw: callgrind.Count(4242))
    rc = cli.main(["instr", "--quiet", "--build-dir", str(build), "--baselines", str(tmp_path / "none")])
    out = capsys.readouterr().out
    assert rc == 1
    assert "MISSING" in out and "fake.one/native" in out and "--update" in out
    assert "gate instr: FAIL - 0 passed, 0 failed, 1 missing of 1 benchmarks" in out
    rc = cli.main(["instr", "--quiet", "--build-dir", str(build), "--baselines",
                   str(tmp_path / "none"), "--allow-missing"])
    assert rc == 0 and "1 missing (allowed)" in capsys.readouterr().out


def test_cli_update_then_pass_then_regress(tmp_path, monkeypatch, capsys):
    build = _fake_build(tmp_path / "b")
    store = tmp_path / "baselines"
    monkeypatch.setattr(callgrind, "count", lambda exe, bench, **kw: callgrind.Count(1000))
    assert cli.main(["instr", "--quiet", "--build-dir", str(build), "--baselines", str(store),
                     "--update", "fake.one/native", "--reason", "first count"]) == 0
    assert json.loads((store / "fake.json").read_text())["benchmarks"] == {"fake.one/native": {"instructions": 1000}}
    assert cli.main(["instr", "--quiet", "--build-dir", str(build), "--baselines", str(store)]) == 0
    monkeypatch.setattr(callgrind, "count", lambda exe, bench, **kw: callgrind.Count(1030))
    assert cli.main(["instr", "--quiet", "--build-dir", str(build), "--baselines", str(store)]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_cli_without_a_build_says_so(tmp_path, capsys):
    assert cli.main(["instr", "--quiet", "--build-dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "gate instr: FAIL" in out and "drivers.json not found" in out


def test_cli_broken_thresholds_names_file_and_field(tmp_path, capsys):
    bad = tmp_path / "t.toml"
    bad.write_text(config.DEFAULT_PATH.read_text().replace("max_increase_pct = 1.0", 'max_increase_pct = "x"'))
    assert cli.main(["instr", "--quiet", "--thresholds", str(bad), "--build-dir", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert str(bad) in out and "instr.max_increase_pct" in out


def test_update_refuses_an_injected_build(tmp_path, monkeypatch):
    build = _fake_build(tmp_path / "b")
    doc = json.loads((build / "gate" / "drivers.json").read_text())
    doc["drivers"][0]["inject_pct"] = 3
    (build / "gate" / "drivers.json").write_text(json.dumps(doc))
    with pytest.raises(built_drivers.GateError, match="INJECT"):
        instr.update(build, tmp_path / "s", None, reason="r", commit="c")

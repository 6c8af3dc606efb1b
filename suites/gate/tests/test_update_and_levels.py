"""--update re-records only named benchmarks and logs each change; a benchmark the CPU (or
valgrind's CPU) cannot run is a SKIP with its reason, never a failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from suites.gate import baselines, built_drivers, cli, instr, report
from suites.gate.report import Row
from suites.gate.stats import Verdict


def test_a_bare_update_is_refused_with_how_to_name_benchmarks(capsys):
    assert cli.main(["instr", "--update"]) == 2
    out = capsys.readouterr().out
    assert "refused" in out and "--update parser.pico_bench/native-avx2" in out and "--update-all" in out


def test_update_needs_a_reason(capsys):
    assert cli.main(["instr", "--update", "router.github_all/native"]) == 2
    assert "--reason" in capsys.readouterr().out


def test_store_logs_old_and_new_with_commit_and_reason(tmp_path):
    baselines.store({"router.a/native": 1000}, {"compiler": "c"}, tmp_path,
                    requires={"router.a/native": ("avx2", "bmi1")}, reason="first", commit="abc")
    baselines.store({"router.a/native": 1010}, {"compiler": "c"}, tmp_path, reason="one more\ncheck",
                    commit="def+dirty")
    lines = [ln.split("\t") for ln in baselines.log_path(tmp_path).read_text().splitlines()
             if not ln.startswith("#")]
    assert [ln[1:] for ln in lines] == [
        ["abc", "router.a/native", "new -> 1,000", "first"],
        ["def+dirty", "router.a/native", "1,000 -> 1,010 (+1.00%)", "one more check"]]
    assert baselines.lookup("router.a/native", tmp_path).instructions == 1010


def test_requires_is_kept_beside_the_count(tmp_path):
    baselines.store({"parser.x/native-avx2": 5}, {}, tmp_path, requires={"parser.x/native-avx2": ("avx2", "bmi1")})
    assert baselines.lookup("parser.x/native-avx2", tmp_path).requires == ("avx2", "bmi1")
    doc = json.loads((tmp_path / "parser.json").read_text())
    assert doc["benchmarks"]["parser.x/native-avx2"]["requires"] == "avx2 bmi1"


def test_forget_removes_and_logs(tmp_path):
    baselines.store({"parser.x/native": 7, "parser.y/native": 8}, {}, tmp_path)
    assert baselines.forget(["parser.x/native", "parser.z/native"], tmp_path, reason="meaning changed",
                            commit="c") == ["parser.x/native"]
    assert baselines.lookup("parser.x/native", tmp_path) is None
    assert "parser.x/native\t7 -> removed\tmeaning changed" in baselines.log_path(tmp_path).read_text()


class _View(instr.CpuView):
    def __init__(self, native, emulated):
        super().__init__()
        self._native[Path("d")] = native
        self._emulated[Path("d")] = emulated


N = built_drivers.Needs
AVX512 = ("avx512f", "avx512bw", "avx512vbmi", "avx2", "bmi1")


def test_a_level_the_cpu_lacks_is_skipped_naming_the_flags(monkeypatch):
    monkeypatch.setattr(instr, "cpu_flags", lambda: {"avx2", "bmi1"})
    v = _View({"p/native-avx512": N(AVX512, False)}, {"p/native-avx512": N(AVX512, False)})
    why = v.skip_reason(Path("d"), "p/native-avx512")
    assert why.startswith("this CPU lacks avx512bw avx512f avx512vbmi")


def test_a_level_valgrind_hides_is_skipped_and_points_at_the_time_gate():
    v = _View({"p/native": N(AVX512, True), "p/native-avx2": N(("avx2", "bmi1"), True)},
              {"p/native": N(("avx2", "bmi1"), True), "p/native-avx2": N(("avx2", "bmi1"), True)})
    why = v.skip_reason(Path("d"), "p/native")
    assert "valgrind" in why and "avx512bw avx512f avx512vbmi" in why and "ratio" in why
    assert v.skip_reason(Path("d"), "p/native-avx2") is None


def test_a_baseline_of_another_level_is_not_compared():
    v = _View({"p/native": N(("avx2", "bmi1"), True)}, {"p/native": N(("avx2", "bmi1"), True)})
    assert "another level" in v.skip_reason(Path("d"), "p/native", stored_flags=AVX512)
    assert v.skip_reason(Path("d"), "p/native", stored_flags=("avx2", "bmi1")) is None


def test_skip_rows_pass_and_are_left_out_of_an_expected_failure():
    rows = [Row("a", "1", "2", "", "", "", Verdict.FAIL), Row("b", "-", "-", "", "", "", Verdict.SKIP)]
    assert report.expectation(rows, "fail")[0] == 0
    assert report.expectation([rows[1]], "fail")[0] == 1  # nothing measured is no failure
    assert report.exit_status([rows[1]]) == 0
    assert "1 skipped" in report.closing_line("instr", rows)


@pytest.mark.parametrize("text,want", [
    ("p/native\tavx2 bmi1\tyes\np/native-scalar\t\tyes\n",
     {"p/native": N(("avx2", "bmi1"), True), "p/native-scalar": N((), True)}),
    ("", {}),
])
def test_requirements_parse_the_driver_lines(tmp_path, text, want):
    out = tmp_path / "requires.txt"
    out.write_text(text)
    exe = tmp_path / "drv"
    exe.write_text(f"#!/bin/sh\ncat '{out}'\n")
    exe.chmod(0o755)
    assert built_drivers.requirements(exe) == want

"""The README's figures are the published run's: regenerating the block from
reports/latest/results (and any reports/machines/*/results) must give the README as it is."""

from __future__ import annotations

import json
import shutil

import pytest

from reports import readme


def test_readme_figures_match_the_published_results():
    text = (readme.ROOT / "README.md").read_text()
    runs = readme.read_runs(readme.default_dirs())
    assert runs, "no published results in reports/latest/results"
    assert readme.replace_block(text, readme.block(runs)) == text, (
        "README figures differ from the published results: run python -m reports.readme")


def _copy_run(tmp_path, name, cpu):
    src = readme.ROOT / "reports" / "latest" / "results"
    dst = tmp_path / name
    shutil.copytree(src, dst)
    for p in dst.glob("*.json"):
        data = json.loads(p.read_text())
        data["machine"]["cpu_model"] = cpu
        p.write_text(json.dumps(data))
    return dst


def test_a_changed_figure_makes_the_check_fail(tmp_path):
    run = _copy_run(tmp_path, "a", "Intel(R) Xeon(R) Processor")
    page = tmp_path / "README.md"
    page.write_text(f"x\n{readme.BEGIN}\n{readme.END}\n")
    assert readme.main(["--readme", str(page), "--results", str(run)]) == 0
    assert readme.main(["--readme", str(page), "--results", str(run), "--check"]) == 0
    laps = run / "laps.json"
    data = json.loads(laps.read_text())
    for r in data["records"]:
        if r["metric"] == "cpu_time_per_op":
            r["samples"] = [s * 2 for s in r["samples"]]
    laps.write_text(json.dumps(data))
    assert readme.main(["--readme", str(page), "--results", str(run), "--check"]) == 1


def test_two_machines_get_their_own_columns(tmp_path):
    runs = readme.read_runs([_copy_run(tmp_path, "a", "Intel Xeon"),
                             _copy_run(tmp_path, "b", "AMD EPYC")], root=tmp_path)
    text = readme.block(runs)
    assert "native-py (A)" in text and "native-py (B)" in text
    assert "**A**: Intel Xeon" in text and "**B**: AMD EPYC" in text


def test_missing_markers_are_an_error(tmp_path):
    page = tmp_path / "README.md"
    page.write_text("no block\n")
    assert readme.main(["--readme", str(page), "--results", str(tmp_path)]) == 2
    with pytest.raises(ValueError):
        readme.replace_block("x", "y")

"""ci/bench records the machine's load: a run with one stand-in Google Benchmark binary (a
shell script writing a fixed result, nothing timed) leaves a result file whose load has the
job's and the run's readings, and the report's opening sentence is written from them."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

FAKE_BENCH = """#!/bin/sh
for a in "$@"; do case $a in --benchmark_out=*) out=${a#--benchmark_out=};; esac; done
cat > "$out" <<'JSON'
{"context": {}, "benchmarks": [{"name": "router.stand_in/native", "run_name": "router.stand_in/native",
 "run_type": "iteration", "iterations": 10, "real_time": 5.0, "cpu_time": 5.0, "time_unit": "ns"}]}
JSON
"""


def test_a_run_stamps_job_and_run_load_and_the_report_says_it(tmp_path):
    build = tmp_path / "build"
    bench = build / "cores" / "router" / "stand_in_bench"
    bench.parent.mkdir(parents=True)
    bench.write_text(FAKE_BENCH)
    bench.chmod(bench.stat().st_mode | stat.S_IXUSR)
    root = tmp_path / "root"
    (root / "suites" / "micro").mkdir(parents=True)  # no pytest or suite jobs: the stand-in alone
    out = tmp_path / "results"
    run = subprocess.run([sys.executable, "-m", "suites.runner", "--root", str(root), "--build", str(build),
                          "--out", str(out), "--no-history", "--quick"],
                         capture_output=True, text=True, timeout=120, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert run.returncode == 0, run.stderr[-800:]
    assert "gbench stand_in_bench: ok" in run.stderr and "load " in run.stderr
    data = json.loads((out / "micro.gbench.stand_in_bench.json").read_text())
    assert data["schema"] == "lapwise.results/v2"
    assert set(data["load"]) == {"start", "end", "run_start", "run_end"}
    assert all(len(v) == 3 and min(v) >= 0 for v in data["load"].values())
    report = (out / "report" / "report.md").read_text()
    opening = report.split("\n\n")[1]
    assert opening.startswith("Built ") and "not recorded" not in opening
    assert "The machine was quiet" in opening or "The machine was shared with other work" in opening
    assert "4 readings" in opening, opening  # the run's start and end, the job's start and end

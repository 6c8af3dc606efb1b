"""The jobs ci/bench discovers for this session's suites: the hosted lap family in both modes
(small under --quick), the hosting benchmark, Server-Sent Events and the static-file download
only in full mode, each writing a result file into the results directory; a Google Benchmark
binary's kinds include those its benchmark names give."""

from __future__ import annotations

from pathlib import Path

from suites.runner import jobs

ROOT = Path(__file__).resolve().parents[3]


def _settings(tmp_path: Path, quick: bool) -> jobs.Settings:
    return jobs.Settings(root=ROOT, build=tmp_path / "build", results=tmp_path / "results", quick=quick,
                         adapters=None)


def _by_name(tmp_path: Path, quick: bool, kinds: set[str] | None = None) -> dict[str, jobs.Job]:
    return {j.name: j for j in jobs.discover(_settings(tmp_path, quick), kinds)}


def _arg(job: jobs.Job, flag: str) -> str:
    return job.argv[job.argv.index(flag) + 1]


def test_quick_runs_the_hosted_family_small_and_nothing_long(tmp_path):
    found = _by_name(tmp_path, quick=True)
    hosted = found["suite laps hosted"]
    assert hosted.argv[1:3] == ["-m", "suites.laps.hosted_family"]
    assert (_arg(hosted, "--seconds"), _arg(hosted, "--e2e-rounds")) == ("1", "1")
    assert _arg(hosted, "--json") == str(tmp_path / "results" / "laps_hosted.json")
    assert {"laps", "hosting"} <= hosted.kinds
    for long_job in ("suite hosting", "suite sse lapwise-app", "suite sse uvicorn", "suite static files"):
        assert long_job not in found


def test_full_mode_adds_hosting_sse_and_static_with_result_files(tmp_path):
    found = _by_name(tmp_path, quick=False)
    assert int(_arg(found["suite laps hosted"], "--e2e-rounds")) >= 2
    outs = {name: Path(_arg(j, "--json" if "--json" in j.argv else "--out")) for name, j in found.items()
            if name in ("suite hosting", "suite sse lapwise-app", "suite sse uvicorn", "suite static files")}
    assert len(outs) == 4
    assert all(p.parent == tmp_path / "results" and p.suffix == ".json" for p in outs.values())
    assert _arg(found["suite sse uvicorn"], "--server") == "uvicorn"


def test_kinds_narrow_to_the_new_jobs(tmp_path):
    assert set(_by_name(tmp_path, quick=False, kinds={"sse"})) == {"suite sse lapwise-app", "suite sse uvicorn"}
    assert set(_by_name(tmp_path, quick=False, kinds={"static"})) == {"suite static files"}
    assert set(_by_name(tmp_path, quick=False, kinds={"hosting"})) == {"suite laps hosted", "suite hosting"}


def test_every_job_kind_is_a_known_kind(tmp_path):
    from suites.runner.main import KINDS

    for job in jobs.discover(_settings(tmp_path, quick=False), None):
        assert job.kinds & set(KINDS), job.name


def test_a_bench_binary_is_also_of_the_kinds_its_names_give(tmp_path):
    exe = tmp_path / "build" / "cores" / "parser" / "json_like_bench"
    exe.parent.mkdir(parents=True)
    exe.write_text("#!/bin/sh\necho 'json.loads[twitter]/native-reader'\necho 'query.parse/native'\n")
    exe.chmod(0o755)
    job = _by_name(tmp_path, quick=True)["gbench json_like_bench"]
    assert job.kinds == {"parser", "json", "query"}
    assert "gbench json_like_bench" in _by_name(tmp_path, quick=True, kinds={"json"})

"""ci/bench's plain-line progress (no terminal): job count, label and an estimate per line, no
redraws, and estimates that use recorded durations (no timing is asserted)."""

from __future__ import annotations

import io

from suites.runner import line_progress


def test_lines_name_the_job_count_and_an_estimate():
    out = io.StringIO()
    p = line_progress.LineProgress(["a", "b"], {"a": 10.0, "b": 20.0}, out)
    with p:
        overall = p.add_task("ci/bench", total=2)
        t = p.add_task("suite laps", total=None)
        p.update(t, completed=1, total=4, description="suite laps: api peer #1")
        p.update(t, description="suite laps: ok")
        p.advance(overall)
        p.add_task("suite e2e", total=None)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("[1/2] suite laps (est. ")
    assert lines[-1].startswith("[2/2] suite e2e (est. ")
    assert not any("\r" in ln or ": ok" in ln for ln in lines)
    assert all("left)" in ln for ln in lines)


def test_unknown_durations_say_so():
    p = line_progress.LineProgress(["a", "b"], {}, io.StringIO())
    p.add_task("ci/bench", total=2)
    p.add_task("a")
    assert p.left() is None and line_progress.fmt_left(None) == "est. unknown"


def test_durations_round_trip(tmp_path):
    f = tmp_path / "d.json"
    line_progress.save_durations(f, {"a": 1.5})
    line_progress.save_durations(f, {"b": 2.0})
    assert line_progress.load_durations(f) == {"a": 1.5, "b": 2.0}
    f.write_text("not json")
    assert line_progress.load_durations(f) == {}


def test_jobs_never_timed_are_counted_not_guessed():
    out = io.StringIO()
    p = line_progress.LineProgress(["a", "b"], {"a": 10.0}, out)
    p.add_task("ci/bench", total=2)
    p.add_task("a")
    assert "plus 1 job(s) never timed here" in out.getvalue()

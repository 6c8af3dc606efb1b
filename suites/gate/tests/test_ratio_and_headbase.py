"""The ratio runner on fake and real commands, and head-vs-base's git plumbing on a scratch
repository (the real repository's state is never touched)."""

import subprocess
import sys

import pytest

from suites.gate import headbase, ratio
from suites.gate.stats import Verdict


def _fake(times_a, times_b):
    """measure_fn returning A's and B's values in the order they are asked for."""
    it = {"A": iter(times_a), "B": iter(times_b)}

    def measure(argv):
        return ratio.Measurement(next(it[argv[0]]))
    return measure


def _row(run, **kw):
    return ratio.row(run, reason="r", resamples=500, confidence=0.95, seed=1, **kw)[0]


def test_injected_slowdown_fails_and_aa_passes():
    import random
    rng = random.Random(4)
    n = 16
    noise = lambda: 100 * (1 + rng.uniform(-0.05, 0.05))  # noqa: E731
    a = [noise() for _ in range(n + 1)]
    b = [noise() * 1.25 for _ in range(n + 1)]
    run = ratio.collect("x", ["A"], ["B"], rounds=n, seed=1, measure_fn=_fake(a, b))
    assert len(run.base) == len(run.head) == n
    assert _row(run, max_ratio=1.10).verdict is Verdict.FAIL
    same = [noise() for _ in range(n + 1)]
    run = ratio.collect("x", ["A"], ["B"], rounds=n, seed=1, measure_fn=_fake(a, same))
    assert _row(run, max_ratio=1.10).verdict is Verdict.PASS


def test_rounds_follow_the_schedule():
    calls = []

    def measure(argv):
        calls.append(argv[0])
        return ratio.Measurement(1.0)
    run = ratio.collect("x", ["A"], ["B"], rounds=8, seed=3, measure_fn=measure)
    assert calls[:2] == ["A", "B"]  # the warm-ups
    assert [c for c in calls[2:]] == [w for pair in run.order for w in pair]


def test_a_failed_measurement_is_an_error_row():
    seq = iter([ratio.Measurement(1.0), ratio.Measurement(1.0), ratio.Measurement(1.0),
                ratio.Measurement(None, "boom")])
    run = ratio.collect("x", ["A"], ["B"], rounds=4, seed=1, measure_fn=lambda argv: next(seq))
    r = _row(run, max_ratio=1.1)
    assert r.verdict is Verdict.ERROR and "boom" in r.note


def test_an_unavailable_command_is_missing():
    def measure(argv):
        raise ratio.MissingCommand("router/native is unavailable: not built")
    r = _row(ratio.collect("x", ["A"], ["B"], rounds=4, seed=1, measure_fn=measure), min_ratio=3.0)
    assert r.verdict is Verdict.MISSING and "not built" in r.note


@pytest.mark.parametrize("code,want", [
    ("print('warming'); print('12.5 ns')", 12.5),
    ("print(3)", 3.0),
])
def test_measure_reads_the_last_line(code, want):
    assert ratio.measure([sys.executable, "-c", code]).value == want


@pytest.mark.parametrize("code,fragment", [
    ("print('fast')", "not a number"),
    ("print(0)", "not positive"),
    ("import sys; sys.exit('bad answer')", "exit 1: bad answer"),
    ("", "not a number"),
])
def test_measure_errors_say_why(code, fragment):
    m = ratio.measure([sys.executable, "-c", code])
    assert m.value is None and fragment in m.error


def test_measure_exit_77_means_unavailable():
    with pytest.raises(ratio.MissingCommand, match="no adapter"):
        ratio.measure([sys.executable, "-c", "import sys; print('no adapter', file=sys.stderr); sys.exit(77)"])


@pytest.fixture
def repo(tmp_path):
    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)
    git("init", "-q", "-b", "main")
    git("config", "user.email", "t@example.invalid")
    git("config", "user.name", "t")
    (tmp_path / "f.txt").write_text("base\n")
    git("add", "f.txt")
    git("commit", "-q", "-m", "base")
    (tmp_path / "f.txt").write_text("working tree\n")  # uncommitted: head only
    return tmp_path


def test_headbase_exports_the_committed_base(repo, tmp_path):
    assert headbase.default_base_ref(repo) == "HEAD"
    commit = headbase.merge_base("HEAD", repo)
    dest = headbase.export_tree(commit, tmp_path / "out", repo)
    assert (dest / "f.txt").read_text() == "base\n"
    assert (repo / "f.txt").read_text() == "working tree\n"
    assert headbase.export_tree(commit, dest, repo) == dest  # reused


def test_headbase_unknown_ref_is_an_error(repo):
    with pytest.raises(headbase.GateError, match="merge-base"):
        headbase.merge_base("no-such-branch", repo)


def _commit(repo, name, text):
    (repo / name).write_text(text)
    subprocess.run(["git", "add", name], cwd=repo, check=True, capture_output=True)
    subprocess.run(["git", "commit", "-q", "-m", name], cwd=repo, check=True, capture_output=True)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, check=True, capture_output=True,
                          text=True).stdout.strip()


def test_ci_base_without_a_parent_is_none_with_the_reason(repo):
    base, why = headbase.ci_base(cwd=repo)
    assert base is None and "no parent commit" in why and "fresh clone" in why


def test_ci_base_on_main_is_the_previous_commit(repo):
    first = headbase.git("rev-parse", "HEAD", cwd=repo)
    _commit(repo, "g.txt", "second\n")
    base, how = headbase.ci_base(cwd=repo)
    assert base == first and "previous commit" in how


def test_ci_base_on_a_branch_is_the_merge_base_with_main(repo):
    fork = headbase.git("rev-parse", "HEAD", cwd=repo)
    subprocess.run(["git", "checkout", "-q", "-b", "topic"], cwd=repo, check=True, capture_output=True)
    _commit(repo, "g.txt", "topic 1\n")
    _commit(repo, "h.txt", "topic 2\n")
    base, how = headbase.ci_base(cwd=repo)
    assert base == fork and "merge base of HEAD and main" in how


def test_export_of_another_commit_drops_files_the_first_had(repo, tmp_path):
    first = headbase.git("rev-parse", "HEAD", cwd=repo)
    _commit(repo, "g.txt", "only in the second\n")
    second = headbase.git("rev-parse", "HEAD", cwd=repo)
    dest = headbase.export_tree(second, tmp_path / "out", repo)
    assert (dest / "g.txt").exists()
    headbase.export_tree(first, dest, repo)
    assert not (dest / "g.txt").exists()


def test_headbase_ci_without_a_base_skips_with_a_clear_line(monkeypatch, capsys):
    from suites.gate import cli

    monkeypatch.setattr(headbase, "ci_base", lambda ref=None: (None, "HEAD abc has no parent commit"))
    assert cli.main(["headbase", "--ci", "--quiet"]) == 0
    assert capsys.readouterr().out.strip() == ("gate headbase: SKIP - no base to compare with: "
                                               "HEAD abc has no parent commit")

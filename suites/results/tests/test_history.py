"""The history store: append, resolve, compare (direction-aware, flags only figures whose
interval is past the threshold, refuses another CPU model), export."""

from __future__ import annotations

import csv
import json

import pytest

from suites.results import Record, ResultFile, history


def _file(commit: str, slow: float = 1.0, cpu: str = "cpu A") -> ResultFile:
    def samples(v: float) -> list[float]:
        return [v * (1 + 0.01 * k) for k in (-2, -1, 0, 1, 2, 0, 1, -1)]

    recs = [Record("router/native", "router.a", "time_per_op", "ns", samples(100 * slow)),
            Record("router/py", "router.a", "time_per_op", "ns", samples(900)),
            Record("server/x", "server.b", "throughput", "req/s", samples(5000 / slow))]
    return ResultFile("micro", {"cpu_model": cpu, "commit": commit, "cpu_flags": ["avx2"]}, recs,
                      created="2026-01-01T00:00:00+00:00")


def test_append_resolve_compare(tmp_path) -> None:
    db = str(tmp_path / "h.sqlite")
    base = history.append([_file("aaaa1111")], options="--quick", db=db)
    head = history.append([_file("bbbb2222", slow=1.25)], db=db)
    assert [r.id for r in history.runs(db)] == [base, head]
    assert history.resolve("aaaa", db).id == base
    assert history.resolve(str(head), db).commit == "bbbb2222"
    c = history.compare("bbbb", "aaaa", db=db)
    flagged = {(f.id, f.flag) for f in c.flagged}
    # the native router time rose and the throughput fell: both are "slower"; py is unchanged
    assert flagged == {("router.a/native", "slower"), ("server.b/x", "slower")}
    text = history.render(c)
    assert "router.a/native" in text and "router.a/py " not in text


def test_other_machine_refused_unless_asked(tmp_path) -> None:
    db = str(tmp_path / "h.sqlite")
    history.append([_file("aaaa")], db=db)
    history.append([_file("bbbb", cpu="cpu B")], db=db)
    with pytest.raises(history.OtherMachine):
        history.compare("bbbb", "aaaa", db=db)
    c = history.compare("bbbb", "aaaa", db=db, allow_other_machine=True)
    assert "DIFFERENT MACHINES" in history.render(c)


def test_unknown_ref(tmp_path) -> None:
    with pytest.raises(ValueError, match="no stored run"):
        history.resolve("ffff", str(tmp_path / "h.sqlite"))


def test_import_and_export(tmp_path, monkeypatch) -> None:
    from suites.results import write
    from suites.results.history.export import export

    monkeypatch.setenv(history.ENV, str(tmp_path / "env.sqlite"))
    write(_file("cccc"), tmp_path / "res" / "micro.json")
    rid = history.import_dir(tmp_path / "res")
    assert history.path_of(None) == tmp_path / "env.sqlite"
    assert export("json", tmp_path / "o.json", run_id=rid) == 3
    rows = json.loads((tmp_path / "o.json").read_text())
    assert rows[2]["direction"] == "higher" and rows[0]["commit"] == "cccc"
    export("csv", tmp_path / "o.csv")
    with (tmp_path / "o.csv").open() as fh:
        assert len(list(csv.DictReader(fh))) == 3


def test_cli_runs_and_compare(tmp_path, capsys) -> None:
    from suites.results.history.__main__ import main

    db = str(tmp_path / "h.sqlite")
    history.append([_file("aaaa")], db=db)
    history.append([_file("bbbb")], db=db)
    assert main(["--db", db, "runs"]) == 0
    assert "load not recorded" in capsys.readouterr().out  # each run's load beside it
    assert main(["--db", db, "compare", "2", "1"]) == 0
    assert "flagged" in capsys.readouterr().out
    assert main(["--db", db, "compare", "9", "1"]) == 2


def test_compare_narrowed_to_metrics(tmp_path) -> None:
    db = str(tmp_path / "h.sqlite")
    history.append([_file("aaaa")], db=db)
    history.append([_file("bbbb", slow=1.25)], db=db)
    c = history.compare("bbbb", "aaaa", db=db, metrics=["time_*"])
    assert {f.metric for f in c.figures} == {"time_per_op"}
    assert [f.id for f in c.flagged] == ["router.a/native"]


def test_compare_gives_each_runs_load_and_warns_on_a_shared_one(tmp_path) -> None:
    db = str(tmp_path / "h.sqlite")
    quiet, shared, old = _file("aaaa"), _file("bbbb"), _file("cccc")
    quiet.machine["cores"] = shared.machine["cores"] = 2
    quiet.load = {"start": [0.5, 0.4, 0.3], "end": [1.2, 0.6, 0.4], "run_start": [0.5, 0.4, 0.3],
                  "run_end": [1.2, 0.6, 0.4]}
    shared.load = {"start": [6.0, 5.0, 4.0], "end": [9.5, 6.0, 4.5]}
    for f in (quiet, shared, old):
        history.append([f], db=db)
    assert history.load_of(history.resolve("aaaa", db).id, db).quiet is True
    assert history.load_of(history.resolve("cccc", db).id, db).quiet is None  # no load recorded
    text = history.render(history.compare("bbbb", "aaaa", db=db))
    assert ("load: head shared with other work (load 6.00-9.50; quiet is under 1.5); "
            "base quiet (load 0.50-1.20, under 1.5)") in text
    assert "WARNING: head ran on a shared machine" in text
    text = history.render(history.compare("cccc", "aaaa", db=db))
    assert "load: head load not recorded; base quiet" in text and "shared machine" not in text

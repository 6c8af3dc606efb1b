"""The history store: every ci/bench run's records, with commit, machine and options, in one
SQLite file, so a figure can be followed across commits and two runs compared.

    python -m suites.results.history [--db PATH] runs
    python -m suites.results.history [--db PATH] import RESULTS_DIR [--commit C] [--options O]
    python -m suites.results.history [--db PATH] export {json,csv} OUT [--run REF]
    python -m suites.results.history [--db PATH] compare HEAD_REF BASE_REF [--threshold 0.1]

The database is ``--db``, else ``$LAPWISE_HISTORY``, else ``build/history.sqlite``. A REF is a
stored run id (a number) or a commit (any unique prefix; its newest run). The harness writes it
(suites/runner); reports and notebooks only read it.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..quiet import RunLoad, run_load
from ..renamed import current_ids
from ..schema import Record, ResultFile, load

ENV = "LAPWISE_HISTORY"
DEFAULT = Path("build") / "history.sqlite"

_TABLES = """
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created TEXT NOT NULL,          -- when the run's results were written (UTC, ISO 8601)
  commit_sha TEXT,                -- the checkout the run measured
  dirty INTEGER NOT NULL DEFAULT 0,
  cpu_model TEXT,
  cpu_flags TEXT,                 -- space-separated
  machine TEXT NOT NULL,          -- the result files' machine block, JSON
  options TEXT NOT NULL DEFAULT '' -- how it was run (ci/bench arguments, or "imported: <dir>")
);
CREATE TABLE IF NOT EXISTS records (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  suite TEXT NOT NULL,
  id TEXT NOT NULL,
  adapter TEXT NOT NULL,
  scenario TEXT NOT NULL,
  param TEXT,
  metric TEXT NOT NULL,
  unit TEXT NOT NULL,
  direction TEXT NOT NULL,
  source TEXT NOT NULL,
  samples TEXT NOT NULL,          -- JSON list
  extra TEXT NOT NULL             -- JSON object
);
CREATE TABLE IF NOT EXISTS run_loads (
  run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  cores INTEGER,
  files TEXT NOT NULL             -- JSON [[suite, load], ...]: each result file's load (schema v2)
);
CREATE INDEX IF NOT EXISTS records_by_run ON records(run_id);
CREATE INDEX IF NOT EXISTS records_by_figure ON records(id, metric);
"""


def path_of(db: str | Path | None = None) -> Path:
    """--db, else $LAPWISE_HISTORY, else build/history.sqlite."""
    return Path(db or os.environ.get(ENV) or DEFAULT)


@contextmanager
def connect(db: str | Path | None = None) -> Iterator[sqlite3.Connection]:
    p = path_of(db)
    p.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(p)
    try:
        con.execute("PRAGMA foreign_keys = ON")
        con.executescript(_TABLES)
        with con:
            yield con
    finally:
        con.close()


@dataclass(frozen=True)
class Run:
    id: int
    created: str
    commit: str | None
    dirty: bool
    cpu_model: str | None
    cpu_flags: str
    options: str
    records: int


def append(files: list[ResultFile], *, options: str = "", commit: str | None = None,
           db: str | Path | None = None) -> int:
    """Stores one run made of ``files``; returns its id. The commit and machine are the first
    file's unless ``commit`` is given (an import of results measured elsewhere)."""
    if not files:
        raise ValueError("a run needs at least one result file")
    m = files[0].machine
    created = max((f.created for f in files), default="")
    with connect(db) as con:
        cur = con.execute(
            "INSERT INTO runs(created, commit_sha, dirty, cpu_model, cpu_flags, machine, options)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (created, commit or m.get("commit"), int(bool(m.get("dirty"))), m.get("cpu_model"),
             " ".join(m.get("cpu_flags") or []), json.dumps(m, sort_keys=True), options))
        run_id = int(cur.lastrowid or 0)
        con.execute("INSERT INTO run_loads VALUES (?, ?, ?)",
                    (run_id, m.get("cores"), json.dumps([[f.suite, f.load] for f in files])))
        con.executemany(
            "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(run_id, f.suite, r.id, r.adapter, r.scenario, r.param, r.metric, r.unit,
              r.direction, r.source, json.dumps(r.samples), json.dumps(r.extra, default=str))
             for f in files for r in f.records])
    return run_id


def import_dir(results: str | Path, *, commit: str | None = None, options: str | None = None,
               db: str | Path | None = None) -> int:
    """Stores every result file directly in ``results`` as one run."""
    files = [load(p) for p in sorted(Path(results).glob("*.json")) if p.is_file()]
    if not files:
        raise ValueError(f"{results}: no result files (*.json)")
    return append(files, options=options if options is not None else f"imported: {results}",
                  commit=commit, db=db)


def runs(db: str | Path | None = None) -> list[Run]:
    with connect(db) as con:
        rows = con.execute(
            "SELECT r.id, r.created, r.commit_sha, r.dirty, r.cpu_model, r.cpu_flags, r.options,"
            " (SELECT COUNT(*) FROM records WHERE run_id = r.id) FROM runs r ORDER BY r.id"
        ).fetchall()
    return [Run(int(i), c, s, bool(d), m, f or "", o, int(n)) for i, c, s, d, m, f, o, n in rows]


def resolve(ref: str, db: str | Path | None = None) -> Run:
    """A run id, or a commit prefix (its newest run). ValueError when nothing or more than one
    commit matches."""
    all_runs = runs(db)
    if ref.isdigit():
        hit = [r for r in all_runs if r.id == int(ref)]
        if hit:
            return hit[0]
    by_commit = [r for r in all_runs if r.commit and r.commit.startswith(ref)]
    if not by_commit:
        raise ValueError(f"no stored run with id or commit {ref!r} in {path_of(db)}")
    if len({r.commit for r in by_commit}) > 1:
        raise ValueError(f"{ref!r} names more than one commit; give more of the hash")
    return by_commit[-1]


def records(run_id: int, db: str | Path | None = None) -> list[Record]:
    with connect(db) as con:
        rows = con.execute(
            "SELECT adapter, scenario, param, metric, unit, direction, source, samples, extra"
            " FROM records WHERE run_id = ? ORDER BY rowid", (run_id,)).fetchall()
    return [Record(*current_ids(a, s), param=p, metric=m, unit=u, direction=d,
                   source=src, samples=json.loads(sm), extra=json.loads(ex))
            for a, s, p, m, u, d, src, sm, ex in rows]


def machine(run_id: int, db: str | Path | None = None) -> dict[str, Any]:
    with connect(db) as con:
        row = con.execute("SELECT machine FROM runs WHERE id = ?", (run_id,)).fetchone()
    return json.loads(row[0]) if row else {}


def load_of(run_id: int, db: str | Path | None = None) -> RunLoad:
    """The run's load readings (quiet.py judges them); none for a run stored before the store
    kept them or made of schema v1 files."""
    with connect(db) as con:
        row = con.execute("SELECT cores, files FROM run_loads WHERE run_id = ?", (run_id,)).fetchone()
    cores, files = (row[0], json.loads(row[1])) if row else (None, [])
    return run_load((suite, file_load, {"cores": cores}) for suite, file_load in files)


def rows(db: str | Path | None = None, run_id: int | None = None) -> list[dict[str, Any]]:
    """Every stored record joined with its run, flat (what export writes and notebooks read)."""
    where, args = ("WHERE r.id = ?", (run_id,)) if run_id is not None else ("", ())
    with connect(db) as con:
        cur = con.execute(
            "SELECT r.id, r.created, r.commit_sha, r.dirty, r.cpu_model, r.options, x.suite, x.id,"
            " x.adapter, x.scenario, x.param, x.metric, x.unit, x.direction, x.source, x.samples"
            f" FROM records x JOIN runs r ON r.id = x.run_id {where} ORDER BY r.id, x.rowid",
            args)
        names = ["run", "created", "commit", "dirty", "cpu_model", "options", "suite", "id",
                 "adapter", "scenario", "param", "metric", "unit", "direction", "source",
                 "samples"]
        out = [dict(zip(names, row)) for row in cur.fetchall()]
    for d in out:
        d["samples"] = json.loads(d["samples"])
        d["dirty"] = bool(d["dirty"])
        if (d["adapter"], d["scenario"]) != (now := current_ids(d["adapter"], d["scenario"])):
            d["adapter"], d["scenario"] = now  # a run stored before a rename: its id follows
            d["id"] = Record(d["adapter"], d["scenario"], d["metric"], d["unit"], [0.0], param=d["param"]).id
    return out

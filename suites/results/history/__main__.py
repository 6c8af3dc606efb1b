"""python -m suites.results.history: runs | import | export | compare (see store.py)."""

from __future__ import annotations

import argparse
import sys

from ..schema import SchemaError
from . import (DEFAULT_THRESHOLD, OtherMachine, compare, import_dir, load_of, path_of, render,
               resolve, runs)
from .export import export


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m suites.results.history",
                                 description="The benchmark history store (SQLite).")
    ap.add_argument("--db", default=None, help="database (default $LAPWISE_HISTORY, else "
                                               "build/history.sqlite)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("runs", help="list the stored runs")
    imp = sub.add_parser("import", help="store a directory of result files (schema v2, or v1) as a run")
    imp.add_argument("results")
    imp.add_argument("--commit", default=None, help="the commit measured (default: the files')")
    imp.add_argument("--options", default=None, help="how the run was made")
    exp = sub.add_parser("export", help="write stored records as JSON or CSV")
    exp.add_argument("format", choices=("json", "csv"))
    exp.add_argument("out")
    exp.add_argument("--run", default=None, help="one run (id or commit); default all")
    cmp_ = sub.add_parser("compare", help="compare two stored runs")
    cmp_.add_argument("head")
    cmp_.add_argument("base")
    cmp_.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    cmp_.add_argument("--all", action="store_true", help="print every figure, not only flagged")
    cmp_.add_argument("--metric", action="append", default=None,
                      help="only these metrics (fnmatch pattern; repeatable), e.g. cpu_time_per_op")
    cmp_.add_argument("--other-machine", action="store_true",
                      help="compare runs from different CPU models (with a warning)")
    a = ap.parse_args(argv)
    try:
        if a.cmd == "runs":
            for r in runs(a.db):
                print(f"{r.id:4}  {r.created:25}  {(r.commit or '?')[:12]:12}"
                      f"{'+' if r.dirty else ' '} {r.records:5} records  {r.cpu_model}  "
                      f"{load_of(r.id, a.db).short()}  {r.options}")
        elif a.cmd == "import":
            rid = import_dir(a.results, commit=a.commit, options=a.options, db=a.db)
            print(f"history: stored run {rid} in {path_of(a.db)}")
        elif a.cmd == "export":
            run_id = resolve(a.run, a.db).id if a.run else None
            n = export(a.format, a.out, db=a.db, run_id=run_id)
            print(f"history: wrote {n} record(s) to {a.out}")
        else:
            c = compare(a.head, a.base, threshold=a.threshold, db=a.db,
                        allow_other_machine=a.other_machine, metrics=a.metric)
            print(render(c, all_figures=a.all))
    except (OtherMachine, ValueError, SchemaError) as exc:
        print(f"history: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

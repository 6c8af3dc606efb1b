"""Runs the WebSocket conformance table against every WebSocket server adapter and writes the
verdicts: a schema v1 result file (per server ``cases_passed`` and ``cases_failed``, each
case's grade and what was observed in ``extra``) and a markdown table of every case.

    python -m suites.e2e.websocket.ws_conformance --out results/ [--adapters 'websocket/*']
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from suites.adapters import registry
from suites.adapters.websocket.base import KEEPALIVE
from suites.cli_names import refuse_unknown
from suites.results import Record, new_file, write

from .ws_case_model import FAIL, GRADES, INFO, NON_STRICT, PASS, Case, Target, Verdict
from .ws_case_table import all_cases, run_table

_MARK = {PASS: "pass", NON_STRICT: "non-strict", FAIL: "**FAIL**", INFO: "info"}


def run_adapter(adapter_id: str, cases: list[Case]) -> dict[str, Verdict]:
    """The table against one server; the keep-alive cases against a second one started with
    the table's keep-alive (its Pings would otherwise come in the middle of the other cases)."""
    cls = registry.get(adapter_id)
    verdicts: dict[str, Verdict] = {}
    for keepalive in (False, True):
        chosen = [c for c in cases if (c.group == "keepalive") == keepalive]
        if not chosen:
            continue
        server = cls()
        if keepalive:
            server.keepalive = KEEPALIVE
        address = server.start()
        try:
            verdicts.update(run_table(Target(address.port, cls.limit_configured, cls.deflate,
                                             cls.keepalive_timeout), chosen))
        finally:
            server.stop()
    return {c.id: verdicts[c.id] for c in cases}


def records(adapter_id: str, verdicts: dict[str, Verdict]) -> list[Record]:
    """Per server: the number of cases passed and failed; every case's grade and observation
    in ``extra["cases"]`` (the markdown table is built from the same verdicts)."""
    counts = {g: sum(v.grade == g for v in verdicts.values()) for g in GRADES}
    extra = {"counts": counts, "cases": {i: [v.grade, v.observed] for i, v in verdicts.items()}}
    return [Record(adapter=adapter_id, scenario="websocket.conformance", metric="cases_passed",
                   unit="count", samples=[counts[PASS]], direction="higher", extra=extra),
            Record(adapter=adapter_id, scenario="websocket.conformance", metric="cases_failed",
                   unit="count", samples=[counts[FAIL]], direction="lower", extra=extra)]


def markdown(table: dict[str, dict[str, Verdict]], cases: list[Case]) -> str:
    servers = list(table)
    names = [s.split("/", 1)[1] for s in servers]
    lines = ["| case | expected (RFC 6455 / 7692) | " + " | ".join(names) + " |",
             "|---|---|" + "---|" * len(servers)]
    totals = ["| **totals** | pass / non-strict / fail / info | " + " | ".join(
        "/".join(str(sum(v.grade == g for v in table[s].values())) for g in GRADES) for s in servers) + " |"]
    for c in cases:
        cells = []
        for s in servers:
            v = table[s][c.id]
            cells.append(_MARK[v.grade] if v.grade == PASS else f"{_MARK[v.grade]}: {v.observed}")
        lines.append(f"| `{c.id}` | {c.expect} | " + " | ".join(cells) + " |")
    return "\n".join(lines[:2] + totals + lines[2:]) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True, help="folder for the result file and table")
    ap.add_argument("--adapters", default="websocket/*", help="comma-separated ids or globs")
    args = ap.parse_args(argv)
    refuse_unknown(ap, "--adapters", "server", args.adapters,
                   [e.adapter_id for e in registry.entries("websocket", "")], globs=True,
                   kind="websocket")
    cases = all_cases()
    result = new_file("e2e.websocket.conformance",
                      commands=["python -m suites.e2e.websocket.ws_conformance " + " ".join(argv or sys.argv[1:])])
    table: dict[str, dict[str, Verdict]] = {}
    for entry in registry.entries("websocket", args.adapters):
        if entry.cls is None or not entry.availability:
            print(f"{entry.adapter_id}: skipped ({entry.availability.reason})", flush=True)
            continue
        t0 = time.monotonic()
        table[entry.adapter_id] = run_adapter(entry.adapter_id, cases)
        counts = {g: sum(v.grade == g for v in table[entry.adapter_id].values()) for g in GRADES}
        print(f"{entry.adapter_id}: {counts} in {time.monotonic() - t0:.1f} s", flush=True)
        result.records += records(entry.adapter_id, table[entry.adapter_id])
    if not table:
        print(f"no WebSocket server selected by {args.adapters!r}: no table")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    write(result, args.out / "e2e.websocket.conformance.json")
    (args.out / "websocket_conformance.md").write_text(markdown(table, cases))
    print(f"wrote {args.out / 'e2e.websocket.conformance.json'} and {args.out / 'websocket_conformance.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

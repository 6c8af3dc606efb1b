"""What a gate prints: one table row per benchmark (base, head, ratio, interval, threshold,
verdict, and a note saying what to do) and one closing line; and the exit status that goes
with them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

from .stats import Verdict


@dataclass
class Row:
    benchmark: str
    base: str
    head: str
    ratio: str
    interval: str
    threshold: str
    verdict: Verdict
    note: str = ""


_COLUMNS = ("benchmark", "base", "head", "ratio", "interval", "threshold", "verdict")


def render_table(rows: Sequence[Row]) -> str:
    """A plain-text table (fixed-width columns), notes on their own indented lines below."""
    cells = [list(_COLUMNS)] + [[r.benchmark, r.base, r.head, r.ratio, r.interval, r.threshold,
                                 r.verdict.value] for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(_COLUMNS))]
    lines = []
    for n, c in enumerate(cells):
        lines.append("  ".join(v.ljust(w) for v, w in zip(c, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    notes = [f"  {r.benchmark}: {r.note}" for r in rows if r.note]
    return "\n".join(lines + ([""] + notes if notes else []))


def exit_status(rows: Sequence[Row], *, allow_missing: bool = False) -> int:
    """1 when any row failed or errored, or (unless allowed) has nothing to compare with."""
    bad = {Verdict.FAIL, Verdict.ERROR} | (set() if allow_missing else {Verdict.MISSING})
    return 1 if not rows or any(r.verdict in bad for r in rows) else 0


def closing_line(gate: str, rows: Sequence[Row], *, allow_missing: bool = False) -> str:
    """One line: the outcome, the counts, and the failing benchmarks by name."""
    if not rows:
        return f"gate {gate}: FAIL - no benchmarks were found to gate"
    count = {v: [r for r in rows if r.verdict is v] for v in Verdict}
    status = "FAIL" if exit_status(rows, allow_missing=allow_missing) else "PASS"
    parts = [f"{len(count[Verdict.PASS])} passed", f"{len(count[Verdict.FAIL])} failed"]
    for v, word in ((Verdict.WARN, "inconclusive (passed with warning)"),
                    (Verdict.MISSING, "missing" + (" (allowed)" if allow_missing else "")),
                    (Verdict.SKIP, "skipped (cannot run here, see the notes)"),
                    (Verdict.ERROR, "errors")):
        if count[v]:
            parts.append(f"{len(count[v])} {word}")
    named = [f"{r.benchmark} {r.verdict.value.lower()}"
             for r in rows if r.verdict in (Verdict.FAIL, Verdict.ERROR, Verdict.MISSING)]
    tail = f" [{'; '.join(named)}]" if named else ""
    return f"gate {gate}: {status} - {', '.join(parts)} of {len(rows)} benchmarks{tail}"


def expectation(rows: Sequence[Row], expect: str, *, allow_missing: bool = False) -> tuple[int, str]:
    """For the self-tests: (exit status, line). ``pass``: the gate must exit 0. ``fail``: every
    row must be a FAIL (a crash, a missing baseline or a pass is not the failure we want); rows
    skipped because this machine cannot run them are left out, but at least one must FAIL."""
    gate_rc = exit_status(rows, allow_missing=allow_missing)
    if expect == "pass":
        ok = gate_rc == 0
        got = "exit 0" if ok else "exit 1"
    elif expect == "fail":
        measured = [r for r in rows if r.verdict is not Verdict.SKIP]
        ok = bool(measured) and all(r.verdict is Verdict.FAIL for r in measured)
        got = ", ".join(sorted({r.verdict.value for r in rows})) or "no rows"
    else:
        raise ValueError(f"expect is pass or fail, got {expect!r}")
    word = "ok" if ok else "SELF-TEST FAILED"
    return (0 if ok else 1), f"self-test: expected {expect}, got {got}: {word}"


def emit(gate: str, rows: Sequence[Row], out: TextIO, *, title: str = "",
         allow_missing: bool = False, expect: str | None = None,
         json_path: Path | None = None) -> int:
    """Prints the table and the closing line; returns the exit status (the self-test's when
    ``expect`` is given)."""
    if title:
        print(title, file=out)
    print(render_table(rows), file=out)
    print(file=out)
    print(closing_line(gate, rows, allow_missing=allow_missing), file=out)
    rc = exit_status(rows, allow_missing=allow_missing)
    if expect is not None:
        rc, line = expectation(rows, expect, allow_missing=allow_missing)
        print(line, file=out)
    if json_path is not None:
        doc = {"gate": gate, "exit": rc,
               "rows": [{**asdict(r), "verdict": r.verdict.value} for r in rows]}
        json_path.write_text(json.dumps(doc, indent=2) + "\n")
    return rc

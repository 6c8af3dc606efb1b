"""Stored records out as JSON (a list of flat rows, samples as a list) or CSV (one row per
record, samples joined by spaces)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from . import store


def export(fmt: str, out: str | Path, *, db: str | None = None, run_id: int | None = None) -> int:
    """Writes ``out``; returns the number of records."""
    data = store.rows(db, run_id)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "json":
        out.write_text(json.dumps(data, indent=1) + "\n")
    elif fmt == "csv":
        with out.open("w", newline="") as fh:
            names = list(data[0]) if data else ["run", "id", "metric", "samples"]
            w = csv.DictWriter(fh, fieldnames=names)
            w.writeheader()
            for d in data:
                w.writerow({**d, "samples": " ".join(repr(s) for s in d["samples"])})
    else:
        raise ValueError(f"export format must be json or csv, got {fmt!r}")
    return len(data)

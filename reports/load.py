"""Reading a results directory: every ``*.json`` directly in it is a result file (schema v2, or v1)
(raw tool output lives in subdirectories and is never read). A bad file stops the build with
the schema's own one-line message, which names the file and the field."""

from __future__ import annotations

from pathlib import Path

from suites.results import Record, ResultFile, SchemaError, load


def load_dir(results: str | Path) -> list[tuple[Path, ResultFile]]:
    """Every result file in ``results``, sorted by name; raises SchemaError (one line naming
    the file and field) on the first bad one, or when the folder is missing or empty."""
    d = Path(results)
    if not d.is_dir():
        raise SchemaError(f"{d}: results directory not found")
    files = sorted(p for p in d.glob("*.json") if p.is_file())
    if not files:
        raise SchemaError(f"{d}: no result files (*.json) in the results directory")
    return [(p, load(p)) for p in files]


def all_records(files: list[tuple[Path, ResultFile]]) -> list[Record]:
    return [r for _, f in files for r in f.records]

"""hyperfine JSON (``--export-json``) -> result records (schema v2).

Name each command with a lapwise id (``hyperfine -n 'e2e.startup/native' ...``): the name is
what hyperfine writes as ``command``. Commands that do not follow the id scheme need an
explicit ``names`` mapping {command: id}. Samples are the per-run wall times (ms); a record's
extra keeps the mean user/system CPU and the real command line if hyperfine recorded one.
A run with a non-zero exit code is refused (hyperfine -i lets failing commands through).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..schema import Record, SchemaError
from .gbench import parse_name


def load(path: str | Path, names: dict[str, str] | None = None) -> list[Record]:
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise SchemaError(f"{path}: not a readable hyperfine JSON ({exc})") from None
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list):
        raise SchemaError(f"{path}: missing field 'results'")
    records = []
    for i, r in enumerate(results):
        where = f"{path}: results[{i}]"
        if not isinstance(r, dict):
            raise SchemaError(f"{where}: expected an object")
        command = r.get("command")
        times = r.get("times")
        if not isinstance(command, str):
            raise SchemaError(f"{where}: missing field 'command'")
        if not isinstance(times, list) or not times:
            raise SchemaError(f"{where}.times: missing or empty (hyperfine --export-json writes it)")
        codes = r.get("exit_codes") or []
        if any(c != 0 for c in codes):
            raise SchemaError(f"{where}.exit_codes: {command!r} failed in some runs ({codes})")
        name = (names or {}).get(command, command)
        try:
            scenario, param, impl = parse_name(name)
        except SchemaError:
            raise SchemaError(f"{where}.command: {command!r} is not a lapwise id "
                              "'<kind>.<scenario>[<param>]/<impl>' (name it with hyperfine -n)") from None
        kind = scenario.split(".", 1)[0]
        try:
            samples = [float(t) * 1e3 for t in times]
        except (TypeError, ValueError):
            raise SchemaError(f"{where}.times: expected numbers") from None
        records.append(Record(
            adapter=f"{kind}/{impl}", scenario=scenario, param=param, metric="wall_time",
            unit="ms", samples=samples, source="hyperfine",
            extra={"user_s": r.get("user"), "system_s": r.get("system"), "command": command,
                   "parameters": r.get("parameters")}))
    return records

"""pytest-benchmark JSON (``--benchmark-json``) -> result records (schema v2).

Tests set ``benchmark.extra_info`` to ``{"adapter": ..., "scenario": ..., "param": ...,
"ops": N}``; ``ops`` is how many operations one timed call performs (match_many over N paths),
so the samples are per operation. Without extra_info the test is skipped with a clear message.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..schema import Record, SchemaError


def load(path: str | Path) -> list[Record]:
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise SchemaError(f"{path}: not a readable pytest-benchmark JSON ({exc})") from None
    benches = data.get("benchmarks")
    if not isinstance(benches, list):
        raise SchemaError(f"{path}: missing field 'benchmarks'")
    records = []
    for i, b in enumerate(benches):
        where = f"{path}: benchmarks[{i}]"
        info = b.get("extra_info") or {}
        for key in ("adapter", "scenario"):
            if key not in info:
                raise SchemaError(f"{where}.extra_info: missing field '{key}' (test {b.get('fullname')})")
        stats = b.get("stats") or {}
        data_points = stats.get("data")
        if not data_points:
            raise SchemaError(f"{where}.stats.data: missing (write it with --benchmark-json)")
        ops = float(info.get("ops", 1))
        records.append(Record(
            adapter=info["adapter"], scenario=info["scenario"], param=info.get("param"),
            metric="time_per_op", unit="ns", samples=[s * 1e9 / ops for s in data_points],
            source="pytest-benchmark",
            extra={"rounds": stats.get("rounds"), "ops_per_call": ops,
                   "test": b.get("fullname")}))
    return records

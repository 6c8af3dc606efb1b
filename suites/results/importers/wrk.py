"""wrk's text report (``wrk --latency ...``) -> result records (schema v2).

wrk has no JSON output, so this reads the report it prints: ``Requests/sec``, the
``Latency Distribution`` percentiles (with --latency), ``Transfer/sec``, and the error lines
(``Socket errors: connect 0, read 0, write 0, timeout 0`` and ``Non-2xx or 3xx responses``).
Several runs of the same configuration (one file each) become one record per metric whose
samples are the runs. The caller names what was measured (adapter, scenario, param): wrk
does not know.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from ..schema import Record, SchemaError

_UNITS_TO_US = {"us": 1.0, "ms": 1e3, "s": 1e6, "m": 60e6, "h": 3600e6}
_REQS = re.compile(r"^Requests/sec:\s+([0-9.]+)", re.M)
_TOTAL = re.compile(r"^\s*(\d+) requests in ([0-9.]+)(us|ms|s|m|h),", re.M)
_PCT = re.compile(r"^\s+(50|75|90|99|99\.9|99\.99)%\s+([0-9.]+)(us|ms|s|m|h)\s*$", re.M)
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_NON2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")


def parse_text(text: str, where: str) -> dict[str, tuple[float, str]]:
    """metric -> (value, unit) of one wrk report; raises SchemaError naming ``where``."""
    m = _REQS.search(text)
    if not m:
        raise SchemaError(f"{where}: no 'Requests/sec:' line (is this wrk output?)")
    out: dict[str, tuple[float, str]] = {"throughput": (float(m[1]), "req/s")}
    total = _TOTAL.search(text)
    if total:
        out["requests"] = (float(total[1]), "count")
    for pct, value, unit in _PCT.findall(text):
        out[f"latency_p{pct}"] = (float(value) * _UNITS_TO_US[unit], "us")
    errors = 0
    sock = _SOCKET.search(text)
    if sock:
        errors += sum(int(x) for x in sock.groups())
    non2xx = _NON2XX.search(text)
    if non2xx:
        errors += int(non2xx[1])
    out["errors"] = (float(errors), "count")
    return out


def load(paths: str | Path | Sequence[str | Path], adapter: str, scenario: str,
         param: str | None = None) -> list[Record]:
    """One record per metric over the runs in ``paths`` (each file one wrk report)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    if not paths:
        raise SchemaError(f"wrk import for {adapter} {scenario}: no files given")
    if "/" not in adapter:
        raise SchemaError(f"wrk import: adapter {adapter!r} is not of the form '<kind>/<impl>'")
    runs = []
    for p in paths:
        p = Path(p)
        try:
            text = p.read_text()
        except OSError as exc:
            raise SchemaError(f"{p}: not readable ({exc.strerror})") from None
        runs.append((p, parse_text(text, str(p))))
    first_path, first = runs[0]
    records = []
    for metric, (_, unit) in first.items():
        samples = []
        for p, run in runs:
            if metric not in run:
                raise SchemaError(f"{p}: no {metric} (present in {first_path}; run every file "
                                  "with the same wrk options)")
            samples.append(run[metric][0])
        records.append(Record(adapter=adapter, scenario=scenario, param=param, metric=metric,
                              unit=unit, samples=samples, source="wrk",
                              extra={"files": [str(p) for p, _ in runs]}))
    return records

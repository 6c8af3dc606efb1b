"""Google Benchmark JSON (``--benchmark_out_format=json``) -> result records (schema v2).

Benchmark names follow the lapwise id ``<kind>.<scenario>[<param>]/<impl>``, optionally with
Google Benchmark's own suffixes (``/repeats:N``, ``/min_time:..``, ``/iterations:N``,
``/real_time``, ``/manual_time``, ``/threads:N``; ``_mean`` aggregates are dropped: the raw
repetitions are the samples). Anything else is refused with the benchmark's name, a bare
argument suffix (``->Arg(5000)`` gives ``.../native/5000``) too: two arguments of one name would
otherwise merge into one record. Every bench binary's names are checked by
suites/micro/test_gbench_names.py.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

from ..schema import Record, SchemaError

_ID = re.compile(r"(?P<scenario>[a-z0-9_]+\.[A-Za-z0-9_.:-]+)(?:\[(?P<param>[^\]]*)\])?/(?P<impl>[A-Za-z0-9_.-]+)")
_GBENCH_SUFFIX = re.compile(r"/(repeats|min_time|iterations|threads):[^/]*|/(real_time|manual_time)(?=/|$)")
_TIME_UNITS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def run_name(name: str) -> str:
    """A benchmark name without Google Benchmark's own suffixes (repetitions, timing options)."""
    return _GBENCH_SUFFIX.sub("", name)


def parse_name(name: str) -> tuple[str, str | None, str]:
    """(scenario, param, impl) of a benchmark name (after run_name); raises SchemaError naming
    it when it is not exactly an id."""
    m = _ID.fullmatch(name)
    if not m:
        raise SchemaError(f"benchmark name {name!r} is not '<kind>.<scenario>[<param>]/<impl>'")
    return m["scenario"], m["param"], m["impl"]


def load(path: str | Path, metric: str = "cpu_time") -> list[Record]:
    """One record per benchmark, samples = its iterations' ``metric`` (cpu_time by default: on
    this kind of VM real_time drifts 13-15% between runs while cpu_time moves ~1%)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise SchemaError(f"{path}: not a readable Google Benchmark JSON ({exc})") from None
    if "benchmarks" not in data or not isinstance(data["benchmarks"], list):
        raise SchemaError(f"{path}: missing field 'benchmarks'")
    samples: dict[str, list[float]] = defaultdict(list)
    extras: dict[str, dict] = {}
    for i, b in enumerate(data["benchmarks"]):
        if b.get("run_type") == "aggregate":
            continue
        where = f"{path}: benchmarks[{i}]"
        if b.get("error_occurred"):
            raise SchemaError(f"{where}: {b.get('name')} failed: {b.get('error_message')}")
        try:
            name = b.get("run_name") or b["name"]
            value = float(b[metric]) * _TIME_UNITS[b.get("time_unit", "ns")]
        except KeyError as exc:
            raise SchemaError(f"{where}: missing field {exc}") from None
        name = run_name(name)
        samples[name].append(value)
        counters = {k: v for k, v in b.items() if k not in {
            "name", "run_name", "run_type", "repetitions", "repetition_index", "threads",
            "iterations", "real_time", "cpu_time", "time_unit", "family_index",
            "per_family_instance_index", "aggregate_name", "aggregate_unit"}}
        extras.setdefault(name, {"iterations": b.get("iterations"), **counters})
    records = []
    for name, values in samples.items():
        scenario, param, impl = parse_name(name)
        kind = scenario.split(".", 1)[0]
        records.append(Record(adapter=f"{kind}/{impl}", scenario=scenario, param=param,
                              metric=f"{metric}_per_op", unit="ns", samples=values,
                              source="gbench", extra=extras[name]))
    return records


def context(path: str | Path) -> dict:
    """Google Benchmark's own machine context (caches, MHz, library build type)."""
    return json.loads(Path(path).read_text()).get("context", {})

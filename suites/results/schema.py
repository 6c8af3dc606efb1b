"""Result schema v2 (reads v1 too).

A result file is JSON::

    {"schema": "lapwise.results/v2",
     "suite": "micro.router",                 # which suite wrote it
     "created": "2026-11-22T01:00:00+00:00",
     "machine": {...},                        # machine.capture(): cpu, governor, compiler, commit...
     "load": {"start": [0.52, 0.61, 0.70],    # load average (1, 5, 15 min) when the job began,
              "end": [1.31, 0.83, 0.74],      # and when it ended; under ci/bench also
              "run_start": [...], "run_end": [...]},  # when the whole run began and ended
     "commands": ["ci/bench --quick"],        # what reproduces it
     "records": [
        {"id": "router.github_all/native",    # <kind>.<scenario>[<param>]/<impl>
         "adapter": "router/native",          # "<kind>/<impl>": pytest id, JSON key, legend
         "scenario": "router.github_all",     # <kind>.<scenario>
         "param": null,                       # e.g. "1000" for a cost-growth point
         "metric": "time_per_op",             # what the samples measure
         "unit": "ns",
         "samples": [48.1, 47.9, ...],        # one per repetition (process or round)
         "source": "gbench",                  # gbench | pytest-benchmark | hyperfine | wrk | lapwise
         "direction": "lower",                # which way is better: "lower" | "higher"
         "extra": {...}}                      # anything else, never read by the gates
     ]}

``direction`` says which way the metric improves, so a ratio or a "best" is never guessed.
It is optional on disk: a file written before the field existed reads with the default of
``default_direction(metric, unit)`` (higher for rates and throughputs: units ops/s and req/s,
metrics named ``throughput*``, ``*_rate``, ``*rate``, ``speedup*``, ``ratio_vs_*``; lower for
everything else: times, latencies, CPU, bytes, errors). Every writer stores it explicitly.

``load`` (the field) is what v2 added: how busy the machine was, so a report can say whether
its figures come from a quiet machine (the rule: quiet.py; the report's sentence:
reports/machine_load.py). Who fills it in:
``new_file`` sets ``start`` to the load when this process first imported suites.results (a
suite's start, near enough), ``write`` sets ``end`` to the load at writing; ci/bench then
overwrites ``start`` and ``end`` with what it saw just before starting the job that wrote the
file and just after it exited, and adds ``run_start``/``run_end`` to every file of the run
(suites/runner/main.py). Each value is a list of three non-negative numbers; every key is
optional. A v1 file reads with ``load == {}``: its load was never recorded.

``load`` (the function) validates and names the file and the field on any problem.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# Imported here, not where it is used, so that the load it reads on import is this process's
# start (a suite imports suites.results first thing), not the time its first file is made.
from . import machine as _machine
from .renamed import current_ids

SCHEMA = "lapwise.results/v2"
READABLE = ("lapwise.results/v1", SCHEMA)  # every schema load() accepts
LOAD_KEYS = ("start", "end", "run_start", "run_end")
DIRECTIONS = ("lower", "higher")
_HIGHER_UNITS = frozenset({"ops/s", "req/s"})
_HIGHER_METRIC = re.compile(r"^(throughput|speedup|ratio_vs_)|rate$")
UNITS = frozenset({"ns", "us", "ms", "s", "ops/s", "req/s", "bytes", "instructions", "ratio",
                   "count", "percent"})


def default_direction(metric: str, unit: str) -> str:
    """"higher" for rates and throughputs, "lower" for everything else (see the module doc)."""
    return "higher" if unit in _HIGHER_UNITS or _HIGHER_METRIC.search(metric) else "lower"


class SchemaError(ValueError):
    """A result file that does not follow the schema; the message names file and field."""


@dataclass
class Record:
    adapter: str
    scenario: str
    metric: str
    unit: str
    samples: list[float]
    param: str | None = None
    source: str = "lapwise"
    extra: dict[str, Any] = field(default_factory=dict)
    direction: str = ""  # "lower" | "higher"; empty means the default for metric and unit

    def __post_init__(self) -> None:
        if not self.direction:
            self.direction = default_direction(self.metric, self.unit)

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher"

    @property
    def impl(self) -> str:
        return self.adapter.split("/", 1)[1]

    @property
    def id(self) -> str:
        param = f"[{self.param}]" if self.param is not None else ""
        return f"{self.scenario}{param}/{self.impl}"

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        return {"id": self.id, **d}


@dataclass
class ResultFile:
    suite: str
    machine: dict[str, Any]
    records: list[Record] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    created: str = ""
    load: dict[str, list[float]] = field(default_factory=dict)  # LOAD_KEYS -> [1, 5, 15 min]

    def to_json(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "suite": self.suite, "created": self.created,
                "machine": self.machine, "load": self.load, "commands": self.commands,
                "records": [r.to_json() for r in self.records]}


def new_file(suite: str, commands: list[str] | None = None) -> ResultFile:
    now = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    return ResultFile(suite=suite, machine=_machine.capture(), commands=list(commands or []),
                      created=now, load={"start": _machine.start_load()})


def write(result: ResultFile, path: str | Path) -> Path:
    """Validates and writes ``result`` (atomically); its load's ``end`` is the load now."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for i, rec in enumerate(result.records):
        _check_record(rec.to_json(), f"{path}: records[{i}]")
    result.load = {**result.load, "end": _machine.load_average()}
    _check_load(result.load, f"{path}.load")
    _write_json(path, result.to_json())
    return path


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    tmp.replace(path)


def stamp_load(path: str | Path, **values: list[float]) -> None:
    """Sets these load fields (LOAD_KEYS) of a written result file, leaving the rest as it is:
    ci/bench's own view of when a job or the run began and ended."""
    path = Path(path)
    data = json.loads(path.read_text())
    data["load"] = {**(data.get("load") or {}), **values}
    _check_load(data["load"], f"{path}.load")
    _write_json(path, data)


def _check_load(value: Any, where: str) -> dict[str, list[float]]:
    if not isinstance(value, dict):
        raise SchemaError(f"{where}: expected an object, got {type(value).__name__}")
    for key, triple in value.items():
        if key not in LOAD_KEYS:
            raise SchemaError(f"{where}: unknown field {key!r} (fields are {', '.join(LOAD_KEYS)})")
        if (not isinstance(triple, list) or len(triple) != 3
                or not all(isinstance(x, (int, float)) and not isinstance(x, bool)
                           and math.isfinite(x) and x >= 0 for x in triple)):
            raise SchemaError(f"{where}.{key}: expected [1 min, 5 min, 15 min] load averages, "
                              f"got {triple!r}")
    return {k: [float(x) for x in v] for k, v in value.items()}


def _need(obj: dict, key: str, types: type | tuple[type, ...], where: str) -> Any:
    if key not in obj:
        raise SchemaError(f"{where}: missing field '{key}'")
    value = obj[key]
    if not isinstance(value, types) or isinstance(value, bool) and bool not in (
            types if isinstance(types, tuple) else (types,)):
        raise SchemaError(f"{where}.{key}: expected {_names(types)}, got {type(value).__name__}")
    return value


def _names(types: type | tuple[type, ...]) -> str:
    types = types if isinstance(types, tuple) else (types,)
    return " or ".join(t.__name__ for t in types)


def _check_record(rec: dict, where: str) -> Record:
    if not isinstance(rec, dict):
        raise SchemaError(f"{where}: expected an object, got {type(rec).__name__}")
    adapter = _need(rec, "adapter", str, where)
    if "/" not in adapter:
        raise SchemaError(f"{where}.adapter: {adapter!r} is not of the form '<kind>/<impl>'")
    scenario = _need(rec, "scenario", str, where)
    metric = _need(rec, "metric", str, where)
    unit = _need(rec, "unit", str, where)
    if unit not in UNITS:
        raise SchemaError(f"{where}.unit: {unit!r} is not one of {sorted(UNITS)}")
    samples = _need(rec, "samples", list, where)
    if not samples:
        raise SchemaError(f"{where}.samples: empty")
    for j, s in enumerate(samples):
        if isinstance(s, bool) or not isinstance(s, (int, float)) or not math.isfinite(s):
            raise SchemaError(f"{where}.samples[{j}]: expected a finite number, got {s!r}")
    param = rec.get("param")
    if param is not None and not isinstance(param, str):
        raise SchemaError(f"{where}.param: expected string or null, got {type(param).__name__}")
    extra = rec.get("extra", {})
    if not isinstance(extra, dict):
        raise SchemaError(f"{where}.extra: expected an object, got {type(extra).__name__}")
    direction = rec.get("direction", "")
    if direction not in ("", *DIRECTIONS):
        raise SchemaError(f"{where}.direction: {direction!r} is not one of {list(DIRECTIONS)}")
    r = Record(adapter=adapter, scenario=scenario, metric=metric, unit=unit,
               samples=[float(s) for s in samples], param=param,
               source=str(rec.get("source", "lapwise")), extra=extra, direction=direction)
    if "id" in rec and rec["id"] != r.id:
        raise SchemaError(f"{where}.id: {rec['id']!r} does not match adapter/scenario/param ({r.id!r})")
    # A file written before a rename reads under the current names.
    r.adapter, r.scenario = current_ids(adapter, scenario)
    return r


def load(path: str | Path) -> ResultFile:
    """Reads and validates a result file. Raises SchemaError naming the file and the field."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise SchemaError(f"{path}: no such result file") from None
    except json.JSONDecodeError as exc:
        raise SchemaError(f"{path}: not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    where = str(path)
    if not isinstance(data, dict):
        raise SchemaError(f"{where}: expected a JSON object at the top level")
    schema = _need(data, "schema", str, where)
    if schema not in READABLE:
        raise SchemaError(f"{where}.schema: {schema!r} is not one of {', '.join(map(repr, READABLE))}")
    suite = _need(data, "suite", str, where)
    machine = _need(data, "machine", dict, where)
    records = _need(data, "records", list, where)
    parsed = [_check_record(rec, f"{where}: records[{i}]") for i, rec in enumerate(records)]
    commands = data.get("commands", [])
    if not isinstance(commands, list) or not all(isinstance(c, str) for c in commands):
        raise SchemaError(f"{where}.commands: expected a list of strings")
    machine_load = _check_load(data.get("load", {}), f"{where}.load") if schema != READABLE[0] else {}
    return ResultFile(suite=suite, machine=machine, records=parsed, commands=commands,
                      created=str(data.get("created", "")), load=machine_load)

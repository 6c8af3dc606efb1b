"""suites/gate/thresholds.toml: every threshold of the gates with its reason. A broken file raises
ConfigError naming the file and the field, never a KeyError or a silent default."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomllib

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PATH = ROOT / "suites" / "gate" / "thresholds.toml"


class ConfigError(ValueError):
    """suites/gate/thresholds.toml is unreadable or has a wrong or missing field; says which."""

    def __init__(self, path: Path, field_name: str, problem: str) -> None:
        super().__init__(f"{path}: {field_name}: {problem}")
        self.path = path
        self.field = field_name


@dataclass(frozen=True)
class InstrThreshold:
    max_increase_pct: float  # fail when head exceeds base by more than this
    reason: str
    source: str  # "instr" (the default) or "instr.bench.<id>"


@dataclass(frozen=True)
class RatioSettings:
    max_ratio: float  # head/base time above which (whole interval) head-vs-base fails
    reason: str
    rounds: int
    quick_rounds: int
    confidence: float
    resamples: int
    seed: int


@dataclass(frozen=True)
class Floor:
    """A same-run claim: head's time is at least ``min_ratio`` x base's (base is the faster)."""

    name: str
    base: list[str]
    head: list[str]
    min_ratio: float
    reason: str
    quick: bool


@dataclass(frozen=True)
class Config:
    path: Path
    instr_default: InstrThreshold
    instr_bench: dict[str, InstrThreshold] = field(default_factory=dict)
    ratio: RatioSettings | None = None
    floors: list[Floor] = field(default_factory=list)

    def instr_threshold(self, bench_id: str) -> InstrThreshold:
        """The threshold for ``bench_id``: its own entry, else the [instr] default."""
        return self.instr_bench.get(bench_id, self.instr_default)


class _Reader:
    """Typed access to one table of the TOML document, naming the dotted field on errors."""

    def __init__(self, path: Path, table: dict[str, Any], prefix: str) -> None:
        self.path, self.table, self.prefix = path, table, prefix

    def _name(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        if key not in self.table:
            if default is ...:
                raise ConfigError(self.path, self._name(key), "missing")
            return default
        value = self.table[key]
        if isinstance(value, bool) and kind is not bool:  # bool is an int in Python
            raise ConfigError(self.path, self._name(key), f"expected a number, got {value!r}")
        if not isinstance(value, kind):
            want = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise ConfigError(self.path, self._name(key), f"expected {want}, got {value!r}")
        return value

    def number(self, key: str, lo: float, hi: float, default: Any = ...) -> float:
        value = float(self.get(key, (int, float), default))
        if not lo <= value <= hi:
            raise ConfigError(self.path, self._name(key), f"{value} is outside [{lo}, {hi}]")
        return value

    def reason(self) -> str:
        text = self.get("reason", str).strip()
        if not text:
            raise ConfigError(self.path, self._name("reason"), "empty: every threshold needs its reason")
        return text

    def sub(self, key: str) -> _Reader:
        return _Reader(self.path, self.get(key, dict), self._name(key))


def _command(reader: _Reader, key: str) -> list[str]:
    value = reader.get(key, (str, list))
    argv = shlex.split(value) if isinstance(value, str) else value
    if not argv or not all(isinstance(a, str) for a in argv):
        raise ConfigError(reader.path, reader._name(key), "expected a command (string or list of strings)")
    return argv


def _instr(reader: _Reader, source: str) -> InstrThreshold:
    return InstrThreshold(reader.number("max_increase_pct", 0.0, 100.0), reader.reason(), source)


def load(path: Path | str = DEFAULT_PATH) -> Config:
    """Reads and validates the thresholds file."""
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text())
    except OSError as exc:
        raise ConfigError(path, "(file)", f"cannot read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "(syntax)", str(exc)) from exc
    top = _Reader(path, doc, "")
    instr = top.sub("instr")
    default = _instr(instr, "instr")
    per_bench: dict[str, InstrThreshold] = {}
    benches = instr.get("bench", dict, {})
    for bench_id in benches:
        sub = _Reader(path, instr.sub("bench").get(bench_id, dict), f"instr.bench.\"{bench_id}\"")
        per_bench[bench_id] = _instr(sub, f"instr.bench.{bench_id}")

    ratio = top.sub("ratio")
    settings = RatioSettings(
        max_ratio=ratio.number("max_ratio", 1.0, 100.0),
        reason=ratio.reason(),
        rounds=int(ratio.number("rounds", 2, 10_000)),
        quick_rounds=int(ratio.number("quick_rounds", 2, 10_000)),
        confidence=ratio.number("confidence", 0.5, 0.999),
        resamples=int(ratio.number("resamples", 100, 1_000_000)),
        seed=int(ratio.number("seed", 0, 2**63)),
    )
    floors = []
    for i, table in enumerate(ratio.get("floor", list, [])):
        if not isinstance(table, dict):
            raise ConfigError(path, f"ratio.floor[{i}]", "expected a table")
        f = _Reader(path, table, f"ratio.floor[{i}]")
        floors.append(Floor(name=f.get("name", str), base=_command(f, "base"),
                            head=_command(f, "head"), min_ratio=f.number("min_ratio", 0.0, 1e6),
                            reason=f.reason(), quick=f.get("quick", bool, False)))
    return Config(path, default, per_bench, settings, floors)

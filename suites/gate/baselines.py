"""Stored instruction-count baselines: suites/gate/baselines/<kind>.json, one file per core (the kind is
the benchmark id's prefix, "router" in "router.github_all/native"). Refreshed only by
``python -m suites.gate instr --update``, which also records what the counts depend on."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import ROOT

DEFAULT_DIR = ROOT / "suites" / "gate" / "baselines"
SCHEMA = "lapwise.gate.instr-baseline/v1"
REFRESH = ("python -m suites.gate instr --build-dir <release build> --update <benchmark id>... "
           "--reason '<why>'")
LOG_NAME = "updates.log"  # every re-recorded count: when, on which commit, old -> new, why


class BaselineError(ValueError):
    """A baseline file that cannot be read; the message names it."""


@dataclass(frozen=True)
class Baseline:
    instructions: int
    path: Path
    recorded_with: dict[str, str]  # compiler, flags, valgrind: counts are only exact under these
    requires: tuple[str, ...] | None = None  # CPU flags of the code counted (None: not recorded)


def kind_of(bench_id: str) -> str:
    return bench_id.split(".", 1)[0].split("/", 1)[0]


def path_for(bench_id: str, directory: Path = DEFAULT_DIR) -> Path:
    return Path(directory) / f"{kind_of(bench_id)}.json"


def _read(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise BaselineError(f"{path}: unreadable ({exc})") from exc
    if doc.get("schema") != SCHEMA or not isinstance(doc.get("benchmarks"), dict):
        raise BaselineError(f"{path}: not a {SCHEMA} file (schema or benchmarks field)")
    return doc


def lookup(bench_id: str, directory: Path = DEFAULT_DIR) -> Baseline | None:
    """The stored count for ``bench_id``, or None when there is none (file or entry missing)."""
    path = path_for(bench_id, directory)
    doc = _read(path)
    entry = doc.get("benchmarks", {}).get(bench_id)
    if entry is None:
        return None
    try:
        n = int(entry["instructions"])
    except (KeyError, TypeError, ValueError) as exc:
        raise BaselineError(f"{path}: benchmarks.{bench_id}.instructions: missing or not a whole number") from exc
    req = entry.get("requires")
    return Baseline(n, path, dict(doc.get("recorded_with", {})),
                    tuple(req.split()) if isinstance(req, str) else None)


def log_path(directory: Path = DEFAULT_DIR) -> Path:
    return Path(directory) / LOG_NAME


def _log(directory: Path, lines: list[str]) -> None:
    log = log_path(directory)
    if not log.exists():
        log.write_text("# Every re-recorded instruction-count baseline, one line each (tab-separated):\n"
                       "# UTC time, commit measured (+dirty: with uncommitted changes), benchmark, "
                       "old -> new count, reason.\n# Written by `python -m suites.gate instr --update` "
                       "(and --forget); never edited by hand.\n")
    with log.open("a") as f:
        f.write("".join(line + "\n" for line in lines))


def _stamp() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def forget(bench_ids: list[str], directory: Path = DEFAULT_DIR, *, reason: str, commit: str) -> list[str]:
    """Removes the stored counts of ``bench_ids`` (an id whose meaning changed, a benchmark
    that is gone) and logs each; returns the ids that had a count."""
    removed, lines = [], []
    for bench_id in bench_ids:
        path = path_for(bench_id, directory)
        doc = _read(path)
        entry = doc.get("benchmarks", {}).pop(bench_id, None)
        if entry is None:
            continue
        path.write_text(json.dumps(doc, indent=2) + "\n")
        removed.append(bench_id)
        lines.append("\t".join([_stamp(), commit or "unknown", bench_id,
                                f"{int(entry['instructions']):,} -> removed", " ".join(reason.split())]))
    if lines:
        _log(directory, lines)
    return removed


def store(counts: dict[str, int], recorded_with: dict[str, str],
          directory: Path = DEFAULT_DIR, *, requires: dict[str, tuple[str, ...]] | None = None,
          reason: str = "", commit: str = "") -> list[Path]:
    """Writes ``counts`` into their kinds' files, keeping other benchmarks' entries, and appends
    one line per benchmark to the log (UTC time, commit, id, old -> new, reason); returns the
    files written."""
    requires = requires or {}
    log_lines = []
    stamp = _stamp()
    for bench_id, n in sorted(counts.items()):
        old = lookup(bench_id, directory)
        change = f"{old.instructions:,} -> {n:,}" if old else f"new -> {n:,}"
        if old:
            change += f" ({(n - old.instructions) * 100 / old.instructions:+.2f}%)"
        log_lines.append("\t".join([stamp, commit or "unknown", bench_id, change,
                                    " ".join(reason.split())]))
    by_file: dict[Path, dict[str, int]] = {}
    for bench_id, n in counts.items():
        by_file.setdefault(path_for(bench_id, directory), {})[bench_id] = n
    for path, new in by_file.items():
        doc = _read(path) or {"schema": SCHEMA, "benchmarks": {}}
        doc["refresh"] = REFRESH
        doc["note"] = ("Instructions executed inside lapwise_gate_measured() by the gate driver "
                       "(suites/gate/drivers/), counted by callgrind; exact for the same compiler, "
                       "flags, valgrind and inputs (recorded_with). requires: the CPU flags of the "
                       "code counted (a machine without them skips the benchmark). Every change "
                       f"is logged in {LOG_NAME}.")
        doc["recorded_with"] = recorded_with
        for bench_id, n in new.items():
            entry: dict[str, Any] = {"instructions": n}
            if bench_id in requires:
                entry["requires"] = " ".join(requires[bench_id])
            doc["benchmarks"][bench_id] = entry
        doc["benchmarks"] = dict(sorted(doc["benchmarks"].items()))
        path.parent.mkdir(parents=True, exist_ok=True)
        keys = ("schema", "note", "refresh", "recorded_with", "benchmarks")
        path.write_text(json.dumps({k: doc[k] for k in keys}, indent=2) + "\n")
    _log(directory, log_lines)
    return sorted(by_file)

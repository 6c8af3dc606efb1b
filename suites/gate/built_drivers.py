"""The gate drivers a build made (suites/gate/, listed in <build>/gate/drivers.json) and how to
ask one for its benchmarks and build facts."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


class GateError(RuntimeError):
    """A problem that stops a gate before it can measure anything (the message says what)."""


@dataclass(frozen=True)
class Driver:
    name: str                # "spin", "router", ...
    exe: Path                # built with the build-wide LAPWISE_INJECT_SLOWDOWN_PCT
    inject_pct: int          # that build-wide value (0 in every build but a self-test's)
    inject: dict[int, Path]  # twins compiled with an injected slowdown of <pct>%


def manifest_path(build_dir: Path) -> Path:
    return Path(build_dir) / "gate" / "drivers.json"


def load_manifest(build_dir: Path) -> list[Driver]:
    """The drivers of ``build_dir``; GateError when it is not a configured lapwise build."""
    path = manifest_path(build_dir)
    try:
        doc = json.loads(path.read_text())
        drivers = [Driver(d["name"], Path(d["exe"]), int(d["inject_pct"]),
                          {int(k): Path(v) for k, v in d["inject"].items()})
                   for d in doc["drivers"]]
    except FileNotFoundError as exc:
        raise GateError(f"{path} not found: configure {build_dir} with CMake first "
                        f"(the gate drivers are in suites/gate/)") from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise GateError(f"{path}: unreadable driver list ({exc})") from exc
    return drivers


def _run(argv: list[str], what: str) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    except FileNotFoundError as exc:
        raise GateError(f"{argv[0]} not found: build it (cmake --build <build> --target gate_drivers)") from exc
    except subprocess.TimeoutExpired as exc:
        raise GateError(f"{argv[0]} {what}: timed out") from exc
    if out.returncode != 0:
        raise GateError(f"{argv[0]} {what}: exit {out.returncode}: {out.stderr.strip()[-300:]}")
    return out.stdout


def benchmarks(exe: Path) -> list[str]:
    """The benchmark ids a driver runs (``--list``)."""
    return [line.strip() for line in _run([str(exe), "--list"], "--list").splitlines() if line.strip()]


@dataclass(frozen=True)
class Needs:
    flags: tuple[str, ...]  # CPU flags (/proc/cpuinfo spelling) the benchmark's code runs on
    runnable: bool          # whether the process that answered can run it


def requirements(exe: Path, *, under_valgrind: bool = False) -> dict[str, Needs]:
    """What each benchmark needs from the CPU (``--requires``), as the driver sees it natively or
    under valgrind, whose emulated CPU hides what it cannot run (AVX-512 in 3.19). A driver
    without ``--requires`` (an older base build) needs nothing it knows of: {}."""
    argv = [str(exe), "--requires"]
    if under_valgrind:
        valgrind = shutil.which("valgrind")
        if valgrind is None:
            return {}
        argv = [valgrind, "-q", "--tool=none", *argv]
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    if out.returncode != 0:
        return {}
    needs = {}
    for line in out.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            needs[parts[0]] = Needs(tuple(parts[1].split()), parts[2] == "yes")
    return needs


def info(exe: Path) -> dict[str, str]:
    """Build facts of a driver (``--info``): compiler, flags, inject_pct."""
    facts = {}
    for line in _run([str(exe), "--info"], "--info").splitlines():
        key, _, value = line.partition("=")
        facts[key.strip()] = value.strip()
    return facts

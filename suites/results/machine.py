"""Machine metadata captured into every result file: enough to tell two runs' machines apart,
and the load average (how busy the machine was while a suite ran)."""

from __future__ import annotations

import functools
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any


# Every CPU figure the suites take from /proc (utime + stime) is a sum, and only the sum is exact:
# the kernel charges the scheduler's precise runtime, but it splits that runtime into user and
# system by sampling at its timer tick (250 Hz on this project's VM, CONFIG_TICK_CPU_ACCOUNTING),
# so a split over a few seconds rests on a few dozen ticks. Benches print this beside their tables.
CPU_SPLIT_NOTE = ("server CPU = user + system from /proc: the sum is exact; the user/system split is "
                  "sampled at the kernel's timer tick (250 Hz here), so no figure splits it")


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None


def _cpu_model() -> str:
    text = _read("/proc/cpuinfo") or ""
    for line in text.splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _cpu_flags() -> list[str]:
    text = _read("/proc/cpuinfo") or ""
    for line in text.splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
            return sorted(flags & {"sse4_2", "avx2", "avx512f", "bmi2", "popcnt"})
    return []


def load_average() -> list[float]:
    """The load average over 1, 5 and 15 minutes, rounded to hundredths."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:  # no /proc/loadavg: a machine that cannot say reads as idle
        return [0.0, 0.0, 0.0]


# The load when this process first imported the result schema: a suite's start, near enough.
_START_LOAD = load_average()


def start_load() -> list[float]:
    return list(_START_LOAD)


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], capture_output=True, text=True, timeout=5,
                             cwd=Path(__file__).resolve().parent)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


@functools.cache
def capture() -> dict[str, Any]:
    """CPU model, cores, governor, kernel, compiler and flags (of the native build), Python
    version and the commit (with a dirty flag)."""
    build: dict[str, Any] = {}
    try:
        from lapwise import _native_status

        native = _native_status.module()
        build = dict(native.build_info())
    except (ImportError, AttributeError):
        pass
    commit = _git("rev-parse", "HEAD")
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    return {
        "cpu_model": _cpu_model(),
        "cpu_flags": _cpu_flags(),
        "cores": os.cpu_count(),
        "governor": _read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor") or "unknown",
        "kernel": platform.release(),
        "os": _read("/etc/debian_version") and f"Debian {_read('/etc/debian_version')}" or platform.platform(),
        "python": sys.version.split()[0],
        "python_executable": sys.executable,
        "native_build": build,
        "commit": commit,
        "dirty": dirty,
        "hostname": platform.node(),
    }

"""PROGRESS lines (suites/runner's protocol: ``PROGRESS <done> <total> <label>`` on stdout) for
a suite that runs its parts as child processes: each child reports its own count, and the
parent rescales it into one count over all parts, weighted by each part's share of the time,
so the runner's estimate of the time left holds across parts."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence

# The parent's count is in these units, so a part's fraction survives the rescaling.
SCALE = 1000


def emit(on: bool, done: int, total: int, label: str) -> None:
    if on:
        print(f"PROGRESS {done} {total} {label}", flush=True)


def relay(cmd: Sequence[str], start: float, share: float, prefix: str, on: bool) -> int:
    """Runs ``cmd``; its PROGRESS lines become the parent's, from fraction ``start`` over
    ``share`` of the whole; every other line is passed through. Returns the exit status."""
    if not on:
        return subprocess.run(list(cmd)).returncode
    proc = subprocess.Popen(list(cmd), stdout=subprocess.PIPE, text=True, bufsize=1)
    assert proc.stdout is not None
    for line in proc.stdout:
        parts = line.split(" ", 3)
        if parts[0] == "PROGRESS" and len(parts) >= 3 and parts[1].isdigit() and parts[2].isdigit():
            done, total = int(parts[1]), max(1, int(parts[2]))
            label = parts[3].strip() if len(parts) > 3 else ""
            fraction = start + share * min(done, total) / total
            emit(True, round(fraction * SCALE), SCALE, f"{prefix} {label}".strip())
        else:
            sys.stdout.write(line)
            sys.stdout.flush()
    return proc.wait()

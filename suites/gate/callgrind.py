"""Instruction counts of one benchmark of a gate driver, under valgrind's callgrind.

Only the instructions executed inside lapwise_gate_measured() are collected
(--toggle-collect), so process start-up, input loading and table building, which depend on the
environment, the dataset path and the dynamic loader, are not counted. What remains repeats
exactly for the same binary and inputs; the A/A self-test checks that it does, with a different
environment size and working directory on the second run.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

MEASURED_FUNCTION = "lapwise_gate_measured"
_SIGILL = "signal 4 (SIGILL)"
_COLLECTED = re.compile(r"^==\d+== Collected : (\d+)\s*$", re.M)


@dataclass(frozen=True)
class Count:
    instructions: int | None
    error: str | None = None  # why there is no count (tool missing, driver failed, ...)
    cannot_run: bool = False  # the error is "not here by design" (the CPU or valgrind lacks it)


@functools.cache
def valgrind_version() -> str | None:
    exe = shutil.which("valgrind")
    if exe is None:
        return None
    out = subprocess.run([exe, "--version"], capture_output=True, text=True)
    return out.stdout.strip() or None


def count(exe: Path, bench_id: str, *, pad_env: int = 0, cwd: Path | None = None,
          datasets_dir: Path | None = None, timeout: float = 600) -> Count:
    """Instructions of ``exe --bench=<bench_id> --mode=instr`` inside the measured function.

    ``pad_env`` adds an environment variable of that many bytes and ``cwd`` changes the working
    directory: both move the stack; ``datasets_dir`` points LAPWISE_DATASETS_DIR elsewhere
    (a path of another length): none of them may change the count (used by the A/A test).
    """
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return Count(None, "valgrind is not installed (apt-get install valgrind; ci/packages.txt lists it)")
    if not Path(exe).is_file():
        return Count(None, f"driver {exe} not built (cmake --build <build> --target gate_drivers)")
    env = dict(os.environ)
    if pad_env:
        env["LAPWISE_GATE_PAD"] = "x" * pad_env
    if datasets_dir is not None:
        env["LAPWISE_DATASETS_DIR"] = str(datasets_dir)
    with tempfile.TemporaryDirectory(prefix="lapwise-gate-") as tmp:
        log = Path(tmp) / "valgrind.log"
        argv = [valgrind, "--tool=callgrind", f"--toggle-collect={MEASURED_FUNCTION}",
                f"--callgrind-out-file={Path(tmp) / 'callgrind.out'}", f"--log-file={log}",
                str(exe), f"--bench={bench_id}", "--mode=instr"]
        try:
            out = subprocess.run(argv, capture_output=True, text=True, env=env,
                                 cwd=cwd or tmp, timeout=timeout)
        except subprocess.TimeoutExpired:
            return Count(None, f"timed out after {timeout:.0f} s under callgrind")
        except OSError as exc:
            return Count(None, f"cannot run valgrind: {exc.strerror or exc}")
        text = log.read_text() if log.exists() else ""
    if _SIGILL in text:  # valgrind's decoder lacks an instruction the code uses
        return Count(None, f"valgrind cannot emulate an instruction this benchmark runs (SIGILL under "
                     f"{valgrind_version()}): no instruction count for it on this machine", cannot_run=True)
    if out.returncode == 77:  # the driver's "cannot run here"
        why = out.stderr.strip().splitlines()
        return Count(None, why[-1] if why else "cannot run here", cannot_run=True)
    if out.returncode != 0:
        why = out.stderr.strip().splitlines()
        return Count(None, f"driver exit {out.returncode}: {why[-1] if why else 'no message'}")
    found = _COLLECTED.findall(text)
    if len(found) != 1:
        return Count(None, f"callgrind printed no 'Collected' total (log: {text.strip()[-200:]!r})")
    n = int(found[0])
    if n == 0:
        return Count(None, f"no instructions collected: {MEASURED_FUNCTION} never ran (stripped binary?)")
    return Count(n)

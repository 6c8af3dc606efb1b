"""Running lapwise-load (suites/load) and checking its report's accounting.

lapwise-load writes its own JSON (lapwise/load/report_json.h); ``run`` returns it as a dict
after ``accounting_problems`` found nothing wrong with it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
ERROR_KINDS = ("read", "write", "parse", "status", "body", "timeout")


class LoadError(RuntimeError):
    """lapwise-load could not run, or its report does not add up."""


def find_binary(explicit: str | None = None) -> Path:
    """lapwise-load: ``explicit``, $LAPWISE_LOAD_BIN, or the first build tree that has it
    ($LAPWISE_BUILD_DIR, then build/ and build-*/ under the repository)."""
    candidates: list[Path] = []
    for value in (explicit, os.environ.get("LAPWISE_LOAD_BIN")):
        if value:
            candidates.append(Path(value))
    build_dirs = [Path(os.environ["LAPWISE_BUILD_DIR"])] if os.environ.get("LAPWISE_BUILD_DIR") else []
    build_dirs += [REPO / "build", *sorted(REPO.glob("build-*"))]
    candidates += [d / "bin" / "lapwise-load" for d in build_dirs]
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    raise LoadError("lapwise-load not found: build it (cmake --build <dir> --target lapwise-load) "
                    "or set LAPWISE_LOAD_BIN")


@dataclass(frozen=True)
class LoadSpec:
    """One lapwise-load invocation. Every load is bounded: by duration always, by count if n."""

    url: str
    request_file: Path
    connections: int = 64
    pipeline: int = 1
    duration_s: float = 5.0
    rate: float = 0.0  # > 0: open loop
    max_requests: int = 0
    warmup_s: float = 0.0
    timeout_ms: int = 2000

    def argv(self, binary: Path, output: Path) -> list[str]:
        args = [str(binary), "-q", "-c", str(self.connections), "-p", str(self.pipeline),
                "-d", f"{self.duration_s:g}", "-w", f"{self.warmup_s:g}",
                "--timeout", str(self.timeout_ms), "-f", str(self.request_file), "-o", str(output)]
        if self.rate > 0:
            args += ["-R", f"{self.rate:.3f}"]
        if self.max_requests > 0:
            args += ["-n", str(self.max_requests)]
        return args + [self.url]


def pinned(argv: Sequence[str], cpu: int | None) -> list[str]:
    if cpu is None:
        return list(argv)
    return [shutil.which("taskset") or "taskset", "-c", str(cpu), *argv]


def accounting_problems(report: dict) -> list[str]:
    """What does not add up in a lapwise-load report: issued == ok + failed, the error kinds
    sum to failed, every ok response has a latency, nothing was left unsent, and (open loop)
    every request written has a send lateness and every ok response a response time."""
    problems = []
    req = report["requests"]
    errors = report["errors"]
    if req["issued"] != req["ok"] + req["failed"]:
        problems.append(f"issued {req['issued']} != ok {req['ok']} + failed {req['failed']}")
    if sum(errors[k] for k in ERROR_KINDS) != req["failed"]:
        problems.append(f"error kinds {errors} do not sum to failed {req['failed']}")
    if report["latency_us"]["count"] != req["ok"]:
        problems.append(f"{report['latency_us']['count']} latencies for {req['ok']} ok responses")
    if req["sent"] > req["issued"]:
        problems.append(f"sent {req['sent']} > issued {req['issued']}")
    # Open loop (reports that have the block): one send lateness per measured request written,
    # one response time per ok response.
    open_loop = report.get("open_loop")
    if open_loop and report["config"].get("mode") == "open":
        if open_loop["send_lateness_us"]["count"] != req["sent"]:
            problems.append(f"{open_loop['send_lateness_us']['count']} send latenesses for "
                            f"{req['sent']} requests sent")
        if open_loop["response_us"]["count"] != req["ok"]:
            problems.append(f"{open_loop['response_us']['count']} response times for "
                            f"{req['ok']} ok responses")
    return problems


def run(binary: Path, spec: LoadSpec, output: Path, cpu: int | None = None) -> dict:
    """Runs one load (pinned to ``cpu``), returns its report; raises LoadError if it did not
    run or its accounting is wrong. A hard wall-clock cap guards against a hung run."""
    cap = spec.warmup_s + spec.duration_s + spec.timeout_ms / 1000 + 30
    proc = subprocess.run(pinned(spec.argv(binary, output), cpu), capture_output=True, text=True,
                          timeout=cap)
    if proc.returncode != 0:
        raise LoadError(f"lapwise-load exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    report = json.loads(output.read_text())
    problems = accounting_problems(report)
    if problems:
        raise LoadError(f"lapwise-load report {output} does not add up: {'; '.join(problems)}")
    return report


def start(binary: Path, spec: LoadSpec, output: Path, cpu: int | None = None) -> subprocess.Popen:
    """Starts a load in the background (the soak samples the server while it runs)."""
    return subprocess.Popen(pinned(spec.argv(binary, output), cpu), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, output: Path, timeout: float) -> dict:
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise LoadError(f"lapwise-load did not finish within {timeout:.0f} s") from None
    if proc.returncode != 0:
        raise LoadError(f"lapwise-load exited {proc.returncode}: {err.strip()[-2000:]}")
    report = json.loads(output.read_text())
    problems = accounting_problems(report)
    if problems:
        raise LoadError(f"lapwise-load report {output} does not add up: {'; '.join(problems)}")
    return report

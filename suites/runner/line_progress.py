"""ci/bench's progress when stderr is not a terminal (CI logs, pipes): one plain line per job
start, per job end, and per progress step of a job at most every few seconds, each with the
job count and an estimate of the time left, e.g.

    [3/11] suite e2e: closed-loop /users (est. 40 s left)

A progress bar redrawn in place is unreadable in a log and, without a terminal, rich prints
nothing until the end. The estimate adds the running job's remainder (from its own PROGRESS
fraction, else its last recorded duration) and the recorded durations of the jobs not started
yet (``<build>/bench-durations.json``, written after each run); a job never recorded
counts as unknown and the estimate says so.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, TextIO

MIN_INTERVAL_S = 5.0


def load_durations(path: Path) -> dict[str, float]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in data.items()} if isinstance(data, dict) else {}


def save_durations(path: Path, durations: dict[str, float]) -> None:
    try:
        old = load_durations(path)
        path.write_text(json.dumps({**old, **durations}, indent=1, sort_keys=True) + "\n")
    except OSError:
        pass  # an estimate for the next run is a convenience, never a failure


def fmt_left(seconds: float | None) -> str:
    if seconds is None:
        return "est. unknown"
    if seconds < 90:
        return f"est. {seconds:.0f} s left"
    return f"est. {seconds / 60:.1f} min left"


class _Console:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def print(self, text: Any = "", **_: Any) -> None:
        self.out.write(f"{text}\n")
        self.out.flush()


class LineProgress:
    """The part of rich.progress.Progress that the runner uses, printing lines instead."""

    def __init__(self, jobs: list[str], durations: dict[str, float], out: TextIO) -> None:
        self.jobs = jobs
        self.durations = durations
        self.console = _Console(out)
        self.tasks: dict[int, dict[str, Any]] = {}
        self.index = 0          # jobs started so far
        self.job_start = time.monotonic()
        self.last_line = 0.0

    def __enter__(self) -> LineProgress:
        return self

    def __exit__(self, *_: Any) -> None:
        return None

    def add_task(self, description: str, total: float | None = None, **_: Any) -> int:
        task = len(self.tasks)
        self.tasks[task] = {"description": description, "total": total, "completed": 0}
        if task > 0:  # task 0 is the overall count
            self.index += 1
            self.job_start = time.monotonic()
            self._line(description, force=True)
        return task

    def update(self, task: int, *, completed: float | None = None, total: float | None = None,
               description: str | None = None, **_: Any) -> None:
        t = self.tasks[task]
        if completed is not None:
            t["completed"] = completed
        if total is not None:
            t["total"] = total
        if description is not None and task > 0:
            changed = description != t["description"]
            t["description"] = description
            if changed and not description.endswith((": ok", ": FAILED")):  # the runner says so
                self._line(description)

    def advance(self, task: int, advance: float = 1) -> None:
        self.tasks[task]["completed"] += advance

    def left(self, known_only: bool = False) -> float | None:
        """Seconds left: the running job's remainder plus the jobs not started yet (None when
        one was never timed, unless ``known_only``: then those count as nothing)."""
        i = self.index - 1
        if i < 0 or i >= len(self.jobs):
            return None
        t = self.tasks[len(self.tasks) - 1]
        elapsed = time.monotonic() - self.job_start
        done, total = t["completed"], t["total"]
        if total and 0 < done < total:
            current: float | None = elapsed / done * (total - done)
        elif self.jobs[i] in self.durations:
            current = max(0.0, self.durations[self.jobs[i]] - elapsed)
        else:
            current = 0.0 if known_only else None
        rest = [self.durations.get(j, 0.0 if known_only else None) for j in self.jobs[i + 1:]]
        if current is None or any(r is None for r in rest):
            return None
        return current + sum(r for r in rest if r is not None)

    def unknown(self) -> int:
        """Jobs from the running one on that were never timed before (not in the estimate)."""
        return sum(j not in self.durations for j in self.jobs[max(0, self.index - 1):])

    def _line(self, description: str, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last_line < MIN_INTERVAL_S:
            return
        self.last_line = now
        left = self.left()
        if left is None and 0 < self.unknown() < len(self.jobs):
            # Estimate what is known and say how many jobs it leaves out.
            est = f"{fmt_left(self.left(known_only=True))}, plus {self.unknown()} job(s) never timed here"
        else:
            est = fmt_left(left)
        self.console.print(f"[{self.index}/{len(self.jobs)}] {description} ({est})")

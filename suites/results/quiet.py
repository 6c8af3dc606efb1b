"""Whether a run's machine was quiet, from the load averages its result files carry (schema v2
``load``). The report's sentence (reports/machine_load.py) and the history's comparison
(history/comparison.py) both judge by this one rule.

The rule: a run is **quiet** when every 1-minute load average recorded for it (the run's start
and end, each job's start and end) is under ``QUIET_PER_CORE`` (0.75) times the machine's
cores: 1.5 on the 2-core VM. Why three quarters of the cores: the run itself keeps one core
busy (micro suites, laps) and, for seconds at a time, two (an end-to-end run pins the server to
one core and its load generator to the other); the 1-minute average lags, so a run alone reads
about one runnable task per busy core at most and below that between jobs. A reading past three
quarters of the cores means other work was competing for the cores the run pinned, and wall
times and throughputs from that part do not compare across runs. The line is a judgement, not
a measurement of interference: a reading just under it is not proof of a quiet core. Anything
else is **shared**. Files without a load (schema v1) say nothing about the machine.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

QUIET_PER_CORE = 0.75


@dataclass(frozen=True)
class JobLoad:
    suite: str
    start: float | None  # 1-minute load average
    end: float | None


@dataclass(frozen=True)
class RunLoad:
    cores: int
    jobs: list[JobLoad]
    run_start: float | None
    run_end: float | None

    @property
    def limit(self) -> float:
        return QUIET_PER_CORE * self.cores

    def readings(self) -> list[float]:
        points = [self.run_start, self.run_end]
        points += [v for j in self.jobs for v in (j.start, j.end)]
        return [v for v in points if v is not None]

    def busy_jobs(self) -> list[JobLoad]:
        return [j for j in self.jobs
                if any(v is not None and v >= self.limit for v in (j.start, j.end))]

    @property
    def quiet(self) -> bool | None:
        """True or False by the rule; None when no load was recorded."""
        values = self.readings()
        return None if not values else max(values) < self.limit

    def short(self) -> str:
        """A few words: "quiet (load 0.62-1.31, under 1.5)"."""
        if self.quiet is None:
            return "load not recorded"
        values = self.readings()
        span = f"{min(values):.2f}-{max(values):.2f}"
        return (f"quiet (load {span}, under {self.limit:g})" if self.quiet
                else f"shared with other work (load {span}; quiet is under {self.limit:g})")


def one_minute(load: dict[str, Any], key: str) -> float | None:
    triple = load.get(key)
    return float(triple[0]) if triple else None


def run_load(files: Iterable[tuple[str, dict[str, Any], dict[str, Any]]]) -> RunLoad:
    """The run's readings from its files' (suite, load, machine)."""
    files = list(files)
    cores = max((int(m.get("cores") or 0) for _, _, m in files), default=0) or 1
    jobs = [JobLoad(suite, one_minute(load, "start"), one_minute(load, "end"))
            for suite, load, _ in files if load]
    run_start = [v for _, load, _ in files if (v := one_minute(load, "run_start")) is not None]
    run_end = [v for _, load, _ in files if (v := one_minute(load, "run_end")) is not None]
    return RunLoad(cores, jobs, run_start[0] if run_start else None,
                   run_end[0] if run_end else None)

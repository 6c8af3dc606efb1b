"""How busy the machine was during a run, from the load averages the result files carry
(schema v2 ``load``), and the report's sentence saying so.

The rule: a run is **quiet** when every 1-minute load average recorded for it (the run's start
and end, each job's start and end) is under ``QUIET_PER_CORE`` (0.75) times the machine's
cores: 1.5 on the 2-core VM. Why three quarters of the cores: the run itself keeps one core
busy (micro suites, laps) and, for seconds at a time, two (an end-to-end run pins the server to
one core and its load generator to the other); the 1-minute average lags, so a run alone reads
about one runnable task per busy core at most and below that between jobs. A reading past three
quarters of the cores means other work was competing for the cores the run pinned, and wall
times and throughputs from that part do not compare across runs. The line is a judgement, not
a measurement of interference: a reading just under it is not proof of a quiet core. Anything
else is **shared**, and the sentence names the jobs that started or ended above the line with
their readings. Files without a load (schema v1) say nothing about the machine, and the
sentence says that instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from suites.results import ResultFile

QUIET_PER_CORE = 0.75
MAX_NAMED = 6  # jobs named in the sentence; the Machine table has every one


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


def _one_minute(load: dict, key: str) -> float | None:
    triple = load.get(key)
    return float(triple[0]) if triple else None


def of_files(files: list[tuple[Path, ResultFile]]) -> RunLoad:
    cores = max((int(f.machine.get("cores") or 0) for _, f in files), default=0) or 1
    jobs = [JobLoad(f.suite, _one_minute(f.load, "start"), _one_minute(f.load, "end"))
            for _, f in files if f.load]
    run_start = [v for _, f in files if (v := _one_minute(f.load, "run_start")) is not None]
    run_end = [v for _, f in files if (v := _one_minute(f.load, "run_end")) is not None]
    return RunLoad(cores, jobs, run_start[0] if run_start else None,
                   run_end[0] if run_end else None)


def _fmt(v: float | None) -> str:
    return "?" if v is None else f"{v:.2f}"


def _span(values: list[float]) -> str:
    lo, hi = min(values), max(values)
    return f"was {lo:.2f}" if f"{lo:.2f}" == f"{hi:.2f}" else f"ranged from {lo:.2f} to {hi:.2f}"


def rule(run: RunLoad) -> str:
    return (f"quiet means every reading under {run.limit:g}, {QUIET_PER_CORE:g} per core on its "
            f"{run.cores} core{'s' if run.cores != 1 else ''}")


def sentence(run: RunLoad) -> str:
    """The report's sentence on the machine's load, written from the recorded readings."""
    if run.quiet is None:
        return ("The machine's load was not recorded (result files written before schema v2), "
                "so whether it was quiet is unknown: compare ratios measured in the same run, "
                "not absolute times across runs.")
    values = run.readings()
    whole = "the run's start and end, and " if run.run_start is not None else ""
    behind = ("its result file" if len(run.jobs) == 1
              else f"each of its {len(run.jobs)} result files")
    where = f"{len(values)} readings: {whole}the start and end of the job behind {behind}"
    if run.quiet:
        return (f"The machine was quiet: the 1-minute load average {_span(values)} "
                f"({where}; {rule(run)}). Ratios "
                "measured in the same run compare best; absolute times compare only with runs "
                "as quiet on the same machine.")
    busy = run.busy_jobs()
    named = "; ".join(f"{j.suite} ({_fmt(j.start)} → {_fmt(j.end)})" for j in busy[:MAX_NAMED])
    more = f"; and {len(busy) - MAX_NAMED} more" if len(busy) > MAX_NAMED else ""
    jobs = (f" {len(busy)} of {len(run.jobs)} job{'s' if len(run.jobs) != 1 else ''} started or "
            f"ended above it: {named}{more}."
            if busy else " No job started or ended above it (the run's own start or end did).")
    return (f"The machine was shared with other work: the 1-minute load average {_span(values)} "
            f"({where}; {rule(run)}).{jobs} Compare "
            "ratios measured in the same run, not absolute times across runs: CPU time per "
            "operation and instruction counts hold under load, wall times and throughputs do not.")


def short(run: RunLoad) -> str:
    """A few words for a machine line: "quiet (load 0.62-1.31, under 1.5)"."""
    if run.quiet is None:
        return "load not recorded"
    values = run.readings()
    span = f"{min(values):.2f}-{max(values):.2f}"
    return (f"quiet (load {span}, under {run.limit:g})" if run.quiet
            else f"shared with other work (load {span}; quiet is under {run.limit:g})")


def cell(f: ResultFile) -> str:
    """A result file's load for the Machine table: 1-minute average at its job's start → end."""
    if not f.load:
        return "not recorded"
    return f"{_fmt(_one_minute(f.load, 'start'))} → {_fmt(_one_minute(f.load, 'end'))}"

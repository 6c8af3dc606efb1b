"""The report's sentence on how busy the machine was during a run, and the Machine table's
load column, from the load averages the result files carry (schema v2 ``load``). The rule,
quiet under 0.75 per core, is suites/results/quiet.py's (the history's comparison uses it too);
a shared run's sentence names the jobs that started or ended above the line with their
readings, and files without a load (schema v1) say that it was not recorded.
"""

from __future__ import annotations

from pathlib import Path

from suites.results import ResultFile
from suites.results.quiet import QUIET_PER_CORE, RunLoad, one_minute, run_load

MAX_NAMED = 6  # jobs named in the sentence, the busiest first; the Machine table has every one


def of_files(files: list[tuple[Path, ResultFile]]) -> RunLoad:
    return run_load((f.suite, f.load, f.machine) for _, f in files)


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
    # The busiest first: the sentence names at most MAX_NAMED of them.
    busy = sorted(run.busy_jobs(), key=lambda j: -max(v for v in (j.start, j.end) if v is not None))
    named = "; ".join(f"{j.suite} ({_fmt(j.start)} → {_fmt(j.end)})" for j in busy[:MAX_NAMED])
    more = f"; and {len(busy) - MAX_NAMED} more" if len(busy) > MAX_NAMED else ""
    jobs = (f" {len(busy)} of {len(run.jobs)} job{'s' if len(run.jobs) != 1 else ''} started or "
            f"ended above it: {named}{more}."
            if busy else " No job started or ended above it (the run's own start or end did).")
    return (f"The machine was shared with other work: the 1-minute load average {_span(values)} "
            f"({where}; {rule(run)}).{jobs} Compare "
            "ratios measured in the same run, not absolute times across runs: CPU time per "
            "operation and instruction counts hold under load, wall times and throughputs do not.")


def cell(f: ResultFile) -> str:
    """A result file's load for the Machine table: 1-minute average at its job's start → end."""
    if not f.load:
        return "not recorded"
    return f"{_fmt(one_minute(f.load, 'start'))} → {_fmt(one_minute(f.load, 'end'))}"

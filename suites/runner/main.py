"""ci/bench's orchestrator: run the jobs (jobs.py) with a progress display, import raw tool
output into result files (schema v2), validate every result file, build the report, optionally publish.

Errors are one line each, naming the file or job and the problem; the run goes on past a
failed job and exits 1 at the end; bad inputs (a result file that fails validation, a missing
dataset folder) stop it with exit 2; a report check that failed (python -m reports exit 3:
reconciliation, saturation, skipped) exits 3 after everything else ran; its warnings (a
load-generator-bound point) are printed and leave the status alone.
Every run is appended to the history store (suites/results/history) unless --no-history;
--compare REF then compares it with a stored run.

The machine's load average is read before and after every job and stamped into the result
files that job wrote (``load.start``/``load.end``), and the run's first and last readings into
every file (``load.run_start``/``load.run_end``): the report's opening sentence says from them
whether the machine was quiet (reports/machine_load.py).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                           TimeElapsedColumn)

from suites.cli_names import unknown_name
from suites.results.machine import load_average

from . import jobs as jobs_mod
from . import line_progress
from .selectable import selectable_names

MAX_SAMPLES = 500
KINDS = ("router", "parser", "query", "json", "server", "client", "html", "laps", "e2e", "pipeline",
         "websocket", "hosting", "sse", "static")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="ci/bench", description="Run the benchmark suites and build the report.")
    ap.add_argument("--root", required=True, type=Path)
    ap.add_argument("--build", required=True, type=Path)
    ap.add_argument("--quick", action="store_true", help="few repetitions: a few minutes")
    ap.add_argument("--kind", default=None, help=f"comma-separated kinds: {', '.join(KINDS)}")
    ap.add_argument("--adapters", default=None, help="comma-separated adapter ids or globs")
    ap.add_argument("--out", type=Path, default=None, help="results directory (default <build>/results)")
    ap.add_argument("--publish", action="store_true", help="copy the report into reports/latest/")
    ap.add_argument("--list", action="store_true", help="list the jobs and exit")
    ap.add_argument("--history", default=None, help="history database (default $LAPWISE_HISTORY, "
                                                    "else <build>/history.sqlite)")
    ap.add_argument("--no-history", action="store_true", help="do not append this run")
    ap.add_argument("--compare", default=None, metavar="REF",
                    help="compare this run with a stored one (run id or commit)")
    ap.add_argument("--compare-threshold", type=float, default=None,
                    help="flag a figure when its whole interval is past this (default 0.10)")
    ap.add_argument("--compare-metric", action="append", default=None,
                    help="compare only these metrics (fnmatch; repeatable), e.g. cpu_time_per_op")
    return ap.parse_args(argv)


def record_history(a: argparse.Namespace, results: Path, argv: list[str]) -> tuple[int, str]:
    """Appends this run to the history store and, with --compare, compares it; (exit status
    contribution, text to print)."""
    from suites.results import history

    db = a.history or os.environ.get(history.ENV) or str(a.build / "history.sqlite")
    try:
        run_id = history.import_dir(results, options="ci/bench " + shlex.join(argv), db=db)
    except (sqlite3.Error, OSError) as exc:
        return 1, f"ci/bench: history {db}: {exc}"
    text = f"ci/bench: history run {run_id} in {db}"
    if not a.compare:
        return 0, text
    try:
        c = history.compare(str(run_id), a.compare, db=db,
                            threshold=a.compare_threshold or history.DEFAULT_THRESHOLD,
                            metrics=a.compare_metric)
    except (history.OtherMachine, ValueError) as exc:
        return 2, f"{text}\nci/bench: --compare: {exc}"
    return 0, f"{text}\n{history.render(c)}"


def run_job(job: jobs_mod.Job, progress: Progress | line_progress.LineProgress, task: int,
            env: dict[str, str]) -> str | None:
    """Runs one job, feeding PROGRESS lines to its bar; None on success, else the reason."""
    if job.raw is not None:
        job.raw.parent.mkdir(parents=True, exist_ok=True)
        job.raw.unlink(missing_ok=True)
    proc = subprocess.Popen(job.argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**env, **job.env})
    assert proc.stdout is not None and proc.stderr is not None
    tail: list[str] = []
    for line in proc.stdout:
        if line.startswith("PROGRESS "):
            _, done, total, *label = line.split(" ", 3)
            progress.update(task, completed=int(done), total=int(total),
                            description=f"{job.name}: {' '.join(label).strip()}")
        elif line.strip():
            tail = (tail + [line.rstrip()])[-5:]
    err = proc.stderr.read().strip().splitlines()
    rc = proc.wait()
    if rc != 0:
        why = next((ln for ln in reversed(err) if ln.strip()), tail[-1] if tail else "no output")
        return f"exited {rc}: {why.strip()}"
    return None


def import_job(job: jobs_mod.Job, s: jobs_mod.Settings) -> str | None:
    from suites.results import SchemaError, new_file, write

    assert job.raw is not None and job.importer is not None
    if not job.raw.exists():
        return f"{job.raw}: the tool wrote no output"
    try:
        records = [r for r in job.importer(job.raw) if jobs_mod.selected(r, s.adapters)]
    except SchemaError as exc:
        return str(exc)
    for r in records:  # keep result files small enough to publish: thin evenly, keep order
        if len(r.samples) > MAX_SAMPLES:
            stride = len(r.samples) / MAX_SAMPLES
            r.extra["samples_thinned_from"] = len(r.samples)
            r.samples = [r.samples[int(i * stride)] for i in range(MAX_SAMPLES)]
    if not records:
        return None
    f = new_file(job.suite, commands=[shlex.join(job.argv)])
    f.records = records
    write(f, s.results / f"{job.suite}.json")
    return None


def _mtimes(results: Path) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in results.glob("*.json")}


def stamp(paths: list[Path], **load: list[float]) -> None:
    """Records ``load`` in each result file; a file that is not one is left for validate()."""
    from suites.results import SchemaError, stamp_load

    for p in paths:
        try:
            stamp_load(p, **load)
        except (OSError, ValueError, SchemaError):
            pass


def validate(results: Path) -> str | None:
    from suites.results import SchemaError, load

    for p in sorted(results.glob("*.json")):
        try:
            load(p)
        except SchemaError as exc:
            return str(exc)
    return None


def publish(root: Path, results: Path, report: Path) -> Path:
    """reports/latest/ := the report (md, html, plots) + the result files it was built from."""
    latest = root / "reports" / "latest"
    for sub in ("plots", "results"):
        shutil.rmtree(latest / sub, ignore_errors=True)
    latest.mkdir(parents=True, exist_ok=True)
    for name in ("report.md", "report.html", "laps.md"):
        shutil.copy2(report / name, latest / name)
    shutil.copytree(report / "plots", latest / "plots")
    (latest / "results").mkdir()
    for p in sorted(results.glob("*.json")):
        shutil.copy2(p, latest / "results" / p.name)
    return latest


def screenshot(latest: Path, env: dict[str, str]) -> str:
    """reports/latest/summary.png: the top of the published report (Checks and Summary) in
    headless Chromium (python -m reports.browser.chromium), so the screenshot always shows the
    published run. A machine without Chromium publishes without it and says so."""
    out = latest / "summary.png"
    if not (latest / "report.html").is_file():
        return f"ci/bench: no summary screenshot: {latest / 'report.html'} is missing"
    # Its own process group, so a hung Chromium is ended with the command that started it.
    shot = subprocess.Popen([sys.executable, "-m", "reports.browser.chromium",
                             str(latest / "report.html"), str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    try:
        _, err = shot.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        os.killpg(shot.pid, signal.SIGKILL)
        shot.communicate()
        return f"ci/bench: no summary screenshot: Chromium took over 180 s ({out} left as it was)"
    if shot.returncode != 0:
        why = (err.strip().splitlines() or ["python -m reports.browser.chromium failed"])[-1]
        return f"ci/bench: no summary screenshot: {why} ({out} left as it was)"
    return f"ci/bench: summary screenshot {out}"


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    console = Console(stderr=True, soft_wrap=True)

    def fail(msg: str, code: int) -> int:
        console.print(f"ci/bench: {msg}", markup=False, highlight=False)
        return code

    kinds = None
    if a.kind:
        kinds = {k.strip() for k in a.kind.split(",") if k.strip()}
        unknown = unknown_name("kind", a.kind, KINDS)
        if unknown:
            return fail(f"--kind: {unknown}", 2)
    if a.adapters is not None:
        unknown = unknown_name("adapter", a.adapters, selectable_names(), globs=True)
        if unknown:
            return fail(f"--adapters: {unknown}", 2)
    import datasets

    try:
        datasets.root()
    except datasets.DatasetMissing as exc:
        return fail(str(exc), 2)
    results = (a.out or a.build / "results").resolve()
    s = jobs_mod.Settings(root=a.root, build=a.build, results=results, quick=a.quick, adapters=a.adapters)
    todo = jobs_mod.discover(s, kinds)
    if a.list:
        for j in todo:
            print(f"{j.name:40} kinds={','.join(sorted(j.kinds))}  {shlex.join(j.argv)}")
        return 0
    if not todo:
        return fail(f"no benchmark jobs found for kind(s) {a.kind or 'any'} under {a.build} and suites/", 2)
    results.mkdir(parents=True, exist_ok=True)
    for stale in results.glob("*.json"):  # this run's files only, never an older run's
        stale.unlink()
    env = dict(os.environ)
    if a.adapters:
        env["LAPWISE_ADAPTERS"] = a.adapters
    env.setdefault("LAPWISE_DATASETS_DIR", str(datasets.root()))
    failures: list[str] = []
    start = time.monotonic()
    run_start = load_average()
    # Each job's wall time, kept for the next run's estimates (line_progress.py).
    durations_file = a.build / "bench-durations.json"
    keys = [f"{j.name}{' --quick' if a.quick else ''}" for j in todo]
    took: dict[str, float] = {}
    progress: Progress | line_progress.LineProgress
    if console.is_terminal:
        progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                            MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                            transient=False)
    else:
        progress = line_progress.LineProgress(keys, line_progress.load_durations(durations_file),
                                              sys.stderr)
    with progress:
        overall = progress.add_task(f"ci/bench{' --quick' if a.quick else ''}", total=len(todo))
        for job in todo:
            task = progress.add_task(job.name, total=None)
            job_start = time.monotonic()
            before, load_before = _mtimes(results), load_average()
            why = run_job(job, progress, task, env)
            if why is None and job.raw is not None:
                why = import_job(job, s)
            load_after = load_average()
            stamp([p for p, m in _mtimes(results).items() if before.get(p) != m],
                  start=load_before, end=load_after)
            progress.update(task, total=1, completed=1,
                            description=f"{job.name}: {'ok' if why is None else 'FAILED'}")
            if why:
                failures.append(f"{job.name}: {why}")
            took[keys[len(took)]] = time.monotonic() - job_start
            progress.console.print(f"ci/bench: {job.name}: {why or 'ok'} "
                                   f"({time.monotonic() - job_start:.0f} s, load "
                                   f"{load_before[0]:.1f} -> {load_after[0]:.1f})",
                                   markup=False, highlight=False)
            progress.advance(overall)
    line_progress.save_durations(durations_file, took)
    stamp(sorted(results.glob("*.json")), run_start=run_start, run_end=load_average())
    bad = validate(results)
    if bad:
        return fail(bad, 2)
    if not any(results.glob("*.json")):
        return fail(f"{results}: no results were produced", 1)
    # The report builder sits above the harness: run it as its own process, never import it.
    report = results / "report"
    built = subprocess.run([sys.executable, "-m", "reports", "--results", str(results),
                            "--out", str(report)], capture_output=True, text=True, env=env)
    checks_failed = built.returncode == 3
    if built.returncode in (0, 3) and built.stderr.strip():  # failed checks and warnings
        console.print(built.stderr.strip(), markup=False, highlight=False)
    if built.returncode not in (0, 3):
        return fail((built.stderr.strip() or built.stdout.strip() or "python -m reports failed"),
                    built.returncode)
    console.print(f"ci/bench: report in {report / 'report.md'} and {report / 'report.html'}",
                  markup=False, highlight=False)
    if a.publish:
        latest = publish(a.root, results, report)
        console.print(f"ci/bench: published to {latest}", markup=False, highlight=False)
        # The README's figures are regenerated from what was just published, never by hand.
        figures = subprocess.run([sys.executable, "-m", "reports.readme", "--readme",
                                  str(a.root / "README.md")], capture_output=True, text=True, env=env)
        if figures.returncode != 0:
            return fail(figures.stderr.strip() or "python -m reports.readme failed", figures.returncode)
        console.print(screenshot(latest, env), markup=False, highlight=False)
    history_rc = 0
    if not a.no_history:
        history_rc, text = record_history(a, results, sys.argv[1:] if argv is None else argv)
        console.print(text, markup=False, highlight=False)
    elapsed = time.monotonic() - start
    console.print(f"ci/bench: {len(todo)} job(s) in {elapsed / 60:.1f} min, {len(failures)} failed"
                  f"{', a report check failed (exit 3)' if checks_failed else ''}",
                  markup=False, highlight=False)
    return 1 if failures else history_rc or (3 if checks_failed else 0)

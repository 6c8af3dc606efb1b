"""The jobs ci/bench runs, found by convention (globs), never from a fixed list:

- Google Benchmark binaries: every executable ``*_bench`` under ``<build>/cores/<kind>/``
  (lapwise_add_bench); kinds = the core folder and the kinds its benchmark names give
  (``--benchmark_list_tests``: the parser folder's json_bench is kind ``json`` too). Raw JSON ->
  importers.gbench.
- pytest-benchmark suites: ``suites/micro/test_<kind>*_bench.py``. Raw JSON ->
  importers.pytest_benchmark.
- Suite runners: ``suites/<suite>/<suite>_bench.py``, run as ``python -m
  suites.<suite>.<suite>_bench --out RESULTS --build BUILD --progress [--quick] [--adapters SEL]``;
  they write result files (schema v2) into RESULTS themselves and may print ``PROGRESS <done> <total> <label>``
  lines. Kinds: the suite's name, plus those listed on a ``# kinds: a,b`` line near the top.
- The fetch-and-extract pipeline suite, kind ``pipeline``: ``suites/e2e/pipeline/pipeline_bench.py``
  with the same arguments (it lives under e2e, one level deeper than the convention looks).

What ``--quick`` does per job (ci/bench --quick within about 3 minutes on a quiet 2-core
machine; every answer is still verified before it is timed):

- gbench ``*_bench``: 3 repetitions of 10 ms each (full: 10 of 200 ms).
- pytest ``test_*_bench.py``: at least 3 rounds, at most 0.1 s a benchmark, the html peers
  html5lib and BeautifulSoup left out, and of the html parse-alone timings only the native
  one (full: 15 rounds, 1 s, every adapter and timing).
- suite laps: 3 processes per family, 7 batches of 0.5 ms CPU, 0.5 s in context
  (laps_bench.MODES; full: 15, 15, 2 ms, 2 s).
- suite e2e: eight servers (lapwise's four, the reconciliation's three, nginx;
  e2e_bench.QUICK_SERVERS; full: every server), 0.5 s per closed and open run, one 0.3 s warm-up per server
  (before its first run), wrk 1 s on the peak point only, a 50,000-request soak, 2 cold
  starts (server_scenarios.PLANS); the client fan-out at its small sizes, 2 rounds.
- suite pipeline: 23 pages (each shared page once), 2 rounds, a pipeline past 3 s keeps its
  checked run as its one sample (the BeautifulSoup ones), the steps on 5 pages (full: 1,000
  pages, 5 rounds, 900 s, 100 pages).
- suite websocket echo (suites/e2e/websocket, kind ``websocket``): one round of 1 s per message
  size for lapwise (core, App) and uvicorn (websockets), the 3x target's comparison (full:
  every server, hypercorn and aiohttp among them, 3 rounds of 5 s); the conformance table runs
  only in full.
- hosted lap family (suites/laps/hosted_family.py, kinds ``laps``, ``hosting``): one 1 s wrk
  round per (app, host) pair and 640 in-process calls a round (HOSTED_QUICK; full: 2 rounds of
  4 s, 3,200 calls, plus the hosting benchmark of every framework app on every host).
- Server-Sent Events (kind ``sse``) and the static-file download (kind ``static``): full only.

Measured quiet (two cores, nothing else running) before this trim: 4.6 min, of which the e2e
suite 138 s, pipeline 44 s, laps 28 s, the html micro suite 21 s; what each trim keeps is said
where it is made.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from suites.results import Record


@dataclass
class Job:
    name: str                 # shown in the progress display and in error lines
    kinds: frozenset[str]
    argv: list[str]
    raw: Path | None = None   # the tool's own output (imported afterwards), None for suites
    importer: Callable[[Path], list[Record]] | None = None
    suite: str = ""           # result file suite name for imported jobs
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    root: Path
    build: Path
    results: Path
    quick: bool
    adapters: str | None


def gbench_binaries(build: Path) -> list[Path]:
    """Every Google Benchmark binary ci/bench runs: the executables ``*_bench`` under
    ``<build>/cores/<kind>/``, sorted."""
    cores = build / "cores"
    return [exe for exe in (sorted(cores.glob("*/**/*_bench")) if cores.is_dir() else [])
            if exe.is_file() and os.stat(exe).st_mode & stat.S_IXUSR and "CMakeFiles" not in exe.parts]


def registered_kinds(exe: Path) -> frozenset[str]:
    """The kinds of the benchmark names ``exe`` registers (their first dotted part); empty when
    it cannot list them (the job then fails when run, and says why)."""
    try:
        out = subprocess.run([str(exe), "--benchmark_list_tests"], capture_output=True, text=True,
                             timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    if out.returncode != 0:
        return frozenset()
    return frozenset(line.split(".", 1)[0] for line in out.stdout.split() if "." in line)


def _gbench(s: Settings) -> list[Job]:
    from suites.results.importers import gbench

    # --quick: three repetitions (a median and its spread) of 10 ms each, which is still
    # thousands of calls for the ns-to-us operations these time; 250 benchmarks then take
    # seconds, not minutes.
    reps, min_time = ("3", "0.01") if s.quick else ("10", "0.2")
    jobs = []
    for exe in gbench_binaries(s.build):
        kind = exe.relative_to(s.build / "cores").parts[0]
        raw = s.results / "raw" / "gbench" / f"{exe.name}.json"
        jobs.append(Job(
            name=f"gbench {exe.name}", kinds=frozenset({kind}) | registered_kinds(exe), raw=raw,
            importer=gbench.load,
            suite=f"micro.gbench.{exe.name}",
            argv=[str(exe), f"--benchmark_repetitions={reps}", f"--benchmark_min_time={min_time}",
                  f"--benchmark_out={raw}", "--benchmark_out_format=json"]))
    return jobs


def _pytest(s: Settings) -> list[Job]:
    from suites.results.importers import pytest_benchmark

    # Rounds of at least min-time each, so a fast call gives tens to hundreds of rounds (the
    # samples), not tens of thousands of 5 us rounds.
    # --quick: three rounds at least (a median and its spread), and the two slowest html peers
    # left out (html5lib and BeautifulSoup: 2-20 s a round over the 23 pages, most of the
    # job's time; their answers are still checked by the html conformance suite).
    # In the html suite --quick also keeps the parse-alone timing for the native parser only
    # (the peers' parse alone and gumbo without the arena copy are full-run figures; their
    # parse + extract, the headline, stays).
    timing = (["--benchmark-min-rounds=3", "--benchmark-max-time=0.1", "--benchmark-min-time=0.002"]
              if s.quick else
              ["--benchmark-min-rounds=15", "--benchmark-max-time=1.0", "--benchmark-min-time=0.005"])
    jobs = []
    for test in sorted((s.root / "suites" / "micro").glob("test_*_bench.py")):
        kind = re.sub(r"^test_", "", test.stem).split("_", 1)[0]
        if s.quick:
            keep = QUICK_SELECTION.get(test.stem, "not html5lib and not bs4")
            timing_here = [*timing, "-k", keep]
        else:
            timing_here = timing
        raw = s.results / "raw" / "pytest" / f"{test.stem}.json"
        jobs.append(Job(
            name=f"pytest {test.name}", kinds=frozenset({kind}), raw=raw,
            importer=pytest_benchmark.load, suite=f"micro.py.{test.stem}",
            argv=[sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test),
                  f"--benchmark-json={raw}", "--benchmark-disable-gc", *timing_here]))
    return jobs


# pytest -k per micro suite under --quick (default: "not html5lib and not bs4").
QUICK_SELECTION = {
    "test_html_bench": "not html5lib and not bs4 and not gumbo_alone and "
                       "(test_parse_extract or test_extract_many or native)",
}


def _suite_kinds(script: Path) -> frozenset[str]:
    kinds = {script.parent.name}
    for line in script.read_text(errors="replace").splitlines()[:30]:
        m = re.match(r"#\s*kinds:\s*(.+)$", line.strip())
        if m:
            kinds |= {k.strip() for k in m[1].split(",") if k.strip()}
    return frozenset(kinds)


def _suites(s: Settings) -> list[Job]:
    jobs = []
    for script in sorted((s.root / "suites").glob("*/*_bench.py")):
        if script.stem != f"{script.parent.name}_bench":
            continue
        argv = [sys.executable, "-m", f"suites.{script.parent.name}.{script.stem}",
                "--out", str(s.results), "--build", str(s.build), "--progress"]
        if s.quick:
            argv.append("--quick")
        if s.adapters:
            argv += ["--adapters", s.adapters]
        jobs.append(Job(name=f"suite {script.parent.name}", kinds=_suite_kinds(script), argv=argv))
    return jobs


def _pipeline(s: Settings) -> list[Job]:
    if not (s.root / "suites" / "e2e" / "pipeline" / "pipeline_bench.py").exists():
        return []
    argv = [sys.executable, "-m", "suites.e2e.pipeline.pipeline_bench", "--out", str(s.results),
            "--progress", *(["--quick"] if s.quick else [])]
    if s.adapters:
        argv += ["--adapters", s.adapters]
    return [Job(name="suite pipeline", kinds=frozenset({"pipeline"}), argv=argv)]


def _websocket(s: Settings) -> list[Job]:
    """The WebSocket echo benchmark and, outside --quick, the conformance table (about a
    minute: peers that leave bad connections open are waited for)."""
    folder = s.root / "suites" / "e2e" / "websocket"
    if not (folder / "ws_echo_bench.py").exists():
        return []
    sel = ["--adapters", s.adapters] if s.adapters else []
    jobs = [Job(name="suite websocket echo", kinds=frozenset({"websocket"}),
                argv=[sys.executable, "-m", "suites.e2e.websocket.ws_echo_bench", "--out", str(s.results),
                      "--build", str(s.build), "--progress", *(["--quick"] if s.quick else []), *sel])]
    if not s.quick:
        jobs.append(Job(name="suite websocket conformance", kinds=frozenset({"websocket"}),
                        argv=[sys.executable, "-m", "suites.e2e.websocket.ws_conformance",
                              "--out", str(s.results), *sel]))
    return jobs


# The hosted lap family's sizes: floor and driver calls per round, rounds, wrk seconds per
# end-to-end run, end-to-end rounds, wrk warm-up. --quick keeps one end-to-end round of 1 s
# (wrk's smallest) per (app, host) pair, four pairs: about 15 s.
HOSTED_QUICK = ("640", "3", "1", "1", "1")
HOSTED_FULL = ("3200", "3", "4", "2", "1")


def _hosted(s: Settings) -> list[Job]:
    """The hosted lap family (FastAPI on lapwise vs uvicorn) and, outside --quick, the hosting
    benchmark's CPU per request of Starlette, FastAPI and Flask on every host (a few minutes)."""
    if not (s.root / "suites" / "laps" / "hosted_family.py").exists():
        return []
    calls, rounds, seconds, e2e_rounds, warmup = HOSTED_QUICK if s.quick else HOSTED_FULL
    jobs = [Job(name="suite laps hosted", kinds=frozenset({"laps", "hosting"}),
                argv=[sys.executable, "-m", "suites.laps.hosted_family", "--calls", calls,
                      "--rounds", rounds, "--seconds", seconds, "--e2e-rounds", e2e_rounds,
                      "--warmup", warmup, "--json", str(s.results / "laps_hosted.json")])]
    if not s.quick:
        jobs.append(Job(name="suite hosting", kinds=frozenset({"hosting", "e2e"}),
                        argv=[sys.executable, "-m", "suites.e2e.hostperf.hosting_bench", "--seconds", "5",
                              "--rounds", "3", "--json", str(s.results / "e2e_hosting.json")]))
    return jobs


def _streams(s: Settings) -> list[Job]:
    """Full mode only: the Server-Sent Events hold (1,000 streams of 30 s, lapwise then the
    uvicorn peer) and the 100 MB static-file download against nginx: each takes minutes."""
    if s.quick:
        return []
    jobs = []
    e2e = s.root / "suites" / "e2e"
    if (e2e / "sse" / "sse_streams.py").exists():
        jobs += [Job(name=f"suite sse {server}", kinds=frozenset({"sse", "e2e"}),
                     argv=[sys.executable, "-m", "suites.e2e.sse.sse_streams", "--server", server,
                           "--out", str(s.results / f"e2e_sse_{server}.json")])
                 for server in ("lapwise-app", "uvicorn")]
    if (e2e / "static_files" / "static_bench.py").exists():
        jobs.append(Job(name="suite static files", kinds=frozenset({"static", "e2e"}),
                        argv=[sys.executable, "-m", "suites.e2e.static_files.static_bench",
                              "--out", str(s.results / "e2e_static.json")]))
    return jobs


def discover(s: Settings, kinds: set[str] | None) -> list[Job]:
    """Every job, narrowed to ``kinds`` (None = all)."""
    jobs = _gbench(s) + _pytest(s) + _suites(s) + _pipeline(s) + _websocket(s) + _hosted(s) + _streams(s)
    return [j for j in jobs if kinds is None or j.kinds & kinds]


def selected(record: Record, adapters: str | None) -> bool:
    """The registry's selection rule (comma-separated ids or globs) applied to a record."""
    import fnmatch

    if not adapters:
        return True
    return any(fnmatch.fnmatchcase(record.adapter, p.strip()) for p in adapters.split(",") if p.strip())

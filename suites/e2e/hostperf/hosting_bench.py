"""Hosted apps end to end: server CPU per request of a real framework app on lapwise and on
the servers those apps run on today, at 64 connections.

Each (app, server) pair: the server is started pinned to one CPU, its answer to the timed
request is checked byte for byte, then wrk (pinned to the other CPU, one thread, 64
connections) loads it for ``--seconds``; the server's CPU time (user+system, /proc: the sum is
exact, the split between them tick-sampled and never reported) over that
window divided by wrk's completed requests is the figure. Rounds alternate the servers, so a
change in the machine's load hits every server alike. CPU per request, not wall time: the
machine may be shared. Results in schema v1 (``--json``), one record per pair:
``hosting.<app>/<server>`` metric ``cpu_per_request`` (us), plus ``throughput`` (req/s) and
the errors wrk saw.

    python -m suites.e2e.hostperf.hosting_bench [--apps starlette-app-json,...] [--servers ...]
        [--seconds 5] [--rounds 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from suites.adapters.server._process import ProcessServer
from suites.cli_names import refuse_unknown
from suites.results.machine import CPU_SPLIT_NOTE

from .hosted_apps import APPS, HostedApp
from .hosting_servers import SERVERS, hosted, interface, missing


_WRK_TOTAL = re.compile(r"(\d+) requests in ([0-9.]+)(m?s)")
_WRK_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_WRK_NON2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")


@dataclass
class Run:
    cpu_us: float  # server CPU per request
    rps: float
    errors: int
    loadavg: float


@dataclass
class Pair:
    app: HostedApp
    server: str
    runs: list[Run] = field(default_factory=list)


def check_answer(url: str, expect: bytes) -> None:
    with urllib.request.urlopen(url, timeout=10) as resp:
        body = resp.read()
        if resp.status != 200 or body != expect:
            raise AssertionError(f"{url}: {resp.status} {body!r}, expected 200 {expect!r}")


def wrk(url: str, connections: int, seconds: float, cpu: int | None) -> tuple[int, int, float]:
    """(completed requests, errors, seconds) of one bounded wrk run."""
    exe = shutil.which("wrk")
    if exe is None:
        raise RuntimeError("wrk is not installed (Debian package wrk)")
    argv = [exe, "-t1", f"-c{connections}", f"-d{max(1, int(seconds))}s", url]
    if cpu is not None:
        argv = ["taskset", "-c", str(cpu), *argv]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    m = _WRK_TOTAL.search(out)
    if m is None:
        raise RuntimeError(f"wrk's output has no total: {out}")
    took = float(m[2]) / (1000 if m[3] == "ms" else 1)
    errors = sum(int(x) for x in m2.groups()) if (m2 := _WRK_ERRORS.search(out)) else 0
    errors += int(m3[1]) if (m3 := _WRK_NON2XX.search(out)) else 0
    return int(m[1]), errors, took


def one_run(pair: Pair, seconds: float, connections: int, warmup: float,
            server_cpu: int | None, load_cpu: int | None) -> Run:
    return measure(hosted(pair.server, pair.app.app), pair.app.target, pair.app.expect, seconds, connections,
                   warmup, server_cpu, load_cpu)


def measure(server: ProcessServer, target: str, expect: bytes, seconds: float, connections: int, warmup: float,
            server_cpu: int | None, load_cpu: int | None) -> Run:
    """One started-checked-loaded-checked-stopped run of ``server`` answering ``target``."""
    try:
        addr = server.start(cpu=server_cpu)
        url = addr.url + target
        check_answer(url, expect)
        if warmup > 0:
            wrk(url, connections, warmup, load_cpu)
        before = server.cpu_seconds()
        done, errors, _took = wrk(url, connections, seconds, load_cpu)
        used = server.cpu_seconds() - before
        check_answer(url, expect)  # still right after the load
    finally:
        server.stop()
    if done == 0:
        raise RuntimeError(f"{server.name} answered no request of {target}")
    return Run(used / done * 1e6, done / seconds, errors, os.getloadavg()[0])


def run_pairs(pairs: list[Pair], rounds: int, seconds: float, connections: int, warmup: float,
              server_cpu: int | None, load_cpu: int | None) -> None:
    for r in range(rounds):
        for pair in pairs:
            run = one_run(pair, seconds, connections, warmup, server_cpu, load_cpu)
            pair.runs.append(run)
            print(f"round {r + 1}/{rounds} {pair.app.name:15s} {pair.server:17s} {run.cpu_us:8.2f} us CPU/req "
                  f"{run.rps:9.0f} req/s errors {run.errors} load {run.loadavg:.1f}", flush=True)


def summary(pairs: list[Pair]) -> list[str]:
    lines = []
    for app in dict.fromkeys(p.app.name for p in pairs):
        group = [p for p in pairs if p.app.name == app and p.runs]
        ours = next((p for p in group if p.server.startswith("lapwise")), None)
        for p in group:
            med = statistics.median(r.cpu_us for r in p.runs)
            rps = statistics.median(r.rps for r in p.runs)
            ratio = ""
            if ours is not None and p is not ours:
                base = statistics.median(r.cpu_us for r in ours.runs)
                ratio = (f"  lapwise/this {base / med:.2f}x CPU, "
                         f"{statistics.median(r.rps for r in ours.runs) / rps:.2f}x req/s")
            lines.append(f"{app:15s} {p.server:17s} {med:8.2f} us CPU/req {rps:9.0f} req/s "
                         f"errors {sum(r.errors for r in p.runs)}{ratio}")
    return lines


def records(pairs: list[Pair]) -> list:
    from suites.results import Record

    out = []
    for p in pairs:
        if not p.runs:
            continue
        extra = {"app": p.app.app, "target": p.app.target, "loadavg": [r.loadavg for r in p.runs]}
        adapter = f"server/{p.server}"
        scenario = f"hosting.{p.app.name}"
        out.append(Record(adapter, scenario, "cpu_per_request", "us", [r.cpu_us for r in p.runs],
                          param="c64", extra=extra))
        out.append(Record(adapter, scenario, "throughput", "req/s", [r.rps for r in p.runs],
                          param="c64", extra=extra))
        out.append(Record(adapter, scenario, "errors", "count", [float(r.errors) for r in p.runs],
                          param="c64", extra=extra))
    return out


def default_servers(kind: str) -> list[str]:
    return [name for name, cls in SERVERS.items() if cls.interface == kind]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--apps", default="starlette-app-json,fastapi-items,flask-json")
    ap.add_argument("--servers", default="", help="comma-separated; default: every server of the app's interface")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--server-cpu", type=int, default=1)
    ap.add_argument("--load-cpu", type=int, default=0)
    ap.add_argument("--json", default="")
    args = ap.parse_args(argv)
    refuse_unknown(ap, "--apps", "app", args.apps, APPS)
    refuse_unknown(ap, "--servers", "server", args.servers, SERVERS)
    pairs = []
    for name in args.apps.split(","):
        app = APPS[name]
        servers = [s for s in args.servers.split(",") if s] or default_servers(app.interface)
        for s in servers:
            if interface(s) != app.interface:
                continue
            if (why := missing(s)) is not None:
                print(f"skip {s}: {why}")
                continue
            pairs.append(Pair(app, s))
    cpus = os.cpu_count() or 1
    server_cpu = args.server_cpu if args.server_cpu < cpus else None
    load_cpu = args.load_cpu if args.load_cpu < cpus else None
    with tempfile.TemporaryDirectory(prefix="lapwise-hosting-"):
        run_pairs(pairs, args.rounds, args.seconds, args.connections, args.warmup, server_cpu, load_cpu)
    for line in summary(pairs):
        print(line)
    print(f"note: {CPU_SPLIT_NOTE}")
    if args.json:
        from suites.results import new_file, write

        out = new_file("e2e.hostperf.hosting", ["python -m suites.e2e.hostperf.hosting_bench "
                                                + " ".join(argv if argv is not None else sys.argv[1:])])
        out.records = records(pairs)
        write(out, Path(args.json))
    time.sleep(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())

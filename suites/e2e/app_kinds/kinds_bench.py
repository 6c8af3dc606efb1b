"""Server CPU per request of a ``/json`` route on lapwise.App under middleware of either kind.

    python -m suites.e2e.app_kinds.kinds_bench [--rounds 3] [--seconds 3] [--shapes def,def+async_mw]

Each shape of ``suites.e2e.app_kinds.kinds_server`` runs as its own process on 127.0.0.1,
pinned to CPU 0 when this process may use CPUs 0 and 1, and ``wrk`` (64 connections, one
thread, pinned to CPU 1) loads it for a discarded second, then ``--seconds``; the server's CPU
time (user + system, from /proc) over that run is divided by the requests wrk completed (every
answer must be a 200). Shapes alternate within each round, so a change in the machine's load
touches every shape alike. Prints the median per shape, every round's figure and the load
average. Bounded: each wrk run ends after its duration; each server is stopped by closing its
stdin, then by its pid.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import urllib.request

from suites.e2e.app_kinds.kinds_server import SHAPES


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pinned(cpu: int | None, argv: list[str]) -> list[str]:
    return argv if cpu is None else ["taskset", "-c", str(cpu), *argv]


def wrk(port: int, seconds: int, cpu: int | None) -> int:
    """Requests completed; every answer must be a 200."""
    out = subprocess.run(pinned(cpu, ["wrk", "-t1", "-c64", f"-d{seconds}s", f"http://127.0.0.1:{port}/json"]),
                         capture_output=True, text=True, timeout=seconds + 30)
    text = out.stdout + out.stderr
    done = re.search(r"(\d+) requests in", text)
    if done is None or "Non-2xx" in text or "Socket errors" in text:
        raise RuntimeError(f"wrk failed:\n{text}")
    return int(done.group(1))


def measure(shape: str, port: int, seconds: int, cpus: tuple[int | None, int | None]) -> float:
    """Server CPU microseconds per request of one run."""
    server = subprocess.Popen(pinned(cpus[0], [sys.executable, "-m", "suites.e2e.app_kinds.kinds_server",
                                               shape, str(port)]),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        if server.stdout is None or server.stdout.readline().strip() != "ready":
            raise RuntimeError(f"{shape}: the server did not start")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=10) as r:
            if r.read() != b'{"message":"Hello, World!"}':
                raise RuntimeError(f"{shape}: a wrong answer")
        wrk(port, 1, cpus[1])
        before = cpu_seconds(server.pid)
        requests = wrk(port, seconds, cpus[1])
        return (cpu_seconds(server.pid) - before) / requests * 1e6
    finally:
        if server.stdin is not None:
            server.stdin.close()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=3)
    ap.add_argument("--shapes", default=",".join(SHAPES))
    ap.add_argument("--port", type=int, default=18931)
    args = ap.parse_args(argv)
    shapes = [s for s in args.shapes.split(",") if s]
    unknown = [s for s in shapes if s not in SHAPES]
    if unknown:
        ap.error(f"unknown shapes {', '.join(unknown)}: known are {', '.join(SHAPES)}")
    cpus: tuple[int | None, int | None] = (0, 1) if {0, 1} <= os.sched_getaffinity(0) else (None, None)
    figures: dict[str, list[float]] = {s: [] for s in shapes}
    port = args.port
    loads = []
    for _ in range(args.rounds):
        for shape in shapes:
            figures[shape].append(measure(shape, port, args.seconds, cpus))
            port += 1
            loads.append(os.getloadavg()[0])
    for shape, xs in figures.items():
        print(f"{shape:16s} server CPU per request: median {statistics.median(xs):6.2f} us   "
              f"rounds {', '.join(f'{x:.2f}' for x in xs)}")
    print(f"load average (1 min) during the run: {min(loads):.1f} - {max(loads):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

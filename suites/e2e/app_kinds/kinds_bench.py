"""Server CPU per request of lapwise.App routes by kind, under middleware of either kind, and of
the same routes on a peer.

    python -m suites.e2e.app_kinds.kinds_bench [--rounds 3] [--seconds 3] [--shapes def,async,...]
        [--paths /json,/users/7?q=x] [--base PYTHONPATH] [--origin ORIGIN]

Each shape of ``suites.e2e.app_kinds.kinds_server`` runs as its own process on 127.0.0.1,
pinned to CPU 0 when this process may use CPUs 0 and 1, and ``wrk`` (64 connections, one
thread, pinned to CPU 1) loads each path for a discarded second, then ``--seconds``; the
server's CPU time (user + system, from /proc) over that run is divided by the requests wrk
completed (every answer must be a 200, and one answer per path is checked first); ``--origin``
sends that ``Origin`` header with every wrk request (a cross-origin request, for the ``+cors``
shapes; ``kinds_server.CORS_ORIGIN`` is the one they allow). A shape
named ``SHAPE@thread`` serves with ``loop_drives=False`` (an io thread hands requests to the
loop); ``SHAPE@base`` runs the shape on the lapwise package found on ``--base`` (a PYTHONPATH:
another checkout's ``adapters`` and build, say main's) to compare builds in one run;
``uvicorn`` is the peer (the server's name across the harness): the suites' Starlette app on uvicorn
(httptools, uvloop).
Shapes alternate within each round, so a change in the machine's load touches every shape
alike. Prints the median per shape and path, every round's figure and the load average.
Bounded: each wrk run ends after its duration; each server is stopped by closing its stdin
(uvicorn: SIGTERM), then by its pid.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request

from suites.e2e.app_kinds.kinds_server import SHAPES

PEER = "uvicorn"
EXPECTED = {"/json": {"message": "Hello, World!"}, "/users/7?q=x": {"id": 7, "name": "user7", "q": "x"}}


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pinned(cpu: int | None, argv: list[str]) -> list[str]:
    return argv if cpu is None else ["taskset", "-c", str(cpu), *argv]


def wrk(port: int, path: str, seconds: int, cpu: int | None, origin: str | None = None) -> int:
    """Requests completed; every answer must be a 200."""
    header = ["-H", f"Origin: {origin}"] if origin else []
    out = subprocess.run(pinned(cpu, ["wrk", "-t1", "-c64", f"-d{seconds}s", *header,
                                      f"http://127.0.0.1:{port}{path}"]),
                         capture_output=True, text=True, timeout=seconds + 30)
    text = out.stdout + out.stderr
    done = re.search(r"(\d+) requests in", text)
    if done is None or "Non-2xx" in text or "Socket errors" in text:
        raise RuntimeError(f"wrk failed:\n{text}")
    return int(done.group(1))


def known(shape: str) -> bool:
    name, _, way = shape.partition("@")
    return shape == PEER or (name in SHAPES and way in ("", "thread", "base"))


def server_command(shape: str, port: int, base: str | None) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ)
    if shape == PEER:
        return [sys.executable, "-m", "uvicorn", "suites.adapters.server.apps.starlette_app:app", "--host",
                "127.0.0.1", "--port", str(port), "--http", "httptools", "--loop", "uvloop", "--log-level",
                "warning", "--no-access-log"], env
    name, _, way = shape.partition("@")
    argv = [sys.executable, "-m", "suites.e2e.app_kinds.kinds_server", name, str(port)]
    if way == "thread":
        argv.append("thread")
    elif way == "base":
        if not base:
            raise RuntimeError(f"{shape}: needs --base")
        env["PYTHONPATH"] = base + os.pathsep + env.get("PYTHONPATH", "")
    return argv, env


def answer(port: int, path: str) -> object:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as r:
        return json.loads(r.read())


def wait_ready(server: subprocess.Popen[str], shape: str, port: int) -> None:
    if shape != PEER:
        if server.stdout is None or server.stdout.readline().strip() != "ready":
            raise RuntimeError(f"{shape}: the server did not start")
        return
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and server.poll() is None:
        try:
            answer(port, "/json")
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{shape}: the server did not start")


def measure(shape: str, paths: list[str], port: int, seconds: int, cpus: tuple[int | None, int | None],
            base: str | None = None, origin: str | None = None) -> dict[str, float]:
    """Server CPU microseconds per request of one run per path."""
    argv, env = server_command(shape, port, base)
    server = subprocess.Popen(pinned(cpus[0], argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env=env)
    try:
        wait_ready(server, shape, port)
        figures = {}
        for path in paths:
            if answer(port, path) != EXPECTED[path]:
                raise RuntimeError(f"{shape}: a wrong answer to {path}")
            wrk(port, path, 1, cpus[1], origin)
            before = cpu_seconds(server.pid)
            requests = wrk(port, path, seconds, cpus[1], origin)
            figures[path] = (cpu_seconds(server.pid) - before) / requests * 1e6
        return figures
    finally:
        if shape == PEER:
            server.terminate()
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
    ap.add_argument("--paths", default="/json")
    ap.add_argument("--base", default=None, help="PYTHONPATH of the lapwise the @base shapes run on")
    ap.add_argument("--port", type=int, default=18931)
    ap.add_argument("--origin", default=None, help="an Origin header sent with every timed request")
    args = ap.parse_args(argv)
    shapes = [s for s in args.shapes.split(",") if s]
    unknown = [s for s in shapes if not known(s)]
    if unknown:
        ap.error(f"unknown shapes {', '.join(unknown)}: known are {', '.join(SHAPES)} (each also as "
                 f"SHAPE@thread and SHAPE@base) and {PEER}")
    paths = [p for p in args.paths.split(",") if p]
    if unknown_paths := [p for p in paths if p not in EXPECTED]:
        ap.error(f"unknown paths {', '.join(unknown_paths)}: known are {', '.join(EXPECTED)}")
    cpus: tuple[int | None, int | None] = (0, 1) if {0, 1} <= os.sched_getaffinity(0) else (None, None)
    figures: dict[tuple[str, str], list[float]] = {(s, p): [] for s in shapes for p in paths}
    port = args.port
    loads = []
    for _ in range(args.rounds):
        for shape in shapes:
            for path, figure in measure(shape, paths, port, args.seconds, cpus, args.base, args.origin).items():
                figures[shape, path].append(figure)
            port += 1
            loads.append(os.getloadavg()[0])
    for (shape, path), xs in figures.items():
        print(f"{shape:20s} {path:14s} server CPU per request: median {statistics.median(xs):6.2f} us   "
              f"rounds {', '.join(f'{x:.2f}' for x in xs)}")
    print(f"load average (1 min) during the run: {min(loads):.1f} - {max(loads):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

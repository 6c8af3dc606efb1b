"""In-situ step timing: the asyncio server of suites.adapters.server.apps.pyasync_server (the
py-baseline or native-py family's end-to-end counterpart) under lapwise-load, with chosen
functions of the request path timed on the thread CPU clock, to set against the isolated laps.

    insitu.py --steps py-baseline --route users --regions parse,handle [--seconds 2]
              [--connections 64] [--load BIN]

The server runs in a child process (this file with ``--serve``), pinned to CPU 0, the load on
CPU 1 (as the end-to-end suite pins them). After a warm-up load the child's counters are reset
(SIGUSR1); after the measured load it prints, per region, CPU ns per call, calls per request
and, for the whole process, CPU per request. Each timed call costs two clock reads (system
calls, a few hundred ns, and they disturb the caches much as a socket call does), so time one
or two regions per run, and read "cpu_per_request_ns" of an uninstrumented run
(``--regions ""``) for the undisturbed total; "gc_collections" counts the collections per
generation during the measured load. A diagnostic tool: nothing here is part of the lap table.

Example (py-baseline, this VM, noisy): uninstrumented /users 29-31 µs and /plaintext 16-21 µs
per request; in situ (one clock read included) parse 8.4 vs 6.3 µs (both 4.7 µs in the tight
loop), handle 9.6 vs 2.7 µs, transport.write 8.6 vs 7.6 µs; no garbage collection.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

_clock = time.thread_time_ns
# What can be timed: the server module's functions of those names (see serve()), and "write",
# each connection's transport.write.
REGIONS = ("data_received", "parse", "handle", "scope", "match", "query", "dumps", "response",
           "write")
ROUTES = ("users", "plaintext")


class Counter:
    def __init__(self) -> None:
        self.ns = 0
        self.calls = 0


def _timed(fn: Callable[..., Any], c: Counter) -> Callable[..., Any]:
    def wrapper(*args: Any, **kw: Any) -> Any:
        t0 = _clock()
        try:
            return fn(*args, **kw)
        finally:
            c.ns += _clock() - t0
            c.calls += 1
    return wrapper


def serve(steps: str, port_file: Path, regions: list[str]) -> None:
    """The child: import the server with ``steps``, wrap ``regions``, serve until SIGTERM,
    then print the counters as JSON."""
    os.sched_setaffinity(0, {0})
    sys.argv = [sys.argv[0], "--steps", steps]
    from suites.adapters.server.apps import pyasync_server as s

    counters = {r: Counter() for r in regions}
    requests = Counter()
    targets: dict[str, tuple[Any, str]] = {
        "parse": (s._PARSER, "parse_request"), "handle": (s, "handle"), "scope": (s, "_scope"),
        "match": (s._ROUTER, "match"), "query": (s._QUERY, "parse"), "dumps": (s._JSON, "dumps"),
        "response": (s, "_response"), "data_received": (s.HttpProtocol, "data_received")}
    for r in regions:
        if r == "write":
            continue
        obj, attr = targets[r]
        setattr(obj, attr, _timed(getattr(obj, attr), counters[r]))
    # Count responses (handle is called once per request) without a clock read.
    inner_handle = s.handle

    def counted(p: Any) -> bytes:
        requests.calls += 1
        return inner_handle(p)
    s.handle = counted
    if "write" in regions:  # transport.write: the send system call, per flush
        orig_made = s.HttpProtocol.connection_made

        def made(self: Any, transport: Any) -> None:
            orig_made(self, transport)
            transport.write = _timed(transport.write, counters["write"])
        s.HttpProtocol.connection_made = made
    import gc

    cpu0 = [time.process_time_ns()]
    gc0 = [[g["collections"] for g in gc.get_stats()]]

    def reset(*_: Any) -> None:
        for c in (*counters.values(), requests):
            c.ns = c.calls = 0
        cpu0[0] = time.process_time_ns()
        gc0[0] = [g["collections"] for g in gc.get_stats()]
    signal.signal(signal.SIGUSR1, reset)
    import asyncio

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(s.HttpProtocol, "127.0.0.1", 0, backlog=1024)
        port_file.write_text(str(server.sockets[0].getsockname()[1]))
        stop = loop.create_future()
        loop.add_signal_handler(signal.SIGTERM, stop.set_result, None)
        async with server:
            await stop
    asyncio.run(main())
    cpu = time.process_time_ns() - cpu0[0]
    n = max(requests.calls, 1)
    json.dump({"requests": requests.calls, "cpu_per_request_ns": cpu / n,
               "gc_collections": [g["collections"] - c for g, c in zip(gc.get_stats(), gc0[0])],
               "regions": {r: {"ns_per_call": c.ns / max(c.calls, 1), "calls_per_request":
                               c.calls / n, "ns_per_request": c.ns / n}
                           for r, c in counters.items()}}, sys.stdout)
    sys.stdout.write("\n")


def find_load(explicit: str | None) -> str:
    if explicit:
        return explicit
    root = Path(__file__).resolve().parents[2]
    for d in (root / "build", *sorted(root.glob("build-*"))):
        exe = d / "bin" / "lapwise-load"
        if exe.is_file():
            return str(exe)
    raise SystemExit("insitu: lapwise-load not found (--load BIN)")


def run(a: argparse.Namespace) -> dict:
    from suites.e2e.server_bench import \
        app_requests  # the requests the end-to-end suite has lapwise-load send

    with tempfile.TemporaryDirectory(prefix="insitu-") as tmp:
        port_file = Path(tmp) / "port"
        req = app_requests.write_request_file(app_requests.ROUTES[a.route], Path(tmp))
        child = subprocess.Popen([sys.executable, "-m", "suites.laps.insitu", "--serve", "--steps", a.steps,
                                  "--regions", a.regions, "--port-file", str(port_file)],
                                 stdout=subprocess.PIPE, text=True)
        try:
            for _ in range(200):
                if port_file.exists() and port_file.read_text():
                    break
                time.sleep(0.05)
            else:
                raise SystemExit("insitu: server did not start")
            url = f"http://127.0.0.1:{port_file.read_text()}"

            def load(seconds: float) -> dict:
                out = Path(tmp) / "load.json"
                subprocess.run(["taskset", "-c", "1", find_load(a.load), "-q", "-c",
                                str(a.connections), "-p", "1", "-d", f"{seconds:g}", "-w", "0",
                                "-f", str(req), "-o", str(out), url], check=True)
                return json.loads(out.read_text())
            load(a.warmup)
            child.send_signal(signal.SIGUSR1)
            time.sleep(0.05)
            report = load(a.seconds)
        finally:
            child.send_signal(signal.SIGTERM)
            stdout, _ = child.communicate(timeout=30)
    result = json.loads(stdout)
    result["load_failed"] = report["requests"]["failed"]
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", default="py-baseline", choices=("py-baseline", "native"))
    ap.add_argument("--route", default="users", choices=ROUTES)
    ap.add_argument("--regions", default="", help=f"comma list of {', '.join(REGIONS)}")
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--warmup", type=float, default=0.5)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--load", default=None, help="lapwise-load binary")
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--port-file", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    regions = [r for r in a.regions.split(",") if r]
    bad = [r for r in regions if r not in REGIONS]
    if bad:
        ap.error(f"unknown region(s) {', '.join(bad)}; regions are {', '.join(REGIONS)}")
    if a.serve:
        serve(a.steps, Path(a.port_file), regions)
        return 0
    json.dump(run(a), sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

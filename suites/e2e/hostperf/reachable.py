"""How low any server could go for a hosted app on this machine, next to what lapwise and the
peer cost in the same run, and what a ratio target asks for.

The least a server can cost per request is the app's own floor (the framework called
in-process with no server, ``floors``) plus the transport floor: lapwise's core answering the
same JSON bytes from C++ with no Python at all (``server/native-const`` ``/json``: the kernel's
TCP work, epoll, parse and write), measured like ``hosting_bench`` (server pinned to one CPU,
wrk on the other, 64 connections, server CPU over wrk's completed requests). The sum is
optimistic: a server that runs Python between its socket calls meets its sockets with colder
caches than one that does not. So a target below ``sum / peer`` cannot be met by any server
here, and ``lapwise - sum`` bounds what lapwise's own bridge costs. Rounds alternate the
servers, as ``hosting_bench`` does.

    python -m suites.e2e.hostperf.reachable [--targets starlette-app-json=0.5,fastapi-items=0.6,flask-json=0.33]
        [--rounds 3] [--seconds 3] [--calls 20000] [--json out.json]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import dataclass, field

from suites.adapters.server.native_const import NativeConstServer
from suites.cli_names import refuse_unknown

from . import floors
from .hosted_apps import APPS, JSON, HostedApp
from .hosting_bench import Run, measure
from .hosting_servers import hosted

# The servers compared for each interface: lapwise's and the peer the targets name.
SERVERS = {"asgi": ("lapwise-asgi", "uvicorn"), "wsgi": ("lapwise-wsgi", "gunicorn-gthread")}
DEFAULT_TARGETS = "starlette-app-json=0.5,fastapi-items=0.6,flask-json=0.33"


@dataclass
class Row:
    app: HostedApp
    target: float
    framework: list[float] = field(default_factory=list)
    runs: dict[str, list[Run]] = field(default_factory=dict)


def parse_targets(ap: argparse.ArgumentParser, text: str) -> dict[str, float]:
    out = {}
    for item in text.split(","):
        name, sep, ratio = item.partition("=")
        try:
            out[name.strip()] = float(ratio) if sep else 0.0
        except ValueError:
            ap.error(f"--targets: {item!r} is not APP=RATIO")
    refuse_unknown(ap, "--targets", "app", ",".join(out), APPS)
    return out


def _median(runs: list[Run]) -> float:
    return statistics.median(r.cpu_us for r in runs)


def lines(rows: list[Row], transport: list[Run]) -> list[str]:
    t = _median(transport)
    out = [f"transport floor (server/native-const /json, C++ only): {t:.2f} us CPU/req",
           f"{'app':20s} {'framework':>9s} {'+transport':>10s} {'lapwise':>8s} {'peer':>8s} "
           f"{'least/peer':>10s} {'lapwise/peer':>12s} {'target':>6s}  verdict"]
    for row in rows:
        ours, peer = SERVERS[row.app.interface]
        fw = statistics.median(row.framework)
        least = fw + t
        lap, other = _median(row.runs[ours]), _median(row.runs[peer])
        if not row.target:
            verdict = ""
        elif lap <= row.target * other:
            verdict = "met"
        elif least > row.target * other:
            verdict = "below the least any server could cost here"
        else:
            verdict = f"missed: lapwise's own share would have to fall from {lap - least:.2f} to " \
                      f"{row.target * other - least:.2f} us"
        out.append(f"{row.app.name:20s} {fw:9.2f} {least:10.2f} {lap:8.2f} {other:8.2f} {least / other:9.2f}x "
                   f"{lap / other:11.2f}x {row.target:6.2f}  {verdict}")
    out.append(f"(peer: {', '.join(f'{k} {v[1]}' for k, v in SERVERS.items())}; times are medians of the rounds)")
    return out


def records(rows: list[Row], transport: list[Run]) -> list:
    from suites.results import Record

    out = [Record(adapter="server/native-const", scenario="hosting.transport-floor", metric="cpu_per_request",
                  unit="us", samples=[r.cpu_us for r in transport], param="c64", extra={"target": "/json"})]
    for row in rows:
        out.append(Record(adapter=f"hosting/{row.app.name}", scenario="hosting.floor", metric="cpu_per_call",
                          unit="us", samples=row.framework, extra={"app": row.app.app, "target": row.app.target}))
        for server, runs in row.runs.items():
            out.append(Record(adapter=f"server/{server}", scenario=f"hosting.{row.app.name}",
                              metric="cpu_per_request", unit="us", samples=[r.cpu_us for r in runs], param="c64",
                              extra={"target_ratio": row.target, "loadavg": [r.loadavg for r in runs]}))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--targets", default=DEFAULT_TARGETS, help="APP=RATIO,... (RATIO: lapwise/peer CPU)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--calls", type=int, default=20000, help="in-process calls per floor round")
    ap.add_argument("--server-cpu", type=int, default=1)
    ap.add_argument("--load-cpu", type=int, default=0)
    ap.add_argument("--json", default="")
    args = ap.parse_args(argv)
    targets = parse_targets(ap, args.targets)
    rows = [Row(APPS[name], ratio) for name, ratio in targets.items()]
    for row in rows:
        row.framework = floors.measure(row.app, args.calls, args.rounds)
    transport: list[Run] = []
    common = (args.seconds, 64, args.warmup, args.server_cpu, args.load_cpu)
    for r in range(args.rounds):
        transport.append(measure(NativeConstServer(), "/json", JSON, *common))
        print(f"round {r + 1}/{args.rounds} transport floor {transport[-1].cpu_us:8.2f} us CPU/req", flush=True)
        for row in rows:
            for server in SERVERS[row.app.interface]:
                run = measure(hosted(server, row.app.app), row.app.target, row.app.expect, *common)
                row.runs.setdefault(server, []).append(run)
                print(f"round {r + 1}/{args.rounds} {row.app.name:20s} {server:17s} {run.cpu_us:8.2f} us CPU/req "
                      f"load {run.loadavg:.1f}", flush=True)
    for line in lines(rows, transport):
        print(line)
    if args.json:
        from suites.results import new_file, write

        out = new_file("e2e.hostperf.reachable", ["python -m suites.e2e.hostperf.reachable "
                                                  + " ".join(argv if argv is not None else sys.argv[1:])])
        out.records = records(rows, transport)
        write(out, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What an access log costs a server: CPU per request of lapwise's ASGI server and uvicorn
(httptools + uvloop), each with and without its access log, on one app, measured as
``hosting_bench`` does (server pinned, wrk on the other CPU, 64 connections), rounds
alternated. lapwise's log is the core's (``--access-log FILE``, Combined Log Format); uvicorn's
is its logger at level info, into a file. Every log is checked to hold a line per request.

    python -m suites.e2e.hostperf.access_log_cost [--app raw-asgi-json] [--rounds 3] [--seconds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from suites.adapters.server._hosted import HostedServer
from suites.adapters.server.lapwise_asgi import LapwiseAsgiServer
from suites.adapters.server.uvicorn import UvicornServer, uvicorn_command
from suites.cli_names import refuse_unknown

from .hosted_apps import APPS
from .hosting_bench import Run, measure


class _LoggedLapwise(LapwiseAsgiServer):
    def __init__(self, app: str, log: Path) -> None:
        super().__init__(app)
        self.log = log

    def serve_command(self, app: str, host: str, port: int) -> list[str]:
        return [*super().serve_command(app, host, port), "--access-log", str(self.log)]


class _LoggedUvicorn(UvicornServer):
    def __init__(self, app: str, log: Path) -> None:
        super().__init__(app)
        self.log = log

    def serve_command(self, app: str, host: str, port: int) -> list[str]:
        # uvicorn's access log goes to standard output: a shell sends it to the file.
        return ["sh", "-c", 'exec "$@" >>"$0" 2>&1', str(self.log), *uvicorn_command(app, host, port, access_log=True)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--app", default="raw-asgi-json")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--server-cpu", type=int, default=1)
    ap.add_argument("--load-cpu", type=int, default=0)
    args = ap.parse_args(argv)
    refuse_unknown(ap, "--app", "app", args.app, [a.name for a in APPS.values() if a.interface == "asgi"])
    app = APPS[args.app]
    runs: dict[str, list[Run]] = {}
    with tempfile.TemporaryDirectory(prefix="lapwise-access-log-") as tmp:
        for r in range(args.rounds):
            logs = {"lapwise-asgi+log": Path(tmp, f"lapwise-{r}.log"), "uvicorn+log": Path(tmp, f"uvicorn-{r}.log")}
            servers: dict[str, HostedServer] = {
                "lapwise-asgi": LapwiseAsgiServer(app.app),
                "lapwise-asgi+log": _LoggedLapwise(app.app, logs["lapwise-asgi+log"]),
                "uvicorn": UvicornServer(app.app),
                "uvicorn+log": _LoggedUvicorn(app.app, logs["uvicorn+log"])}
            for name, server in servers.items():
                run = measure(server, app.target, app.expect, args.seconds, 64, 1.0, args.server_cpu, args.load_cpu)
                runs.setdefault(name, []).append(run)
                print(f"round {r + 1}/{args.rounds} {name:17s} {run.cpu_us:8.2f} us CPU/req load {run.loadavg:.1f}",
                      flush=True)
            for name, log in logs.items():
                lines = sum(1 for line in log.read_text(errors="replace").splitlines() if app.target in line)
                done = runs[name][-1].rps * args.seconds
                if lines < done:  # the timed requests alone, warm-up and checks aside
                    raise AssertionError(f"{name}: {lines} log lines for {done:.0f} requests")
    base = {s: statistics.median(r.cpu_us for r in runs[s]) for s in runs}
    for server in ("lapwise-asgi", "uvicorn"):
        off, on = base[server], base[f"{server}+log"]
        print(f"{app.name} {server:13s} {off:8.2f} us CPU/req, with its access log {on:8.2f} (+{on - off:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

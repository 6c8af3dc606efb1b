"""The hosted lap family: one FastAPI app on lapwise's ASGI server and on uvicorn (httptools +
uvloop; the adapter server/uvicorn), step by step, reconciled to the end-to-end figure of the same run.

Steps, CPU microseconds per request, for each host:

- ``framework``: the app alone, no server (suites.e2e.hostperf.floors): the same code on both.
- ``host_python``: the host's own Python per request (hosted_drivers: parse to scope, task,
  receive/send, response bytes or native answer; no sockets), with the raw ASGI app:
  driver(raw) - floor(raw).
- ``framework_x_host``: what the framework costs more (or less) through this host's plumbing
  than alone: driver(app) - driver(raw) - (floor(app) - floor(raw)).
- ``server_rest``: everything the in-process driver leaves out (sockets, event-loop polling,
  kernel; for lapwise the C++ parse, scope values, answer conversion and the polls of the
  server its loop drives): e2e(raw) - driver(raw).
- ``predicted`` = the four summed; ``e2e`` the measured server CPU per request of the app
  (hosting_bench, wrk -c64, server pinned); ``residual`` = e2e - predicted.

    python -m suites.laps.hosted_family [--app fastapi-app-items] [--seconds 4] [--rounds 2]
        [--warmup 1] [--json out.json]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from typing import Any

from suites.cli_names import refuse_unknown
from suites.e2e.hostperf import floors, hosting_bench
from suites.laps import hosted_drivers

HOSTS = {"lapwise-asgi": hosted_drivers.lapwise_driver, "uvicorn": hosted_drivers.uvicorn_driver}
RAW = "raw-asgi-json"
STEPS = ("framework", "host_python", "framework_x_host", "server_rest", "predicted", "e2e", "residual")


def _median(xs: list[float]) -> float:
    return statistics.median(xs)


def driver_costs(app_name: str, calls: int, rounds: int) -> dict[tuple[str, str], list[float]]:
    """(host, app name) -> CPU us per request through the host's in-process driver."""
    out = {}
    for name in (RAW, app_name):
        hosted = hosting_bench.APPS[name]
        app = floors.load_app(hosted.app)
        for host, make in HOSTS.items():
            run = make(app, hosted.target)
            status, body = run(64)
            if (status, body) != (200, hosted.expect):
                raise AssertionError(f"{host} driver, {name}: {status} {body!r}, expected {hosted.expect!r}")
            out[(host, name)] = floors.cpu_per_call(run, calls, rounds)
    return out


def floor_costs(app_name: str, calls: int, rounds: int) -> dict[str, list[float]]:
    by_name = {f.name: f for f in floors.FLOORS}
    return {name: floors.measure(by_name[name], calls, rounds) for name in (RAW, app_name)}


def e2e_costs(app_name: str, seconds: float, rounds: int,
              warmup: float = 1.0) -> dict[tuple[str, str], list[float]]:
    pairs = [hosting_bench.Pair(hosting_bench.APPS[name], host) for name in (RAW, app_name) for host in HOSTS]
    hosting_bench.run_pairs(pairs, rounds, seconds, 64, warmup, 1, 0)
    return {(p.server, p.app.name): [r.cpu_us for r in p.runs] for p in pairs}


def table(app_name: str, fl: dict[str, list[float]], dr: dict[tuple[str, str], list[float]],
          e2e: dict[tuple[str, str], list[float]]) -> dict[str, dict[str, float]]:
    """host -> step -> CPU us per request (medians)."""
    m = _median
    rows: dict[str, dict[str, float]] = {}
    for host in HOSTS:
        framework = m(fl[app_name])
        host_python = m(dr[(host, RAW)]) - m(fl[RAW])
        cross = m(dr[(host, app_name)]) - m(dr[(host, RAW)]) - (m(fl[app_name]) - m(fl[RAW]))
        rest = m(e2e[(host, RAW)]) - m(dr[(host, RAW)])
        predicted = framework + host_python + cross + rest
        measured = m(e2e[(host, app_name)])
        rows[host] = {"framework": framework, "host_python": host_python, "framework_x_host": cross,
                      "server_rest": rest, "predicted": predicted, "e2e": measured,
                      "residual": measured - predicted}
    return rows


def render(app_name: str, rows: dict[str, dict[str, float]]) -> list[str]:
    hosts = list(rows)
    lines = [f"{app_name}: CPU us per request   " + "  ".join(f"{h:>13s}" for h in hosts) + "  lapwise/uvicorn"]
    for step in STEPS:
        vals = [rows[h][step] for h in hosts]
        ratio = f"{vals[0] / vals[1]:.2f}x" if vals[1] > 0 and vals[0] > 0 else ""
        lines.append(f"  {step:18s}" + "  ".join(f"{v:13.2f}" for v in vals) + f"  {ratio}")
    return lines


def records(app_name: str, rows: dict[str, dict[str, float]], raw: dict[str, Any]) -> list:
    from suites.results import Record

    out = []
    for host, steps in rows.items():
        for step, value in steps.items():
            out.append(Record(adapter=f"laps/hosted-{host}", scenario=f"laps.hosted.{app_name}", param=step,
                              metric="cpu_time_per_op", unit="us", samples=[value],
                              extra={"family": f"hosted-{host}", "step": step, "doc": __doc__.split("\n\n")[1],
                                     "inputs": raw}))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--app", default="fastapi-app-items")
    ap.add_argument("--calls", type=int, default=3200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--e2e-rounds", type=int, default=2)
    ap.add_argument("--warmup", type=float, default=1.0, help="wrk seconds before each timed run")
    ap.add_argument("--json", default="")
    args = ap.parse_args(argv)
    # The hosts drive ASGI apps.
    refuse_unknown(ap, "--app", "app", args.app,
                   [a.name for a in hosting_bench.APPS.values() if a.interface == "asgi"])
    fl = floor_costs(args.app, args.calls, args.rounds)
    dr = driver_costs(args.app, args.calls, args.rounds)
    e2e = e2e_costs(args.app, args.seconds, args.e2e_rounds, args.warmup)
    rows = table(args.app, fl, dr, e2e)
    for line in render(args.app, rows):
        print(line)
    if args.json:
        from suites.results import new_file, write

        raw = {"floors": fl, "drivers": {f"{h}/{a}": v for (h, a), v in dr.items()},
               "e2e": {f"{h}/{a}": v for (h, a), v in e2e.items()}}
        out = new_file("laps.hosted", ["python -m suites.laps.hosted_family "
                                       + " ".join(argv if argv is not None else sys.argv[1:])])
        out.records = records(args.app, rows, raw)
        write(out, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())

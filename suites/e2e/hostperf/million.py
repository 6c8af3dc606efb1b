"""A long run against one hosted app: N requests (default 1,000,000) at 64 connections, every
answer checked by lapwise-load (status and body length), the server's RSS sampled throughout.

Reports the errors (must be zero), the RSS at warm-up and at the end, its growth (soak's
verdict: flat within 10%), and the least-squares slope of RSS over the second half of the
requests in bytes per 1,000 requests (flat memory: near zero; a leak of one object per request
shows as tens of bytes). Bounded: the load stops at N requests or ``--max-seconds``.

    python -m suites.e2e.hostperf.million [--requests 1000000] [--server lapwise-asgi]
        [--app fastapi-items] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from suites.cli_names import refuse_unknown
from suites.e2e.server_bench import loadgen, soak

from .hosting_bench import APPS, check_answer
from .hosting_servers import SERVERS, hosted


@dataclass
class LongRun:
    requests: int
    ok: int
    errors: dict[str, int]
    seconds: float
    rss_mb: list[float]  # samples, in order
    verdict: soak.RssVerdict
    slope_bytes_per_1k: float  # second half, per 1,000 requests


def slope_per_1k(samples: list[int], total_requests: int) -> float:
    """Least-squares slope of the second half of an RSS series sampled at a steady pace over
    a run of ``total_requests``, in bytes per 1,000 requests."""
    half = samples[len(samples) // 2:]
    if len(half) < 3:
        return 0.0
    n = len(half)
    xs = range(n)
    mx, my = (n - 1) / 2, sum(half) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, half))
    sxx = sum((x - mx) ** 2 for x in xs)
    per_sample = sxy / sxx
    requests_per_sample = total_requests / max(1, len(samples))
    return per_sample / requests_per_sample * 1000.0


def long_run(server_name: str, app_name: str, requests: int, connections: int, max_seconds: float,
             interval_s: float = 0.25) -> LongRun:
    app = APPS[app_name]
    binary = loadgen.find_binary()
    server = hosted(server_name, app.app)
    with tempfile.TemporaryDirectory(prefix="lapwise-million-") as tmp:
        req_file = Path(tmp) / "hosted.req"
        req_file.write_text(f"GET {app.target}\nexpect 200 {len(app.expect)}\n")
        out = Path(tmp) / "load.json"
        try:
            addr = server.start()
            check_answer(addr.url + app.target, app.expect)
            spec = loadgen.LoadSpec(url=addr.url, request_file=req_file, connections=connections,
                                    duration_s=max_seconds, max_requests=requests, timeout_ms=5000)
            t0 = time.monotonic()
            proc = loadgen.start(binary, spec, out)
            samples: list[int] = []
            sampler = threading.Thread(target=lambda: samples.extend(
                soak.sample_while(addr.pid, lambda: proc.poll() is None, interval_s, max_seconds + 30)))
            sampler.start()
            try:
                report = loadgen.finish(proc, out, max_seconds + 60)
            finally:
                if proc.poll() is None:  # interrupted: the load goes with the run
                    proc.kill()
                    proc.wait()
                sampler.join()
            seconds = time.monotonic() - t0
            check_answer(addr.url + app.target, app.expect)  # still right afterwards
        finally:
            server.stop()
    reqs = report["requests"]
    errors = {k: v for k, v in report["errors"].items() if v}
    return LongRun(reqs["issued"], reqs["ok"], errors, seconds, [s / 2**20 for s in samples],
                   soak.verdict(samples), slope_per_1k(samples, reqs["issued"]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--requests", type=int, default=1_000_000)
    ap.add_argument("--server", default="lapwise-asgi")
    ap.add_argument("--app", default="fastapi-items")
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--max-seconds", type=float, default=1800.0)
    ap.add_argument("--json", default="")
    args = ap.parse_args(argv)
    refuse_unknown(ap, "--server", "server", args.server, SERVERS)
    refuse_unknown(ap, "--app", "app", args.app, APPS)
    run = long_run(args.server, args.app, args.requests, args.connections, args.max_seconds)
    v = run.verdict
    print(f"{args.app} on {args.server}: {run.requests} requests, {run.ok} ok, errors {run.errors or 0}, "
          f"{run.seconds:.0f} s; RSS {v.baseline / 2**20:.1f} MB after warm-up -> {v.end / 2**20:.1f} MB at "
          f"the end (max {v.end_max / 2**20:.1f}, {v.growth_pct:+.1f}%, flat={v.flat}); second-half slope "
          f"{run.slope_bytes_per_1k:+.1f} bytes per 1,000 requests")
    if args.json:
        from suites.results import Record, new_file, write

        command = "python -m suites.e2e.hostperf.million " + " ".join(argv if argv is not None else sys.argv[1:])
        out = new_file("e2e.hostperf.million", [command])
        common = dict(adapter=f"server/{args.server}", scenario=f"hosting.long.{args.app}",
                      param=str(args.requests))
        out.records = [
            Record(metric="errors", unit="count", samples=[float(run.requests - run.ok)],
                   extra={"kinds": run.errors}, **common),
            Record(metric="rss_growth", unit="percent", samples=[v.growth_pct],
                   extra={"baseline_bytes": v.baseline, "end_bytes": v.end,
                          "end_max_bytes": v.end_max,
                          "rss_mb": run.rss_mb[::max(1, len(run.rss_mb) // 200)]},
                   **common),
            Record(metric="rss_slope_second_half", unit="bytes", samples=[run.slope_bytes_per_1k],
                   extra={"per": "1000 requests"}, **common),
        ]
        write(out, args.json)
        print(json.dumps({"written": args.json}))
    return 0 if run.ok == run.requests and v.flat else 1


if __name__ == "__main__":
    sys.exit(main())

"""``python -m suites.e2e.hosting.peer_cpu [SERVER@APP ...]``: server CPU per request of each
hosted app on each server (the adapter names of suites/conformance/hosting_hosts.py), closed loop with
lapwise-load at 64 connections. Every answer is checked (status and body length) by the load
generator; CPU is the server's process tree from /proc, so a busy machine shifts it less than
wall time. Each server is started, warmed up, loaded once and stopped by pid, one at a time.

Prints one line per pair with the load average beside it (a figure, not a gate: no assertion)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from suites.cli_names import refuse_unknown
from suites.conformance.hosting_hosts import SERVERS, Host, hosts
from suites.e2e.server_bench.loadgen import LoadSpec, find_binary, run

# The timed route of each app and the exact body length of its answer.
TIMED = {"starlette-app": ("/json", 27), "fastapi-app": ("/items/5?q=abc", 38), "flask-app": ("/json", 27)}


def measure(binary: Path, host: Host, requests: int, workdir: Path) -> dict:
    target, length = TIMED[host.app]
    request_file = workdir / f"{host.app}.req"
    request_file.write_text(f"GET {target}\nexpect 200 {length}\n")
    srv = host.make()
    address = srv.start()
    try:
        spec = LoadSpec(url=address.url, request_file=request_file, connections=64, duration_s=30,
                        max_requests=requests)
        run(binary, LoadSpec(**{**spec.__dict__, "max_requests": max(1000, requests // 10)}), workdir / "warm.json")
        before = srv.cpu_seconds()
        report = run(binary, spec, workdir / "load.json")
        used = srv.cpu_seconds() - before
    finally:
        srv.stop()
    req = report["requests"]
    return {"server": host.server, "app": host.app, "target": target, "ok": req["ok"], "failed": req["failed"],
            "cpu_us_per_request": 1e6 * used / max(req["ok"], 1),
            "load_average": float(Path("/proc/loadavg").read_text().split()[0])}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("pairs", nargs="*", help="SERVER@APP (default: every available pair)")
    ap.add_argument("--requests", type=int, default=20_000)
    ap.add_argument("--json", type=Path, help="also write the rows here")
    args = ap.parse_args(argv)
    refuse_unknown(ap, "pairs", "server@app pair", args.pairs, [f"{h.server}@{h.app}" for h in hosts()])
    chosen = [Host(*p.split("@", 1)) for p in args.pairs] or [h for h in hosts() if SERVERS[h.server].available()]
    binary = find_binary()
    rows = []
    with tempfile.TemporaryDirectory(prefix="lapwise-peer-cpu-") as tmp:
        for host in chosen:
            row = measure(binary, host, args.requests, Path(tmp))
            rows.append(row)
            print(f"{row['server']:18s} {row['app']:13s} {row['target']:16s} ok={row['ok']:6d} "
                  f"failed={row['failed']:5d} cpu/req={row['cpu_us_per_request']:7.1f} us "
                  f"load={row['load_average']:.2f}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 1 if any(r["failed"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())

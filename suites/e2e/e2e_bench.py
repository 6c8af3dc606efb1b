"""ci/bench's entry to the end-to-end suites (the suites/<suite>/<suite>_bench.py
convention of suites/runner): runs the server scenarios (server_bench/run.py) and, when present, the client
fan-out scenarios, each as its own process, into the same results folder.

    python -m suites.e2e.e2e_bench --out RESULTS --build BUILD [--progress] [--quick] [--adapters SEL]
"""
# kinds: server,client

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from suites.e2e.child_progress import SCALE, emit, relay

HERE = Path(__file__).resolve().parent

# --quick without an adapter selection: lapwise's four servers, the three the lap table's
# reconciliation needs (py-asyncio, py-asyncio-native, uvicorn) and nginx as the
# reference, so ci/bench --quick stays within about 3 minutes on two cores (each server costs
# about 6 s there, and the peer list grows). The full run loads every server; --adapters
# 'server/*' does it in quick mode too.
QUICK_SERVERS = ("server/native-py", "server/native-const", "server/lapwise-asgi",
                 "server/lapwise-wsgi", "server/py-asyncio", "server/py-asyncio-native",
                 "server/uvicorn", "server/nginx")

# Each part's share of the suite's time (ci/bench --quick on two cores: the server part,
# eight servers, about 50 s; the client part about 18 s), so the progress fraction tracks the time.
SHARE = {"server": 0.75, "client": 0.25}


def _kind_selection(adapters: str | None, kind: str) -> str | None:
    """The part of an adapter selection that names ``kind`` ("" when it names none of it)."""
    if not adapters:
        return None
    parts = [p.strip() for p in adapters.split(",") if p.strip()]
    return ",".join(p for p in parts if p.startswith(f"{kind}/") or p in ("*", "*/*"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--build", type=Path, required=True)
    ap.add_argument("--progress", action="store_true")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--adapters")
    args = ap.parse_args()
    runs = []
    servers = _kind_selection(args.adapters, "server")
    if servers is None and args.quick:
        servers = ",".join(QUICK_SERVERS)
    if servers != "":
        cmd = [sys.executable, "-m", "suites.e2e.server_bench.run", "--mode",
               "quick" if args.quick else "full", "--out", str(args.out)]
        load_bin = args.build / "bin" / "lapwise-load"
        if load_bin.exists():
            cmd += ["--load-bin", str(load_bin)]
        if servers:
            cmd += ["--servers", servers]
        if args.progress:
            cmd.append("--progress")
        runs.append(("server", cmd))
    client_bench = HERE / "client" / "bench_client.py"
    clients = _kind_selection(args.adapters, "client")
    if client_bench.exists() and clients != "":
        cmd = [sys.executable, "-m", "suites.e2e.client.bench_client", "--out", str(args.out / "client_e2e.json"),
               "--rounds", "2" if args.quick else "3", *(["--quick"] if args.quick else [])]
        if clients:
            cmd += ["--adapters", clients]
        if args.progress:
            cmd.append("--progress")
        runs.append(("client", cmd))
    failed = []
    weight = sum(SHARE[name] for name, _ in runs) or 1.0
    start = 0.0
    for name, cmd in runs:
        share = SHARE[name] / weight
        emit(args.progress, round(start * SCALE), SCALE, f"e2e {name}")
        if relay(cmd, start, share, f"e2e {name}", args.progress) != 0:
            failed.append(name)
        start += share
    emit(args.progress, SCALE, SCALE, "e2e done")
    if failed:
        print(f"e2e: {', '.join(failed)} suite(s) failed", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

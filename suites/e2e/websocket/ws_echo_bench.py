"""The WebSocket echo benchmark: 64 connections, each with one text message in flight (closed
loop), 32-byte and 16 KiB messages, driven by lapwise-ws-load (C++, one epoll thread; every echo
checked byte for byte) against every WebSocket server adapter.

    python -m suites.e2e.websocket.ws_echo_bench --out RESULTS [--quick] [--rounds 3]
        [--seconds 5] [--sizes 32,16384] [--connections 64] [--adapters 'websocket/*'] [--progress]

Each server is checked before it is timed (a text and a binary echo of each size through the
raw client), then runs one bounded load per size and round (rounds interleave the servers),
the server pinned to one CPU and the client to the other. The server's CPU time comes from
/proc/<pid>/stat (it and its children) at both ends of the measured window, read by the client:
user + system, whose sum is exact while the split between them is tick-sampled (none is reported).

Writes RESULTS/e2e.websocket.echo.json (suite ``e2e.websocket.echo``), per server and size:
``throughput`` (messages/s, ops/s), ``cpu_per_message`` (server CPU us per message; the figure
to read on a shared machine), ``client_cpu_per_message`` (us) and, on lapwise, ``ratio_vs_<peer>``
(messages per server CPU-second, lapwise over the peer, with its bootstrap interval). ``extra``
keeps the load average and both sides' utilisation; ``client_bound`` is set when the client used
more than 90% of its CPU (the throughput is then partly the client's; CPU per message is not).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from suites.adapters import registry
from suites.adapters.websocket._ws_process import built_tool
from suites.cli_names import refuse_unknown
from suites.results import Record, new_file, write
from suites.results.machine import CPU_SPLIT_NOTE
from suites.results.stats import ratio_ci

from .ws_raw_client import BINARY, TEXT, RawClient

LAPWISE = "websocket/lapwise-"  # every lapwise server is compared with every peer
CORE = "websocket/lapwise-core"  # the one the markdown table compares against
MODES = {  # rounds, seconds measured, warm-up seconds
    "quick": (1, 1.0, 0.3),
    "full": (3, 5.0, 1.0),
}
# --quick keeps the 3x-uvicorn target's comparison (lapwise's core and App against uvicorn with
# websockets); hypercorn, aiohttp and the rest run in full mode (--quick has a 3-minute budget).
QUICK = "websocket/lapwise-core,websocket/lapwise-app,websocket/uvicorn-websockets"
MAX_MESSAGES = 5_000_000  # a bound on any one load, whatever its duration


def verify(port: int, size: int) -> str | None:
    """None when the server echoes a text and a binary message of ``size`` bytes exactly."""
    c = RawClient(port)
    try:
        if not c.accepted:
            return f"handshake: {c.observed.summary()}"
        text, binary = (b"0123456789abcdef" * (size // 16 + 1))[:size], bytes(range(256)) * (size // 256 + 1)
        c.send_frame(TEXT, text)
        c.send_frame(BINARY, binary[:size])
        obs = c.read("data", count=2, wait=5.0)
        got = obs.data()
        c.finish()
        return None if got == [("text", text), ("binary", binary[:size])] else f"echo: {obs.summary()}"
    finally:
        c.shutdown()


def run_load(tool: Path, port: int, pid: int, size: int, connections: int, seconds: float,
             warmup: float, cpu: int | None) -> dict[str, Any]:
    cmd = [str(tool), "--port", str(port), "-c", str(connections), "--size", str(size),
           "--warmup", str(warmup), "--duration", str(seconds), "--messages", str(MAX_MESSAGES),
           "--server-pid", str(pid), "--timeout", "10"]
    if cpu is not None:
        cmd = ["taskset", "-c", str(cpu), *cmd]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + warmup + 60)
    report = json.loads(out.stdout.strip().splitlines()[-1]) if out.stdout.strip() else {}
    if out.returncode != 0 or "error" in report:
        raise RuntimeError(f"lapwise-ws-load failed ({out.returncode}): {out.stdout.strip()} {out.stderr.strip()}")
    if report["messages"] <= 0:
        raise RuntimeError("lapwise-ws-load counted no echo")
    return report


def _pins() -> tuple[int | None, int | None]:
    cpus = sorted(os.sched_getaffinity(0))
    return (cpus[0], cpus[1]) if len(cpus) >= 2 else (None, None)


def measure(ids: list[str], sizes: list[int], connections: int, rounds: int, seconds: float,
            warmup: float, progress: bool) -> tuple[dict[tuple[str, int], list[dict[str, Any]]], list[str]]:
    tool = built_tool("lapwise-ws-load", "LAPWISE_WS_LOAD_BIN")
    if tool is None:
        raise SystemExit("lapwise-ws-load is not built (cmake --build <build> --target lapwise-ws-load)")
    server_cpu, client_cpu = _pins()
    runs: dict[tuple[str, int], list[dict[str, Any]]] = {}
    problems: list[str] = []
    total, done = rounds * len(ids), 0
    for rnd in range(rounds):
        order = ids if rnd % 2 == 0 else list(reversed(ids))  # alternate who goes first
        for adapter_id in order:
            cls = registry.get(adapter_id)
            server = cls()
            address = server.start(cpu=server_cpu)
            try:
                for size in sizes:
                    bad = verify(address.port, size)
                    if bad:
                        problems.append(f"{adapter_id} [{size}]: {bad}")
                        continue
                    load1 = os.getloadavg()[0]
                    report = run_load(tool, address.port, address.pid, size, connections, seconds,
                                      warmup, client_cpu)
                    report["loadavg"] = load1
                    runs.setdefault((adapter_id, size), []).append(report)
            except RuntimeError as exc:
                problems.append(f"{adapter_id}: {exc}")
            finally:
                server.stop()
            done += 1
            if progress:
                print(f"PROGRESS {done} {total} websocket echo {adapter_id}", flush=True)
    return runs, problems


def records(runs: dict[tuple[str, int], list[dict[str, Any]]], connections: int) -> list[Record]:
    out: list[Record] = []
    for (adapter_id, size), reports in sorted(runs.items()):
        scenario, param = "websocket.echo", str(size)
        extra = {"connections": connections, "message": "text",
                 "loadavg": [r["loadavg"] for r in reports],
                 "server_utilisation": [r["server_cpu_s"] / r["wall_s"] for r in reports],
                 "client_utilisation": [r["client_cpu_s"] / r["wall_s"] for r in reports],
                 "messages": [r["messages"] for r in reports]}
        extra["client_bound"] = any(u > 0.9 for u in extra["client_utilisation"])
        out += [
            Record(adapter_id, scenario, "throughput", "ops/s", [r["messages"] / r["wall_s"] for r in reports],
                   param=param, direction="higher", extra=extra),
            Record(adapter_id, scenario, "cpu_per_message", "us",
                   [1e6 * r["server_cpu_s"] / r["messages"] for r in reports], param=param,
                   direction="lower", extra=extra),
            Record(adapter_id, scenario, "client_cpu_per_message", "us",
                   [1e6 * r["client_cpu_s"] / r["messages"] for r in reports], param=param,
                   direction="lower", extra=extra),
        ]
    return out


def ratios(recs: list[Record]) -> list[Record]:
    """Each lapwise server's messages per server CPU-second over each peer's, per size."""
    cpu = {(r.adapter, r.param): r.samples for r in recs if r.metric == "cpu_per_message"}
    out = []
    for (base, param), base_samples in sorted(cpu.items()):
        if not base.startswith(LAPWISE):
            continue
        for (peer, peer_param), samples in sorted(cpu.items()):
            if peer_param != param or peer.startswith(LAPWISE):
                continue
            est = ratio_ci(samples, base_samples)  # peer us/msg over lapwise's: lapwise's msgs/CPU-s over peer's
            out.append(Record(base, "websocket.echo", f"ratio_vs_{peer.split('/', 1)[1]}", "ratio",
                              [est.value], param=param, direction="higher",
                              extra={"lo": est.lo, "hi": est.hi, "n": est.n,
                                     "what": "messages per server CPU-second, lapwise / peer"}))
    return out


def table(recs: list[Record]) -> str:
    rows = ["| server | size | messages/s | server CPU us/msg | client CPU us/msg | load avg | "
            "lapwise-core x |", "|---|---|---|---|---|---|---|"]
    by = {(r.adapter, r.param, r.metric): r for r in recs}
    for r in recs:
        if r.metric != "throughput":
            continue
        cpu = by[(r.adapter, r.param, "cpu_per_message")]
        client = by[(r.adapter, r.param, "client_cpu_per_message")]
        ratio = by.get((CORE, r.param, f"ratio_vs_{r.impl}"))
        x = f"{ratio.samples[0]:.2f} [{ratio.extra['lo']:.2f}, {ratio.extra['hi']:.2f}]" if ratio else "-"
        loads = r.extra["loadavg"]
        rows.append(f"| {r.impl} | {r.param} | {r.median:,.0f} | {cpu.median:.2f} | {client.median:.2f} | "
                    f"{min(loads):.1f}-{max(loads):.1f} | {x} |")
    return "\n".join(rows) + f"\n\n{CPU_SPLIT_NOTE}.\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True, help="results directory")
    ap.add_argument("--build", type=Path, help="the build tree holding bin/lapwise-ws-load")
    ap.add_argument("--quick", action="store_true", help="one round of 1 s per server and size; "
                    "without --adapters only lapwise (core, App), uvicorn (websockets), hypercorn, aiohttp")
    ap.add_argument("--rounds", type=int)
    ap.add_argument("--seconds", type=float)
    ap.add_argument("--sizes", default="32,16384")
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--adapters", default="websocket/*")
    ap.add_argument("--progress", action="store_true")
    args = ap.parse_args(argv)
    refuse_unknown(ap, "--adapters", "server", args.adapters,
                   [e.adapter_id for e in registry.entries("websocket", "")], globs=True,
                   kind="websocket")
    if args.build:
        os.environ.setdefault("LAPWISE_BUILD_DIR", str(args.build))
    rounds, seconds, warmup = MODES["quick" if args.quick else "full"]
    rounds, seconds = args.rounds or rounds, args.seconds or seconds
    sizes = [int(s) for s in args.sizes.split(",")]
    chosen = args.adapters
    if args.quick and chosen == "websocket/*":
        chosen = QUICK
    ids = [e.adapter_id for e in registry.entries("websocket", chosen)
           if e.cls is not None and e.availability and (e.cls.timed or chosen != "websocket/*")]
    if not ids:
        print(f"no WebSocket server selected by {args.adapters!r}: nothing to time")
        return 0
    runs, problems = measure(ids, sizes, args.connections, rounds, seconds, warmup, args.progress)
    recs = records(runs, args.connections)
    recs += ratios(recs)
    result = new_file("e2e.websocket.echo", commands=[
        "python -m suites.e2e.websocket.ws_echo_bench " + " ".join(argv if argv is not None else sys.argv[1:])])
    result.records = recs
    path = write(result, args.out / "e2e.websocket.echo.json")
    md = table(recs)
    (args.out / "websocket_echo.md").write_text(md)
    print(md, end="")
    print(f"wrote {path}")
    for p in problems:
        print(f"FAILED {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

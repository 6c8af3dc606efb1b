"""Server-Sent Events under load: many concurrent streams held open, every event checked.

    python -m suites.e2e.sse.sse_streams --streams 1000 --rate 10 --seconds 30 [--server uvicorn]

Starts ``suites.e2e.sse.sse_server`` (``--server lapwise-app``, the default: a lapwise.App's
``EventSourceResponse``; or ``--server uvicorn``: the same stream from Starlette's
``StreamingResponse`` on uvicorn; servers named as across the harness, ``SSE_SERVERS`` names
each one's app) as its own process on 127.0.0.1, opens ``--streams``
event streams (``--ramp`` seconds to open them all), each of ``rate x seconds`` events, and
reads them on one asyncio loop. Each client checks its sequence: every id once, in order, the
count complete when the server ends the stream (a lost, repeated or reordered event is
counted). The server's RSS is sampled every ``--sample`` seconds; its CPU time (user + system,
from /proc: the sum is exact, the split tick-sampled and never reported) over the run is divided
by the events delivered. Bounded: every stream ends after
its events, the whole run after ``seconds + ramp + 60`` s, and the server is stopped by pid.

Prints one summary line per figure and, with ``--json PATH``, writes them as JSON; with ``--out
FILE`` also as a schema v1 result file (suite ``e2e.sse``; adapter ``server/<server>``,
scenario ``e2e.sse.<app>``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field

from suites.cli_names import refuse_unknown
from suites.e2e.sse.sse_server import raise_fd_limit
from suites.results.machine import CPU_SPLIT_NOTE


@dataclass
class Tally:
    streams_done: int = 0
    streams_failed: int = 0
    events: int = 0
    lost: int = 0
    out_of_order: int = 0
    pings: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class Figures:
    server: str
    streams: int
    rate: float
    seconds: float
    events_expected: int
    events_received: int
    lost: int
    out_of_order: int
    streams_failed: int
    wall_s: float
    server_cpu_s: float
    server_cpu_us_per_event: float
    client_cpu_s: float
    rss_mb_idle: float
    rss_mb_first_third: float  # median over the first third of the hold
    rss_mb_last_third: float  # median over the last third
    rss_mb_max: float
    rss_growth_mb: float  # last third minus first third: flat memory is ~0
    load_average: tuple[float, float, float]
    cpu_model: str
    errors: list[str]


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


async def one_stream(host: str, port: int, count: int, rate: float, tally: Tally) -> None:
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError as exc:
        tally.streams_failed += 1
        tally.errors.append(f"connect: {exc}")
        return
    expected = 0
    try:
        writer.write(f"GET /events?n={count}&rate={rate} HTTP/1.1\r\nHost: sse\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200") or b"text/event-stream" not in head:
            raise ValueError(f"unexpected head {head[:80]!r}")
        pending = b""
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                await reader.readline()
                break
            pending += (await reader.readexactly(size + 2))[:-2]
            while (at := pending.find(b"\n\n")) >= 0:
                event, pending = pending[:at], pending[at + 2:]
                if event.startswith(b":"):
                    tally.pings += 1
                    continue
                seq = int(event.split(b"\n", 1)[0][4:])  # "id: N"
                if seq != expected:
                    tally.out_of_order += 1
                expected = seq + 1
                tally.events += 1
        tally.lost += count - expected
        tally.streams_done += 1
    except (OSError, ValueError, asyncio.IncompleteReadError) as exc:
        tally.streams_failed += 1
        tally.lost += count - expected
        if len(tally.errors) < 10:
            tally.errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        writer.close()


async def drive(host: str, port: int, streams: int, count: int, rate: float, ramp: float,
                pid: int, sample: float, deadline: float) -> tuple[Tally, list[tuple[float, float]]]:
    tally = Tally()
    samples: list[tuple[float, float]] = []
    tasks = []
    started = time.monotonic()
    for i in range(streams):
        tasks.append(asyncio.ensure_future(one_stream(host, port, count, rate, tally)))
        due = started + ramp * (i + 1) / streams
        if (wait := due - time.monotonic()) > 0:
            await asyncio.sleep(wait)

    async def sampler() -> None:
        while True:
            samples.append((time.monotonic() - started, rss_mb(pid)))
            await asyncio.sleep(sample)

    probe = asyncio.ensure_future(sampler())
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), max(1.0, deadline - time.monotonic()))
    except asyncio.TimeoutError:
        tally.errors.append("the run passed its deadline; streams cut")
    finally:
        probe.cancel()
    return tally, samples


def median(values: list[float]) -> float:
    values = sorted(values)
    return values[len(values) // 2] if values else 0.0


def wait_listening(port: int, limit: float = 20.0) -> None:
    deadline = time.monotonic() + limit
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 1.0).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


# server -> the app it streams from: lapwise.App, or the peer, Starlette on uvicorn
SSE_SERVERS = {"lapwise-app": "app-events", "uvicorn": "starlette-events"}


def run(streams: int, rate: float, seconds: float, ramp: float, sample: float = 0.5,
        threads: int = 1, server_kind: str = "lapwise-app") -> Figures:
    raise_fd_limit()
    count = int(rate * seconds)
    server = subprocess.Popen([sys.executable, "-m", "suites.e2e.sse.sse_server", "--threads", str(threads),
                               "--server", server_kind],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        if not line.startswith("port "):
            raise RuntimeError(f"the SSE server did not start: {line!r}")
        port = int(line.split()[1])
        wait_listening(port)
        idle = rss_mb(server.pid)
        cpu0 = cpu_seconds(server.pid)
        own0 = time.process_time()
        t0 = time.monotonic()
        deadline = t0 + seconds + ramp + 60
        tally, samples = asyncio.run(drive("127.0.0.1", port, streams, count, rate, ramp, server.pid,
                                           sample, deadline))
        wall = time.monotonic() - t0
        cpu = cpu_seconds(server.pid) - cpu0
        own = time.process_time() - own0
    finally:
        server.terminate()  # by pid
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
    # The hold: from all streams open to the first stream's end.
    hold = [rss for at, rss in samples if ramp <= at <= seconds]
    third = max(1, len(hold) // 3)
    return Figures(
        server=server_kind, streams=streams, rate=rate, seconds=seconds, events_expected=streams * count,
        events_received=tally.events, lost=tally.lost, out_of_order=tally.out_of_order,
        streams_failed=tally.streams_failed, wall_s=round(wall, 2), server_cpu_s=round(cpu, 2),
        server_cpu_us_per_event=round(cpu / max(1, tally.events) * 1e6, 2), client_cpu_s=round(own, 2),
        rss_mb_idle=round(idle, 1), rss_mb_first_third=round(median(hold[:third]), 1),
        rss_mb_last_third=round(median(hold[-third:]), 1),
        rss_mb_max=round(max((r for _, r in samples), default=0.0), 1),
        rss_growth_mb=round(median(hold[-third:]) - median(hold[:third]), 1),
        load_average=os.getloadavg(), cpu_model=cpu_model(), errors=tally.errors)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=10.0, help="events per second per stream")
    parser.add_argument("--seconds", type=float, default=30.0, help="each stream's length")
    parser.add_argument("--ramp", type=float, default=5.0, help="seconds to open every stream")
    parser.add_argument("--sample", type=float, default=0.5, help="RSS sampling period (s)")
    parser.add_argument("--threads", type=int, default=1, help="the server's io threads (lapwise)")
    parser.add_argument("--server", default="lapwise-app",
                        help="lapwise-app (lapwise.App) or uvicorn (the peer: Starlette on uvicorn)")
    parser.add_argument("--json", help="also write the figures here")
    parser.add_argument("--out", help="also write a schema v1 result file here")
    args = parser.parse_args(argv)
    refuse_unknown(parser, "--server", "server", args.server, SSE_SERVERS)
    figures = run(args.streams, args.rate, args.seconds, args.ramp, args.sample, args.threads, args.server)
    for name, value in asdict(figures).items():
        print(f"{name}: {value}")
    print(f"note: {CPU_SPLIT_NOTE}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(asdict(figures), f, indent=1)
    if args.out:
        from suites.results import new_file, write

        result = new_file("e2e.sse", ["python -m suites.e2e.sse.sse_streams "
                                      + " ".join(argv if argv is not None else sys.argv[1:])])
        result.records = records(figures, args.ramp)
        write(result, args.out)
    ok = figures.lost == 0 and figures.out_of_order == 0 and figures.streams_failed == 0
    return 0 if ok else 1


def records(f: Figures, ramp: float) -> list:
    """Schema v1 records of one run: events received and lost, server CPU per event, and the
    RSS slope over the hold (all streams open): the growth between the medians of its first and
    last thirds, which lie two thirds of the hold apart, per minute."""
    from suites.results import Record

    adapter = f"server/{f.server}"
    scenario = f"e2e.sse.{SSE_SERVERS[f.server]}"
    param = f"{f.streams}x{f.rate:g}/s"
    extra = {"streams": f.streams, "rate": f.rate, "seconds": f.seconds, "expected": f.events_expected,
             "out_of_order": f.out_of_order, "streams_failed": f.streams_failed,
             "rss_mb_idle": f.rss_mb_idle, "rss_mb_max": f.rss_mb_max, "loadavg": list(f.load_average),
             "errors": f.errors[:5]}
    span_min = max(1e-9, (f.seconds - ramp) * 2 / 3 / 60)
    return [Record(adapter, scenario, "events_received", "count", [float(f.events_received)], param=param,
                   extra=extra, direction="higher"),
            Record(adapter, scenario, "events_lost", "count", [float(f.lost)], param=param, extra=extra),
            Record(adapter, scenario, "cpu_per_event", "us", [f.server_cpu_us_per_event], param=param,
                   extra=extra),
            Record(adapter, scenario, "rss_slope_per_min", "bytes", [f.rss_growth_mb * 1e6 / span_min],
                   param=param, extra=extra)]


if __name__ == "__main__":
    sys.exit(main())

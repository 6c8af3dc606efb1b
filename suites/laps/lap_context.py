"""Times a family's whole pipeline "in context": inside a minimal asyncio server on loopback,
one request per socket read, loaded by lapwise-load, instead of in a tight loop.

Why: in a server, kernel socket work and the event loop run between two requests and leave
the caches and branch predictors cold for the next request's Python steps, and the heavier a
route's Python code, the more it pays (measured in the py-asyncio server with
suites/laps/insitu.py: the py-baseline /users pipeline costs about 4.4 µs more than in the
tight loop, the /plaintext one about 1.3 µs more). The reconciliation's prediction needs the
pipeline as the server runs it, so the laps time it here too; the tight-loop figure stays the
lap table's.

Per request: ``out = pipeline(request)`` timed on the thread CPU clock, then
``transport.write(out)`` timed as well (the send after a heavier route runs colder too). The
cost of one clock read (calibrated here, a system call on this VM) is subtracted from each
timed region. The harness is this process pinned to CPU 0 and lapwise-load to CPU 1, as the
end-to-end suite pins a server and its load; ``uvloop`` for the peer family (uvicorn's loop),
asyncio's default loop for the others (the py-asyncio servers' loop).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_clock = time.thread_time_ns


@dataclass(frozen=True)
class ContextTiming:
    pipeline_ns: float    # median over batches of the mean CPU ns per pipeline call
    write_ns: float       # the same for the response's transport.write
    requests: int         # timed requests
    batch: int            # requests per batch
    batches: int


def clock_cost(n: int = 20000) -> float:
    """CPU ns one timed region adds around its body (about one clock read)."""
    per = []
    for _ in range(5):
        t0 = _clock()
        for _ in range(n):
            _clock()
        per.append((_clock() - t0) / n)
    return statistics.median(per)


def request_file(request: bytes, expect_body_len: int, directory: Path) -> Path:
    """lapwise-load's request-file form of ``request`` (a GET with no body). lapwise-load adds
    the Host header itself, so the file carries the request line and any other header."""
    head = request.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    method, target, _ = head[0].split(" ")
    lines = [f"{method} {target}"]
    lines += [f"header {h}" for h in head[1:] if not h.lower().startswith("host:")]
    lines.append(f"expect 200 {expect_body_len}")
    path = directory / "ctx.req"
    path.write_text("\n".join(lines) + "\n")
    return path


class _Protocol(asyncio.Protocol):
    """One request per read (lapwise-load runs without pipelining): run, time, write."""

    def __init__(self, run: Callable[[bytes], bytes], sink: _Sink) -> None:
        self.run = run
        self.sink = sink
        self.buf = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        buf = self.buf + data if self.buf else data
        if not buf.endswith(b"\r\n\r\n"):  # a GET without a body ends with its head
            self.buf = buf
            return
        self.buf = b""
        t0 = _clock()
        out = self.run(buf)
        t1 = _clock()
        self.transport.write(out)  # type: ignore[union-attr]
        t2 = _clock()
        if self.sink.on:
            self.sink.pipeline.append(t1 - t0)
            self.sink.write.append(t2 - t1)


class _Sink:
    def __init__(self) -> None:
        self.on = False
        self.pipeline: list[int] = []
        self.write: list[int] = []


def _batched_median(values: list[int], batch: int, cost: float) -> float:
    means = [sum(values[i:i + batch]) / batch - cost
             for i in range(0, len(values) - batch + 1, batch)]
    return statistics.median(means)


async def _serve_and_load(run: Callable[[bytes], bytes], req_file: Path, load: Path,
                          seconds: float, warmup: float, connections: int, out: Path,
                          load_cpu: int | None) -> tuple[_Sink, int]:
    """Serves under a warm-up load, then under the measured one; (timings, failed requests
    over both loads)."""
    sink = _Sink()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Protocol(run, sink), "127.0.0.1", 0, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    pin = ["taskset", "-c", str(load_cpu)] if load_cpu is not None else []

    async def load_for(duration: float) -> int:
        proc = await asyncio.create_subprocess_exec(
            *pin, str(load), "-q", "-c", str(connections), "-p", "1", "-d", f"{duration:g}",
            "-w", "0", "-f", str(req_file), "-o", str(out), f"http://127.0.0.1:{port}",
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, err = await asyncio.wait_for(proc.communicate(), timeout=duration + 30)
        if proc.returncode != 0:
            raise RuntimeError(f"lapwise-load exited {proc.returncode}: "
                               f"{err.decode(errors='replace').strip()[-200:]}")
        return _failed(json.loads(out.read_text()))
    async with server:
        failed = await load_for(warmup)
        sink.on = True
        failed += await load_for(seconds)
        sink.on = False
    return sink, failed


def _failed(report: dict) -> int:
    """Failed requests in lapwise-load's report (any phase)."""
    total = 0

    def walk(node: object) -> None:
        nonlocal total
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "failed" and isinstance(v, (int, float)):
                    total += int(v)
                else:
                    walk(v)
    walk(report)
    return total


def time_in_context(run: Callable[[bytes], bytes], request: bytes, expect_body_len: int, *,
                    load: Path, seconds: float, warmup: float = 0.3, connections: int = 64,
                    use_uvloop: bool = False, batch: int = 256) -> ContextTiming:
    """Serves ``run`` on loopback under lapwise-load for ``seconds`` (after ``warmup``) and
    returns the per-call CPU of the pipeline and of the response write. Raises RuntimeError
    when the load fails or any response is refused (a wrong answer is a failed run)."""
    cpus = os.sched_getaffinity(0)
    pinned = len(cpus) >= 2 and {0, 1} <= cpus
    if pinned:
        os.sched_setaffinity(0, {0})
    try:
        cost = clock_cost()
        with tempfile.TemporaryDirectory(prefix="lapctx-") as tmp:
            req_file = request_file(request, expect_body_len, Path(tmp))
            out = Path(tmp) / "load.json"
            if use_uvloop:
                import uvloop

                loop = uvloop.new_event_loop()
            else:
                loop = asyncio.new_event_loop()
            try:
                sink, failed = loop.run_until_complete(_serve_and_load(
                    run, req_file, load, seconds, warmup, connections, out,
                    1 if pinned else None))
            finally:
                loop.close()
    finally:
        if pinned:
            os.sched_setaffinity(0, cpus)
    if failed:
        raise RuntimeError(f"lapwise-load counted {failed} failed request(s) in context")
    n = len(sink.pipeline)
    if n < 2 * batch:
        batch = max(1, n // 4)
    if n < 4:
        raise RuntimeError(f"only {n} requests timed in context")
    return ContextTiming(pipeline_ns=_batched_median(sink.pipeline, batch, cost),
                         write_ns=_batched_median(sink.write, batch, cost),
                         requests=n, batch=batch, batches=n // batch)

"""Framework floors: the CPU one request costs a framework with no server at all.

Each app is called in-process, in a loop, by the smallest driver its interface allows: for
ASGI one coroutine awaiting ``app(scope, receive, send)`` with a prebuilt scope (a fresh copy
per call, as a server makes one per request) and a ``send`` that only keeps the messages; for
WSGI a fresh environ, a ``start_response`` that keeps status and headers, the iterable joined
and closed. Answers are checked before timing. What a server adds on top of this is its own
cost: the end-to-end figure (``hosting_bench``) minus the floor.

    python -m suites.e2e.hostperf.floors [--calls 20000] [--rounds 5] [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from suites.cli_names import refuse_unknown

from .hosted_apps import APPS, HostedApp


FLOORS = tuple(APPS.values())


def load_app(path: str) -> Any:
    import importlib

    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


_HEADERS = [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"wrk"), (b"accept", b"*/*")]


def asgi_scope(target: str) -> dict[str, Any]:
    path, _, query = target.partition("?")
    return {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
            "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(),
            "query_string": query.encode(), "root_path": "", "headers": list(_HEADERS),
            "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}


def asgi_caller(app: Any, target: str) -> Callable[[int], tuple[int, bytes]]:
    """Returns ``run(n)``: n calls of the app; the last call's status and body."""
    template = asgi_scope(target)
    request = {"type": "http.request", "body": b"", "more_body": False}

    async def calls(n: int) -> tuple[int, bytes]:
        status, body = 0, b""
        for _ in range(n):
            sent: list[dict[str, Any]] = []

            async def receive() -> dict[str, Any]:
                return request

            async def send(message: dict[str, Any]) -> None:
                sent.append(message)

            await app(dict(template), receive, send)
            status = sent[0]["status"]
            body = b"".join(m.get("body", b"") for m in sent[1:])
        return status, body

    loop = asyncio.new_event_loop()
    return lambda n: loop.run_until_complete(calls(n))


def wsgi_caller(app: Any, target: str) -> Callable[[int], tuple[int, bytes]]:
    path, _, query = target.partition("?")
    template = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": query,
                "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
                "HTTP_HOST": "127.0.0.1:8000", "HTTP_USER_AGENT": "wrk", "HTTP_ACCEPT": "*/*",
                "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
                "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False}

    def run(n: int) -> tuple[int, bytes]:
        status, body = "", b""
        for _ in range(n):
            environ = dict(template)
            environ["wsgi.input"] = io.BytesIO(b"")
            got: list[Any] = []

            def start_response(s: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                got[:] = [s, headers]
                return None

            result = app(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            status = got[0]
        return int(status.split(" ", 1)[0]), body

    return run


def caller(floor: HostedApp) -> Callable[[int], tuple[int, bytes]]:
    app = load_app(floor.app)
    return (asgi_caller if floor.interface == "asgi" else wsgi_caller)(app, floor.target)


def measure(floor: HostedApp, calls: int, rounds: int) -> list[float]:
    """CPU microseconds per call (this thread's CPU time), one sample per round, after one
    checked warm-up round."""
    run = caller(floor)
    status, body = run(max(100, calls // 10))
    if status != 200 or body != floor.expect:
        raise AssertionError(f"{floor.name}: {status} {body!r}, expected 200 {floor.expect!r}")
    return cpu_per_call(run, calls, rounds)


def cpu_per_call(run: Callable[[int], Any], calls: int, rounds: int) -> list[float]:
    """CPU microseconds per call of ``run(calls)`` (this thread's CPU time), one a round."""
    samples = []
    for _ in range(rounds):
        t0 = time.thread_time()
        run(calls)
        samples.append((time.thread_time() - t0) / calls * 1e6)
    return samples


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--only", default="", help="comma-separated floor names")
    ap.add_argument("--json", default="", help="write schema v1 results here")
    args = ap.parse_args(argv)
    refuse_unknown(ap, "--only", "floor", args.only, [f.name for f in FLOORS])
    wanted = {n for n in args.only.split(",") if n}
    records = []
    for floor in FLOORS:
        if wanted and floor.name not in wanted:
            continue
        samples = measure(floor, args.calls, args.rounds)
        print(f"{floor.name:18s} {statistics.median(samples):8.2f} us CPU/call "
              f"(min {min(samples):.2f}, {args.rounds} rounds of {args.calls})", flush=True)
        records.append((floor, samples))
    if args.json:
        from suites.results import Record, new_file, write

        command = " ".join(["python -m suites.e2e.hostperf.floors", *(argv or sys.argv[1:])])
        out = new_file("e2e.hostperf.floors", [command])
        out.records = [Record(adapter=f"hosting/{f.name}", scenario="hosting.floor", metric="cpu_per_call",
                              unit="us", samples=s, extra={"app": f.app, "target": f.target})
                       for f, s in records]
        write(out, args.json)
        print(json.dumps({"written": args.json}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

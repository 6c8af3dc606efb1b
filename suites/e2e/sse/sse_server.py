"""The server side of the SSE stream test: a lapwise.App whose ``/events?n=N&rate=R`` sends N
events (``id`` and ``data`` the sequence number 0..N-1) at R per second on a fixed schedule,
then ends the stream. Run as its own process (the test samples its RSS and CPU time):

    python -m suites.e2e.sse.sse_server [--threads 1]     # prints "port N" once listening
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
from collections.abc import AsyncIterator

from lapwise import App, EventSourceResponse, ServerSentEvent


def make_app() -> App:
    app = App()

    @app.get("/events")
    async def events(req):
        count = int(req.query.get("n", "10"))
        rate = float(req.query.get("rate", "10"))

        async def source() -> AsyncIterator[ServerSentEvent]:
            loop = asyncio.get_running_loop()
            start = loop.time()
            for i in range(count):
                delay = start + i / rate - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                yield ServerSentEvent(data=str(i), id=str(i))

        return EventSourceResponse(source(), ping=5)

    return app


def raise_fd_limit() -> int:
    """Lifts the soft open-file limit to the hard one (a thousand streams need a thousand
    sockets on each side); returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="io threads")
    args = parser.parse_args(argv)
    raise_fd_limit()
    with make_app().serve("127.0.0.1", 0, args.threads) as running:
        print(f"port {running.port}", flush=True)
        sys.stdin.read()  # until the test closes our stdin (or stops us by pid)
    return 0


if __name__ == "__main__":
    sys.exit(main())

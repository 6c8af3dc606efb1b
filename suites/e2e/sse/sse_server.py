"""The server side of the SSE stream test: a lapwise.App whose ``/events?n=N&rate=R`` sends N
events (``id`` and ``data`` the sequence number 0..N-1) at R per second on a fixed schedule,
then ends the stream. Run as its own process (the test samples its RSS and CPU time):

    python -m suites.e2e.sse.sse_server [--threads 1]     # lapwise-app; prints "port N" once listening
    python -m suites.e2e.sse.sse_server --server uvicorn  # the peer: Starlette on uvicorn

The peer serves the same stream with Starlette's StreamingResponse on uvicorn (httptools +
uvloop), each event encoded by the same function, so both do the same work per event. It
prints "port N" just before it listens: the caller waits until the port answers.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import socket
import sys
from collections.abc import AsyncIterator
from typing import Any

from lapwise import App, EventSourceResponse, ServerSentEvent


async def scheduled(query: Any) -> AsyncIterator[ServerSentEvent]:
    """The ``n`` events of one stream at ``rate`` per second on a fixed schedule (no drift)."""
    count = int(query.get("n", "10"))
    rate = float(query.get("rate", "10"))
    loop = asyncio.get_running_loop()
    start = loop.time()
    for i in range(count):
        delay = start + i / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        yield ServerSentEvent(data=str(i), id=str(i))


def make_app() -> App:
    app = App()

    @app.get("/events")
    async def events(req):
        return EventSourceResponse(scheduled(req.query), ping=5)

    return app


def make_starlette_app() -> Any:
    from starlette.applications import Starlette
    from starlette.responses import StreamingResponse
    from starlette.routing import Route

    async def events(request: Any) -> Any:
        async def encoded() -> AsyncIterator[bytes]:
            async for event in scheduled(request.query_params):
                yield event.encode()

        return StreamingResponse(encoded(), media_type="text/event-stream; charset=utf-8",
                                 headers={"Cache-Control": "no-cache"})

    return Starlette(routes=[Route("/events", events)])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def raise_fd_limit() -> int:
    """Lifts the soft open-file limit to the hard one (a thousand streams need a thousand
    sockets on each side); returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="io threads (lapwise)")
    parser.add_argument("--server", choices=("lapwise-app", "uvicorn"), default="lapwise-app")
    args = parser.parse_args(argv)
    raise_fd_limit()
    if args.server == "uvicorn":
        import uvicorn

        port = free_port()
        print(f"port {port}", flush=True)
        uvicorn.run(make_starlette_app(), host="127.0.0.1", port=port, loop="uvloop", http="httptools",
                    log_level="warning", lifespan="off")
        return 0
    with make_app().serve("127.0.0.1", 0, args.threads) as running:
        print(f"port {running.port}", flush=True)
        sys.stdin.read()  # until the test closes our stdin (or stops us by pid)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The app the fault scenarios run: the app spec (native-py) plus /slow (an async handler
that sleeps), /raise (a handler that raises) and /big (a large response), with short
timeouts. Run as ``python fault_app.py PORT``; prints nothing; SIGTERM stops it gracefully."""

from __future__ import annotations

import asyncio
import sys

from lapwise.app import App

from suites.adapters.server.apps.native_py import build

BIG = b"x" * (4 << 20)
HEADER_TIMEOUT = 0.5
MAX_BODY = 8 << 20


def make() -> App:
    app = build(App(server_name="lapwise-faults"))

    @app.get("/slow")
    async def slow(req):  # noqa: ANN001, ARG001
        await asyncio.sleep(0.4)
        return "slow"

    @app.get("/raise")
    def boom(req):  # noqa: ANN001, ARG001
        raise RuntimeError("this handler raises on purpose")

    @app.get("/big")
    def big(req):  # noqa: ANN001, ARG001
        return BIG

    return app


if __name__ == "__main__":
    make().run("127.0.0.1", int(sys.argv[1]), threads=1, header_timeout=HEADER_TIMEOUT,
               idle_timeout=5.0, max_body=MAX_BODY, shutdown_timeout=10.0)

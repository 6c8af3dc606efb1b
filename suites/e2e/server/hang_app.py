"""An App whose handlers never finish, for the shutdown tests: /hang (``async def``), and
/hang-sync (``def``, blocks its pool thread for good). Each handler prints "entered <path>" on
stdout when it starts. Run as ``python -m suites.e2e.server.hang_app PORT SHUTDOWN_TIMEOUT``
from the repository root; logs lapwise.app at INFO on stderr; SIGINT/SIGTERM stop it."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading

from lapwise.app import App


def make() -> App:
    app = App(server_name="lapwise-hang")

    @app.get("/hang")
    async def hang(req):  # noqa: ANN001
        print("entered", req.path, flush=True)
        await asyncio.Event().wait()

    @app.get("/hang-sync")
    def hang_sync(req):  # noqa: ANN001
        print("entered", req.path, flush=True)
        threading.Event().wait()

    app.const("/plaintext", "Hello, World!")
    return app


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s %(levelname)s %(message)s")
    make().run("127.0.0.1", int(sys.argv[1]), threads=1, shutdown_timeout=float(sys.argv[2]))

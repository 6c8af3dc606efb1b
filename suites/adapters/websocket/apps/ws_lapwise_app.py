"""lapwise.App with an ``@app.websocket`` echo on /echo (text as text, binary as binary) and
GET /plaintext. Run as ``python -m suites.adapters.websocket.apps.ws_lapwise_app HOST PORT
MAX_MESSAGE [PING_INTERVAL PING_TIMEOUT]`` (seconds); SIGTERM stops it gracefully."""

from __future__ import annotations

import sys

from lapwise.app import App, Response


def build() -> App:
    app = App(server_name="lapwise-ws-app")

    @app.get("/plaintext")
    def plaintext(req):  # noqa: ANN001, ARG001 - the handler signature of lapwise.App
        return Response(200, {"Content-Type": "text/plain"}, b"Hello, World!")

    @app.websocket("/echo")
    async def echo(ws):  # noqa: ANN001
        await ws.accept()
        async for message in ws:
            await ws.send(message)

    return app


if __name__ == "__main__":
    ping = {} if len(sys.argv) < 6 else {"websocket_ping_interval": float(sys.argv[4]),
                                         "websocket_ping_timeout": float(sys.argv[5])}
    build().run(sys.argv[1], int(sys.argv[2]), websocket_max_message=int(sys.argv[3]), **ping)

"""aiohttp's own server with a WebSocket echo on /echo (text as text, binary as binary).

python -m suites.adapters.websocket.apps.ws_aiohttp_echo HOST PORT MAX_MESSAGE [HEARTBEAT]

HEARTBEAT (seconds): a Ping that often, the connection closed when its Pong is late.
"""

from __future__ import annotations

import sys

from aiohttp import WSMsgType, web


def make_app(max_message: int, heartbeat: float | None = None) -> web.Application:
    async def echo(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=max_message, compress=True, heartbeat=heartbeat)
        await ws.prepare(request)
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await ws.send_str(msg.data)
            elif msg.type == WSMsgType.BINARY:
                await ws.send_bytes(msg.data)
        return ws

    async def plaintext(request: web.Request) -> web.Response:
        return web.Response(text="Hello, World!")

    app = web.Application()
    app.router.add_get("/echo", echo)
    app.router.add_get("/plaintext", plaintext)
    return app


if __name__ == "__main__":
    host, port, max_message = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    heartbeat = float(sys.argv[4]) if len(sys.argv) > 4 else None
    web.run_app(make_app(max_message, heartbeat), host=host, port=port, access_log=None, print=None)

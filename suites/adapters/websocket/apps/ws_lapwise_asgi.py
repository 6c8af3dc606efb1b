"""The raw ASGI echo (ws_asgi_echo) served by lapwise.asgi. Run as ``python -m
suites.adapters.websocket.apps.ws_lapwise_asgi HOST PORT MAX_MESSAGE [PING_INTERVAL
PING_TIMEOUT]`` (seconds); SIGTERM stops it."""

from __future__ import annotations

import sys

from lapwise import asgi

from .ws_asgi_echo import app

if __name__ == "__main__":
    ping = {} if len(sys.argv) < 6 else {"websocket_ping_interval": float(sys.argv[4]),
                                         "websocket_ping_timeout": float(sys.argv[5])}
    asgi.run(app, sys.argv[1], int(sys.argv[2]), websocket_max_message=int(sys.argv[3]), **ping)

"""The raw ASGI echo (ws_asgi_echo) served by lapwise.asgi. Run as ``python -m
suites.adapters.websocket.apps.ws_lapwise_asgi HOST PORT MAX_MESSAGE``; SIGTERM stops it."""

from __future__ import annotations

import sys

from lapwise import asgi

from .ws_asgi_echo import app

if __name__ == "__main__":
    asgi.run(app, sys.argv[1], int(sys.argv[2]), websocket_max_message=int(sys.argv[3]))

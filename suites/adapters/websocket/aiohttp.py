"""websocket/aiohttp: aiohttp.web's own server and WebSocketResponse (compression on)."""

from __future__ import annotations

from ..adapter import Availability, requires_module
from ._ws_process import WebSocketProcess, python_command
from .base import MAX_MESSAGE


class AiohttpEcho(WebSocketProcess):
    name = "aiohttp"

    @classmethod
    def available(cls) -> Availability:
        return requires_module("aiohttp")

    def command(self, host: str, port: int) -> list[str]:
        ping = [] if self.keepalive is None else [str(self.keepalive[0])]  # heartbeat: both at once
        return python_command("suites.adapters.websocket.apps.ws_aiohttp_echo", host, str(port),
                              str(MAX_MESSAGE), *ping)

"""uvicorn (httptools + uvloop) serving the raw ASGI echo with one WebSocket implementation."""

from __future__ import annotations

from ..adapter import Availability, requires_module
from ._ws_process import WebSocketProcess, python_command
from .base import MAX_MESSAGE


class UvicornEcho(WebSocketProcess):
    ws_impl = ""

    @classmethod
    def available(cls) -> Availability:
        return requires_module("uvicorn") and requires_module(cls.ws_impl)

    def command(self, host: str, port: int) -> list[str]:
        return python_command("uvicorn", "suites.adapters.websocket.apps.ws_asgi_echo:app",
                              "--host", host, "--port", str(port), "--ws", self.ws_impl,
                              "--ws-max-size", str(MAX_MESSAGE), "--loop", "uvloop",
                              "--http", "httptools", "--no-access-log", "--log-level", "warning",
                              "--lifespan", "on", *self.ping_options())

    def ping_options(self) -> list[str]:
        if self.keepalive is None:
            return []
        return ["--ws-ping-interval", str(self.keepalive[0]), "--ws-ping-timeout", str(self.keepalive[1])]

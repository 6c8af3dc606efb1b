"""websocket/hypercorn: hypercorn (asyncio worker, wsproto inside) serving the raw ASGI echo."""

from __future__ import annotations

from typing import ClassVar

from ..adapter import Availability, requires_module
from ._ws_process import WebSocketProcess, python_command
from .base import MAX_MESSAGE


class HypercornEcho(WebSocketProcess):
    name = "hypercorn"
    keepalive_timeout: ClassVar[bool] = False  # websocket_ping_interval only: no timeout option

    @classmethod
    def available(cls) -> Availability:
        return requires_module("hypercorn")

    def command(self, host: str, port: int) -> list[str]:
        assert self.workdir is not None
        config = self.workdir / "hypercorn.toml"
        ping = "" if self.keepalive is None else f"websocket_ping_interval = {self.keepalive[0]}\n"
        config.write_text(f"websocket_max_message_size = {MAX_MESSAGE}\n{ping}")
        return python_command("hypercorn", "--bind", f"{host}:{port}", "--config", str(config),
                              "--worker-class", "asyncio",
                              "suites.adapters.websocket.apps.ws_asgi_echo:app")

"""lapwise's WebSocket servers behind its Python interfaces (App routes, ASGI): available once
the product has them (the modules below) and its native module loads."""

from __future__ import annotations

import importlib.util

from ..adapter import AVAILABLE, Availability, requires_native
from ._ws_process import WebSocketProcess, python_command
from .base import MAX_MESSAGE


class LapwisePythonEcho(WebSocketProcess):
    app_module = ""  # the echo app's module under suites.adapters.websocket.apps
    needs = ""  # the product module that serves WebSockets through this interface

    @classmethod
    def available(cls) -> Availability:
        native = requires_native()
        if not native:
            return native
        if importlib.util.find_spec(cls.needs) is None:
            return Availability(False, f"{cls.needs} is not in this lapwise")
        return AVAILABLE

    def command(self, host: str, port: int) -> list[str]:
        ping = [] if self.keepalive is None else [str(s) for s in self.keepalive]
        return python_command(f"suites.adapters.websocket.apps.{self.app_module}", host, str(port),
                              str(MAX_MESSAGE), *ping)

"""websocket/daphne: daphne (Twisted + autobahn) serving the raw ASGI echo. Daphne has no
message-size option (autobahn's own default bound applies) and offers no permessage-deflate."""

from __future__ import annotations

from typing import ClassVar

from ..adapter import Availability, requires_module
from ._ws_process import WebSocketProcess, python_command


class DaphneEcho(WebSocketProcess):
    name = "daphne"
    limit_configured: ClassVar[bool] = False
    deflate: ClassVar[bool] = False

    @classmethod
    def available(cls) -> Availability:
        return requires_module("daphne")

    def command(self, host: str, port: int) -> list[str]:
        ping = ([] if self.keepalive is None else  # whole seconds only
                ["--ping-interval", str(max(1, round(self.keepalive[0]))),
                 "--ping-timeout", str(max(1, round(self.keepalive[1])))])
        return python_command("daphne", "-b", host, "-p", str(port), *ping,
                              "suites.adapters.websocket.apps.ws_asgi_echo:app")

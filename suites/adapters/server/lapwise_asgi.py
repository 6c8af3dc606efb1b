"""server/lapwise-asgi: lapwise's server core running an ASGI app (the Starlette app unless
given another) through lapwise.asgi, started by the product's command line (``python -m
lapwise serve ... --interface asgi``)."""

from __future__ import annotations

from ..adapter import Availability
from ._hosted import STARLETTE_APP, HostedServer
from ._process import python_module_command
from .native_py import native_server_available


def lapwise_serve_command(app: str, interface: str, host: str, port: int) -> list[str]:
    return python_module_command("lapwise", "serve", app, "--interface", interface, "--host", host, "--port", str(port))


class LapwiseAsgiServer(HostedServer):
    name = "lapwise-asgi"
    interface = "asgi"
    default_app = STARLETTE_APP

    @classmethod
    def available(cls) -> Availability:
        if not (ok := super().available()):
            return ok
        return native_server_available()

    def serve_command(self, app: str, host: str, port: int) -> list[str]:
        return lapwise_serve_command(app, "asgi", host, port)

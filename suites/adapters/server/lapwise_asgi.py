"""server/lapwise-asgi: lapwise's server core running the Starlette app through lapwise.asgi,
started by the product's command line (``python -m lapwise serve ... --interface asgi``)."""

from __future__ import annotations

from ..adapter import Availability, requires_module
from ._process import ProcessServer, python_module_command
from .native_py import native_server_available


class LapwiseAsgiServer(ProcessServer):
    name = "lapwise-asgi"

    @classmethod
    def available(cls) -> Availability:
        if not (ok := requires_module("starlette")):
            return ok
        return native_server_available()

    def command(self, host: str, port: int) -> list[str]:
        return python_module_command("lapwise", "serve", "suites.adapters.server.apps.starlette_app:app",
                                     "--interface", "asgi", "--host", host, "--port", str(port))

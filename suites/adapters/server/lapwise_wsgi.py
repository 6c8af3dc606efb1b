"""server/lapwise-wsgi: lapwise's server core running the raw WSGI app (apps/wsgi_app.py)
through lapwise.wsgi, started by the product's command line (``--interface wsgi``)."""

from __future__ import annotations

from ..adapter import Availability
from ._process import ProcessServer, python_module_command
from .native_py import native_server_available


class LapwiseWsgiServer(ProcessServer):
    name = "lapwise-wsgi"

    @classmethod
    def available(cls) -> Availability:
        return native_server_available()

    def command(self, host: str, port: int) -> list[str]:
        return python_module_command("lapwise", "serve", "suites.adapters.server.apps.wsgi_app:app",
                                     "--interface", "wsgi", "--host", host, "--port", str(port))

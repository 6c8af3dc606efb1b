"""server/lapwise-wsgi: lapwise's server core running a WSGI app (the raw one of apps/wsgi_app.py
unless given another) through lapwise.wsgi, started by the product's command line
(``--interface wsgi``)."""

from __future__ import annotations

from ..adapter import Availability
from ._hosted import RAW_WSGI_APP, HostedServer
from .lapwise_asgi import lapwise_serve_command
from .native_py import native_server_available


class LapwiseWsgiServer(HostedServer):
    name = "lapwise-wsgi"
    interface = "wsgi"
    default_app = RAW_WSGI_APP

    @classmethod
    def available(cls) -> Availability:
        return native_server_available()

    def serve_command(self, app: str, host: str, port: int) -> list[str]:
        return lapwise_serve_command(app, "wsgi", host, port)

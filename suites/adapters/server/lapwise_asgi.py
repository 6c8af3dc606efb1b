"""server/lapwise-asgi: lapwise's server core running an ASGI app (the Starlette app unless
given another) through lapwise.asgi, started by the product's command line (``python -m
lapwise serve ... --interface asgi``)."""

from __future__ import annotations

from ._hosted import STARLETTE_APP, LapwiseHostedServer


class LapwiseAsgiServer(LapwiseHostedServer):
    name = "lapwise-asgi"
    interface = "asgi"
    default_app = STARLETTE_APP

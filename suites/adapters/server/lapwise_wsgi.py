"""server/lapwise-wsgi: lapwise's server core running a WSGI app (the raw one of apps/wsgi_app.py
unless given another) through lapwise.wsgi, started by the product's command line
(``--interface wsgi``)."""

from __future__ import annotations

from ._hosted import RAW_WSGI_APP, LapwiseHostedServer


class LapwiseWsgiServer(LapwiseHostedServer):
    name = "lapwise-wsgi"
    interface = "wsgi"
    default_app = RAW_WSGI_APP

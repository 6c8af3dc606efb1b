"""server/lapwise-app: lapwise's server core running a lapwise.App (the app spec of
apps/spec_app.py unless given another), started by the product's command line (``python -m
lapwise serve ... --interface app``), as lapwise-asgi and lapwise-wsgi are for the other two
interfaces. server/native-py serves the same routes from its own ``App.run`` script."""

from __future__ import annotations

from ._hosted import APPS, LapwiseHostedServer


class LapwiseAppServer(LapwiseHostedServer):
    name = "lapwise-app"
    interface = "app"
    default_app = f"{APPS}.spec_app:app"

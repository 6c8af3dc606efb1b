"""The servers the hosting benchmark runs an app on: the hosting suite's server adapters
(suites/adapters/server, each hosting any app given as module:attribute), by name."""

from __future__ import annotations

from suites.adapters.server._hosted import HostedServer
from suites.adapters.server.daphne import DaphneServer
from suites.adapters.server.gunicorn_gthread import GunicornGthreadServer
from suites.adapters.server.gunicorn_sync import GunicornSyncServer
from suites.adapters.server.hypercorn import HypercornServer
from suites.adapters.server.lapwise_asgi import LapwiseAsgiServer
from suites.adapters.server.lapwise_wsgi import LapwiseWsgiServer
from suites.adapters.server.uvicorn import UvicornServer

SERVERS: dict[str, type[HostedServer]] = {cls.name: cls for cls in (
    LapwiseAsgiServer, UvicornServer, HypercornServer, DaphneServer,
    LapwiseWsgiServer, GunicornSyncServer, GunicornGthreadServer)}


def interface(server: str) -> str:
    return SERVERS[server].interface


def missing(server: str) -> str | None:
    """Why ``server`` cannot run here (a module it needs is absent), or None."""
    ok = SERVERS[server].available()
    return None if ok else ok.reason


def hosted(server: str, app: str) -> HostedServer:
    """``server`` serving ``app`` (module:attribute), not started."""
    return SERVERS[server](app)

"""The server x app pairs the hosting corpus replays against, and how one replay runs.

Each host is a server adapter (suites/adapters/server) given an app of the hosted surface; the
reference for an app is lapwise's server of the app's interface."""

from __future__ import annotations

import socket
from dataclasses import dataclass

from suites.adapters.server._hosted import FASTAPI_APP, FLASK_APP, STARLETTE_APP, HostedServer
from suites.adapters.server.daphne import DaphneServer
from suites.adapters.server.gunicorn_gthread import GunicornGthreadServer
from suites.adapters.server.gunicorn_sync import GunicornSyncServer
from suites.adapters.server.hypercorn import HypercornServer
from suites.adapters.server.hypercorn_trio import HypercornTrioServer
from suites.adapters.server.lapwise_asgi import LapwiseAsgiServer
from suites.adapters.server.lapwise_wsgi import LapwiseWsgiServer
from suites.adapters.server.uvicorn import UvicornServer
from suites.adapters.server.uvicorn_h11 import UvicornH11Server
from suites.adapters.server.werkzeug import WerkzeugServer

from .hosting_cases import HostingCase
from .hosting_replay import Transcript, exchange, normalise

APPS = {"starlette-app": STARLETTE_APP, "fastapi-app": FASTAPI_APP, "flask-app": FLASK_APP}
INTERFACE = {"starlette-app": "asgi", "fastapi-app": "asgi", "flask-app": "wsgi"}

# The servers by their adapter names (the same names the hosting benchmark and the reports use;
# a test holds the two tables to it), also the keys of the differences table.
SERVERS: dict[str, type[HostedServer]] = {cls.name: cls for cls in (
    LapwiseAsgiServer, UvicornServer, UvicornH11Server, HypercornServer, HypercornTrioServer, DaphneServer,
    LapwiseWsgiServer, GunicornSyncServer, GunicornGthreadServer, WerkzeugServer)}
REFERENCE = {"asgi": "lapwise-asgi", "wsgi": "lapwise-wsgi"}


@dataclass(frozen=True)
class Host:
    server: str
    app: str

    @property
    def label(self) -> str:
        return f"{self.server}@{self.app}"

    @property
    def reference(self) -> bool:
        return self.server == REFERENCE[INTERFACE[self.app]]

    def make(self) -> HostedServer:
        return SERVERS[self.server](APPS[self.app])


def hosts() -> list[Host]:
    """Every server x app of matching interface, references first."""
    out = []
    for app, interface in INTERFACE.items():
        names = [s for s, cls in SERVERS.items() if cls.interface == interface]
        names.sort(key=lambda s: s != REFERENCE[interface])
        out += [Host(s, app) for s in names]
    return out


def replay(host: str, port: int, case: HostingCase) -> Transcript:
    if case.hang_up:
        with socket.create_connection((host, port), timeout=5) as sock:
            for chunk in case.chunks:
                if isinstance(chunk, bytes):
                    sock.sendall(chunk)
            if case.hang_up == "read":
                sock.recv(4096)
        # the server has seen the client leave: the next client must be served normally
    if case.then is not None:
        return exchange(host, port, [case.then], ["GET"])
    return exchange(host, port, list(case.chunks), list(case.methods), expect_interim=case.expect_interim)


def comparable(case: HostingCase, transcript: Transcript) -> tuple:
    """The normalised answer; for an answer the server writes itself (its own error page), only
    the statuses and how the exchange ended."""
    full = normalise(transcript)
    return (tuple(a[0] for a in full[0]), full[1]) if case.server_answer else full

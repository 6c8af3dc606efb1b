"""The server adapter interface, and the one app every server implements.

A server adapter starts a real server process on 127.0.0.1 serving ``APP`` (TechEmpower-style
routes, below) and stops it by pid. The suite talks to it over sockets only, so native, pure
Python and peer servers are measured the same way.

The app (every server answers these identically; conformance checks it before any load):

- ``GET /plaintext`` -> 200 ``text/plain``, body ``Hello, World!``
- ``GET /json`` -> 200 ``application/json``, body ``{"message":"Hello, World!"}``, serialized
  per request (TFB rule)
- ``GET /users/{id:int}?q=...`` -> 200 ``application/json``,
  ``{"id":<int>,"name":"user<id>","q":<q or null>}``
- ``POST /echo`` -> 200, the request body back, with the request's Content-Type
  (``application/octet-stream`` when it had none)
- anything else -> 404

Every response carries ``Server`` and ``Date`` headers (unless the adapter lists one in
``omits_headers`` with the reason) and a correct ``Content-Length``.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from typing import ClassVar

from ..adapter import Adapter

PLAINTEXT_BODY = b"Hello, World!"
JSON_BODY = b'{"message":"Hello, World!"}'

# Routes a server may lack by design (a static reference server cannot echo or compute JSON):
# listed per adapter in ``routes``; conformance checks only the routes a server declares.
ALL_ROUTES = frozenset({"plaintext", "json", "users", "echo"})


def users_body(user_id: int, q: str | None) -> bytes:
    """The exact /users/{id} body (compact JSON, keys in this order)."""
    import json

    return json.dumps({"id": user_id, "name": f"user{user_id}", "q": q},
                      separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class Address:
    host: str
    port: int
    pid: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


class Server(Adapter):
    kind: ClassVar[str] = "server"
    routes: ClassVar[frozenset[str]] = ALL_ROUTES
    # Required headers a server leaves out by design: header name (lower case) -> the reason.
    omits_headers: ClassVar[dict[str, str]] = {}
    # Set (to the reason) when the server closes the connection after responses without saying
    # so (no ``Connection: close``): clients must then open one connection per request.
    drops_keep_alive: ClassVar[str] = ""
    # False for peers the e2e benchmark runs only when named (--servers / LAPWISE_ADAPTERS): they
    # are checked by conformance and timed by the hosting benchmark, not by every ci/bench run.
    bench_by_default: ClassVar[bool] = True

    @abc.abstractmethod
    def start(self, host: str = "127.0.0.1", port: int = 0, cpu: int | None = None) -> Address:
        """Starts serving the app on host:port (0 = a free port), pinned to ``cpu`` if given.
        Returns once the server answers ``GET /plaintext``; raises RuntimeError with the
        server's own output if it does not come up."""

    @abc.abstractmethod
    def stop(self) -> None:
        """Stops the server process (SIGTERM, then SIGKILL after a grace period); idempotent."""

    @abc.abstractmethod
    def cpu_seconds(self) -> float:
        """User+system CPU seconds the server process (and its children) used so far."""

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

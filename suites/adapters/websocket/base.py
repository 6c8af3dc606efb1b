"""The WebSocket server adapter interface, and the one app every WebSocket server implements.

An adapter starts a real server process on 127.0.0.1 and stops it by pid. The app:

- ``/echo`` upgrades to WebSocket (permessage-deflate accepted when the server supports it)
  and sends every message back as it came: text as text, binary as binary;
- messages over ``MAX_MESSAGE`` bytes are refused (close 1009) by servers that can be told a
  bound (``limit_configured``); the others keep their own default, recorded by the table.
"""

from __future__ import annotations

import abc
from typing import ClassVar

from ..adapter import Adapter
from ..server.base import Address

ECHO_PATH = "/echo"
MAX_MESSAGE = 1 << 20
# The keep-alive the conformance table's keepalive cases start a server with, in seconds: a
# Ping after this long without a byte from the client, and how long its answer may take.
KEEPALIVE = (1.0, 1.0)


class WebSocketServer(Adapter):
    kind: ClassVar[str] = "websocket"
    # True when the server was started with MAX_MESSAGE as its message bound.
    limit_configured: ClassVar[bool] = True
    # True when the server offers permessage-deflate in this setup.
    deflate: ClassVar[bool] = True
    # False for a variant that is checked (conformance) but not timed by default.
    timed: ClassVar[bool] = True
    # False when the server cannot be told to close a client that does not answer its Pings.
    keepalive_timeout: ClassVar[bool] = True
    # Set before start(): serve with this keep-alive (interval, timeout; seconds) instead of
    # the server's default.
    keepalive: tuple[float, float] | None = None

    @abc.abstractmethod
    def start(self, host: str = "127.0.0.1", port: int = 0, cpu: int | None = None) -> Address:
        """Starts the echo server, pinned to ``cpu`` if given; returns once a WebSocket
        handshake on ``ECHO_PATH`` gets its 101. Raises RuntimeError with the server's output
        if it does not come up."""

    @abc.abstractmethod
    def stop(self) -> None:
        """Stops the server process (SIGTERM, then SIGKILL after a grace period); idempotent."""

    @abc.abstractmethod
    def cpu_seconds(self) -> float:
        """User+system CPU seconds the server process (and its children) used so far."""

    def __enter__(self) -> WebSocketServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

"""A WebSocket server in a child process: ready once a handshake on /echo gets its 101."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Sequence
from typing import ClassVar
from pathlib import Path

from ..server import _process
from .base import ECHO_PATH, WebSocketServer

REPO = Path(__file__).resolve().parents[3]
_PROBE = (f"GET {ECHO_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
          "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          "Sec-WebSocket-Version: 13\r\n\r\n").encode()


def handshake_ok(host: str, port: int, timeout: float) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.sendall(_PROBE)
            return s.recv(64).startswith(b"HTTP/1.1 101")
    except OSError:
        return False


def built_tool(name: str, env_var: str) -> Path | None:
    """A harness C++ tool: $env_var, else <build>/bin/<name> of $LAPWISE_BUILD_DIR, build/,
    build-*/ (in that order); None when no build has it."""
    candidates = [Path(os.environ[env_var])] if os.environ.get(env_var) else []
    dirs = [Path(os.environ["LAPWISE_BUILD_DIR"])] if os.environ.get("LAPWISE_BUILD_DIR") else []
    dirs += [REPO / "build", *sorted(REPO.glob("build-*"))]
    candidates += [d / "bin" / name for d in dirs]
    return next((c for c in candidates if c.is_file() and os.access(c, os.X_OK)), None)


class WebSocketProcess(_process.ProcessServer, WebSocketServer):
    """ProcessServer's start/stop/CPU with the WebSocket readiness probe."""

    kind: ClassVar[str] = "websocket"

    def command(self, host: str, port: int) -> Sequence[str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def ready(self, host: str, port: int) -> bool:
        return handshake_ok(host, port, timeout=0.5)


def python_command(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]

"""A test client's WebSocket (``TestClient.websocket_connect``, as Starlette's): the RFC 6455
handshake and frames over a blocking socket, for tests. Client frames are masked, as the
protocol requires; pings are answered while receiving; no extension is offered, so messages
are never compressed. Every read waits at most the client's timeout."""

from __future__ import annotations

import base64
import os
import socket
import struct
from collections.abc import Mapping
from typing import Any

from . import json as lapwise_json
from ._app_websocket import WebSocketDisconnect

_TEXT, _BINARY, _CLOSE, _PING, _PONG, _CONTINUATION = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0


class WebSocketRefused(WebSocketDisconnect):
    """The server answered the handshake with HTTP instead of 101 (a handler that closed
    before accepting: 403): ``status``, ``headers`` (lower-case names) and ``body``."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        super().__init__(1000)
        self.args = (f"the WebSocket handshake was refused with HTTP {status}",)
        self.status = status
        self.headers = headers
        self.body = body


class TestWebSocket:
    """One open WebSocket: ``send_text``, ``send_bytes``, ``send_json``, ``receive`` (str or
    bytes), ``receive_text``, ``receive_bytes``, ``receive_json``, ``close``; ``subprotocol`` is
    the one the server chose. A Close from the server raises ``WebSocketDisconnect`` with its
    code from ``receive*``. A context manager: leaving ``with`` closes it (code 1000)."""

    __test__ = False  # a class pytest must not collect

    def __init__(self, sock: socket.socket, rest: bytes, subprotocol: str | None) -> None:
        self._sock = sock
        self._buf = bytearray(rest)
        self.subprotocol = subprotocol
        self.close_code: int | None = None

    # ------------------------------------------------------------------------ sending
    def _frame(self, opcode: int, payload: bytes) -> None:
        n = len(payload)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 1 << 16:
            head += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        self._sock.sendall(head + mask + _masked(payload, mask))

    def send_text(self, data: str) -> None:
        self._frame(_TEXT, data.encode())

    def send_bytes(self, data: bytes) -> None:
        self._frame(_BINARY, bytes(data))

    def send_json(self, data: Any) -> None:
        self._frame(_TEXT, lapwise_json.dumps(data))

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Sends a Close and waits (within the timeout) for the server's, then closes the socket."""
        if self.close_code is None:
            try:
                self._frame(_CLOSE, struct.pack("!H", code) + reason.encode())
                while self.close_code is None:
                    self._message()
            except (WebSocketDisconnect, OSError):
                pass
        self._sock.close()

    def __enter__(self) -> TestWebSocket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------------- receiving
    def _read(self, n: int) -> bytes:
        while len(self._buf) < n:
            chunk = self._sock.recv(65536)
            if not chunk:
                self.close_code = 1006
                raise WebSocketDisconnect(1006)
            self._buf += chunk
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out

    def _next_frame(self) -> tuple[bool, int, bytes]:
        first, second = self._read(2)
        n = second & 0x7F
        if n == 126:
            n = struct.unpack("!H", self._read(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", self._read(8))[0]
        return bool(first & 0x80), first & 0x0F, self._read(n)

    def _message(self) -> str | bytes:
        """The next message; control frames are handled on the way."""
        parts: list[bytes] = []
        kind = None
        while True:
            fin, opcode, payload = self._next_frame()
            if opcode == _PING:
                self._frame(_PONG, payload)
            elif opcode == _CLOSE:
                if self.close_code is None:
                    self.close_code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                    try:
                        self._frame(_CLOSE, payload[:2])
                    except OSError:
                        pass
                raise WebSocketDisconnect(self.close_code)
            elif opcode in (_TEXT, _BINARY, _CONTINUATION):
                kind = opcode if kind is None else kind
                parts.append(payload)
                if fin:
                    data = b"".join(parts)
                    return data.decode() if kind == _TEXT else data

    def receive(self) -> str | bytes:
        if self.close_code is not None:
            raise WebSocketDisconnect(self.close_code)
        return self._message()

    def receive_text(self) -> str:
        message = self.receive()
        if not isinstance(message, str):
            raise TypeError("expected a text message, got a binary one")
        return message

    def receive_bytes(self) -> bytes:
        message = self.receive()
        if not isinstance(message, bytes):
            raise TypeError("expected a binary message, got a text one")
        return message

    def receive_json(self) -> Any:
        return lapwise_json.loads(self.receive())


def _masked(payload: bytes, mask: bytes) -> bytes:
    """``payload`` XOR the repeated mask, as one big-integer XOR (no loop over the bytes)."""
    n = len(payload)
    key = int.from_bytes((mask * (n // 4 + 1))[:n], "big")
    return (int.from_bytes(payload, "big") ^ key).to_bytes(n, "big")


def open_test_websocket(host: str, port: int, target: str, headers: Mapping[str, str],
                        subprotocols: list[str], timeout: float) -> TestWebSocket:
    """The handshake for ``target``; a ``TestWebSocket`` once the server answered 101."""
    sock = socket.create_connection((host, port), timeout=timeout)
    try:
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {target} HTTP/1.1", f"Host: {host}:{port}", "Upgrade: websocket", "Connection: Upgrade",
                 f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        if subprotocols:
            lines.append("Sec-WebSocket-Protocol: " + ", ".join(subprotocols))
        lines += [f"{k}: {v}" for k, v in headers.items()]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                raise WebSocketDisconnect(1006)
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        status_line, *fields = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        answer = {}
        for field in fields:
            name, _, value = field.partition(":")
            answer[name.strip().lower()] = value.strip()
        if status != 101:
            length = int(answer.get("content-length", "0"))
            while len(rest) < length and (chunk := sock.recv(65536)):
                rest += chunk
            raise WebSocketRefused(status, answer, rest[:length])
    except BaseException:
        sock.close()
        raise
    return TestWebSocket(sock, rest, answer.get("sec-websocket-protocol"))

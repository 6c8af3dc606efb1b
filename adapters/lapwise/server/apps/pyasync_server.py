"""A pure-Python HTTP/1.1 server on asyncio (written here): the "no native code, no framework"
baseline. asyncio.Protocol (not streams, which cost a task per connection), keep-alive,
pipelining (responses in request order, as the requests are handled one after the other),
Content-Length bodies, 400 on malformed heads, 413 on bodies over 1 MiB.

Run as ``python -m lapwise.server.apps.pyasync_server HOST PORT``.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import re
import signal
import sys
import time
from urllib.parse import parse_qs

_MAX_HEAD = 65536
_MAX_BODY = 1 << 20
_USERS = re.compile(r"^/users/([0-9]+)$")
_TOKEN = re.compile(rb"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


class _DateCache:
    """The Date header, formatted once a second rather than once a response."""

    def __init__(self) -> None:
        self._second = -1
        self._value = b""

    def get(self) -> bytes:
        now = int(time.time())
        if now != self._second:
            self._second = now
            self._value = email.utils.formatdate(now, usegmt=True).encode()
        return self._value


_DATE = _DateCache()


def _response(status: int, reason: bytes, ctype: bytes, body: bytes, close: bool = False) -> bytes:
    head = (b"HTTP/1.1 %d %s\r\nServer: lapwise-pyasync\r\nDate: %s\r\nContent-Type: %s\r\n"
            b"Content-Length: %d\r\n" % (status, reason, _DATE.get(), ctype, len(body)))
    if close:
        head += b"Connection: close\r\n"
    return head + b"\r\n" + body


def _json(obj: object) -> bytes:
    body = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()
    return _response(200, b"OK", b"application/json", body)


def handle(method: str, target: str, headers: dict[bytes, bytes], body: bytes) -> bytes:
    """The app (see lapwise.server.base): one request in, the whole response out."""
    path, _, query = target.partition("?")
    if method == "GET" and path == "/plaintext":
        return _response(200, b"OK", b"text/plain", b"Hello, World!")
    if method == "GET" and path == "/json":
        return _json({"message": "Hello, World!"})
    if method == "GET" and (m := _USERS.match(path)):
        user_id = int(m.group(1))
        q = parse_qs(query, keep_blank_values=True).get("q")
        return _json({"id": user_id, "name": f"user{user_id}", "q": q[0] if q else None})
    if method == "POST" and path == "/echo":
        return _response(200, b"OK", headers.get(b"content-type", b"application/octet-stream"), body)
    return _response(404, b"Not Found", b"text/plain", b"Not Found")


class HttpProtocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.buf = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buf += data
        out = []
        while True:
            result = self._next_request()
            if result is None:
                break
            response, close = result
            out.append(response)
            if close:
                self.transport.write(b"".join(out))
                self.transport.close()
                return
        if out:
            self.transport.write(b"".join(out))

    def _fail(self, status: int, reason: bytes) -> tuple[bytes, bool]:
        self.buf.clear()
        return _response(status, reason, b"text/plain", reason, close=True), True

    def _next_request(self) -> tuple[bytes, bool] | None:
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return self._fail(431, b"Request Header Fields Too Large") if len(self.buf) > _MAX_HEAD else None
        lines = bytes(self.buf[:end]).split(b"\r\n")
        try:
            method, target, version = lines[0].split(b" ")
        except ValueError:
            return self._fail(400, b"Bad Request")
        if version not in (b"HTTP/1.1", b"HTTP/1.0") or not _TOKEN.match(method):
            return self._fail(505 if version.startswith(b"HTTP/") and version not in (b"HTTP/1.1", b"HTTP/1.0")
                              else 400, b"Bad Request")
        headers: dict[bytes, bytes] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if not sep or not _TOKEN.match(name) or b"\r" in value or b"\n" in value:
                return self._fail(400, b"Bad Request")
            key = name.lower()
            if key in (b"content-length", b"host") and key in headers:
                return self._fail(400, b"Bad Request")
            headers[key] = value.strip(b" \t")
        if b"transfer-encoding" in headers:
            return self._fail(501, b"Not Implemented")  # the baseline reads Content-Length only
        try:
            length = int(headers.get(b"content-length", b"0"))
            if length < 0 or not headers.get(b"content-length", b"0").isdigit():
                raise ValueError
        except ValueError:
            return self._fail(400, b"Bad Request")
        if length > _MAX_BODY:
            return self._fail(413, b"Content Too Large")
        total = end + 4 + length
        if len(self.buf) < total:
            return None
        body = bytes(self.buf[end + 4:total])
        del self.buf[:total]
        conn = headers.get(b"connection", b"").lower()
        close = conn == b"close" or (version == b"HTTP/1.0" and conn != b"keep-alive")
        response = handle(method.decode("ascii"), target.decode("latin-1"), headers, body)
        return response, close


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(HttpProtocol, host, port, backlog=1024, reuse_address=True)
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set_result, None)
    async with server:
        await stop


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1], int(sys.argv[2])))

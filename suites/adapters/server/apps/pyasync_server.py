"""A pure-Python HTTP/1.1 server on asyncio (written here): the "no native code, no framework"
baseline, and the end-to-end counterpart of the lap pipeline's ``py-baseline`` family. Every
request goes through exactly the steps that family times (suites/laps/lap_families.py):
parser/py-baseline's parse_request, an ASGI-style scope, router/py-trie, the route's
converters, query/urllib (parse_qsl), the handler, json/stdlib and a bytes join, so the
end-to-end CPU per request minus the lap pipeline is the event loop and socket I/O only.
asyncio.Protocol (not streams, which cost a task per connection), keep-alive, pipelining
(responses in request order, as the requests are handled one after the other), Content-Length
and chunked bodies, the parser's error status (400/413/414/431/501/505) on bad input, bodies
over 1 MiB refused with 413.

With ``--steps native`` the same server runs the ``native-py`` family's steps instead
(parser/native, router/native, query/native, json/native through their Python adapters): the
end-to-end counterpart of that family, i.e. what swapping each step of a Python server for
lapwise's C++ core gives, as opposed to lapwise.App, where the whole request path is native.

Run as ``python -m suites.adapters.server.apps.pyasync_server HOST PORT [--steps py-baseline|native]``.
"""

from __future__ import annotations

import asyncio
import email.utils
import signal
import sys
import time
from typing import Any
from urllib.parse import unquote

from suites.adapters.parser.base import PARTIAL, Limits, ParsedRequest, ParseError
from suites.adapters.router.base import Match

_MAX_BODY = 1 << 20
_REASONS = {200: b"OK", 400: b"Bad Request", 404: b"Not Found", 405: b"Method Not Allowed",
            413: b"Content Too Large", 414: b"URI Too Long",
            431: b"Request Header Fields Too Large", 501: b"Not Implemented",
            505: b"HTTP Version Not Supported"}


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


def _steps(family: str) -> tuple[Any, Any, Any, Any]:
    """(parser, router, query parser, json) of a lap family, as its adapters."""
    if family == "py-baseline":
        from suites.adapters.json.stdlib import StdlibJson
        from suites.adapters.parser.py_baseline import PyBaselineParser
        from suites.adapters.query.urllib import UrllibQueryParser
        from suites.adapters.router.py_trie import PyTrieRouter

        return (PyBaselineParser(Limits(max_body=_MAX_BODY)), PyTrieRouter(), UrllibQueryParser(),
                StdlibJson())
    if family == "native":
        from suites.adapters.json.native import NativeJson
        from suites.adapters.parser.native import NativeParser
        from suites.adapters.query.native import NativeQueryParser
        from suites.adapters.router.native import NativeRouter

        return (NativeParser(Limits(max_body=_MAX_BODY)), NativeRouter(), NativeQueryParser(),
                NativeJson())
    raise SystemExit(f"pyasync_server: unknown --steps {family!r} (py-baseline or native)")


_PARSER, _ROUTER, _QUERY, _JSON = _steps(
    sys.argv[sys.argv.index("--steps") + 1] if "--steps" in sys.argv[:-1] else "py-baseline")


def _response(status: int, ctype: bytes, body: bytes, close: bool = False,
              extra: bytes = b"") -> bytes:
    """Status line, Server/Date/Content-Type/Content-Length (and ``extra`` header lines), body:
    one bytes join, as the lap pipeline's response step."""
    return b"".join((b"HTTP/1.1 %d %s\r\nServer: lapwise-pyasync\r\nDate: " % (
        status, _REASONS.get(status, b"Error")), _DATE.get(), b"\r\nContent-Type: ", ctype,
        b"\r\nContent-Length: ", str(len(body)).encode(), b"\r\n",
        b"Connection: close\r\n" if close else b"", extra, b"\r\n", body))


def _scope(p: ParsedRequest) -> dict:
    """The ASGI-style scope the lap pipeline's build_request step makes (decoded path, raw
    path and query as bytes, lower-cased header names)."""
    path = p.path
    return {"type": "http", "http_version": p.version, "method": p.method, "scheme": "http",
            "path": unquote(path) if "%" in path else path,
            "raw_path": path.encode("latin-1"), "query_string": p.query.encode("latin-1"),
            "headers": [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in p.headers]}


def _plaintext(scope: dict, body: bytes) -> bytes:
    return _response(200, b"text/plain", b"Hello, World!")


def _json_route(scope: dict, body: bytes) -> bytes:
    return _response(200, b"application/json", _JSON.dumps({"message": "Hello, World!"}))


def _users(scope: dict, body: bytes, params: dict[str, Any]) -> bytes:
    query = _QUERY.parse(scope["query_string"].decode("latin-1"))
    user_id = params["id"]
    q = next((v for k, v in query if k == "q"), None)
    return _response(200, b"application/json",
                     _JSON.dumps({"id": user_id, "name": f"user{user_id}", "q": q}))


def _echo(scope: dict, body: bytes) -> bytes:
    ctype = next((v for n, v in scope["headers"] if n == b"content-type"),
                 b"application/octet-stream")
    return _response(200, ctype, body)


# (method, pattern, converters, handler); a route's value in the router is its index here.
_ROUTES: tuple[tuple[str, str, dict[str, Any], Any], ...] = (
    ("GET", "/plaintext", {}, _plaintext), ("GET", "/json", {}, _json_route),
    ("GET", "/users/{id:int}", {"id": int}, _users), ("POST", "/echo", {}, _echo))
for _value, (_method, _pattern, _, _) in enumerate(_ROUTES):
    _ROUTER.add(_method, _pattern, _value)


def handle(p: ParsedRequest) -> bytes:
    """The app (see suites.adapters.server.base): one parsed request in, the whole response out."""
    scope = _scope(p)
    m = _ROUTER.match(scope["method"], scope["path"])
    if not isinstance(m, Match):
        allow = b"Allow: %s\r\n" % ", ".join(m.allowed).encode() if m.allowed else b""
        return _response(m.status, b"text/plain", _REASONS.get(m.status, b"Error"), extra=allow)
    _, _, converters, fn = _ROUTES[m.value]
    if not converters:
        return fn(scope, p.body)
    try:
        params = {k: converters[k](v) for k, v in m.params.items()}
    except ValueError:  # the router checked the shape; a converter refusal is still a 404
        return _response(404, b"text/plain", b"Not Found")
    return fn(scope, p.body, params)


class HttpProtocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.buf = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buf = self.buf + data if self.buf else data
        out = []
        while self.buf:
            result = _PARSER.parse_request(self.buf)
            if isinstance(result, ParseError):
                # The stream cannot be resynchronised after a framing error: answer and close.
                self.buf = b""
                reason = _REASONS.get(result.status, b"Bad Request")
                out.append(_response(result.status, b"text/plain", reason, close=True))
                self._flush(out, close=True)
                return
            if result is PARTIAL:  # wait for more bytes
                break
            self.buf = self.buf[result.consumed:]
            out.append(handle(result))
            if not result.keep_alive:
                self._flush(out, close=True)
                return
        self._flush(out, close=False)

    def _flush(self, out: list[bytes], close: bool) -> None:
        if out:
            self.transport.write(b"".join(out))
        if close:
            self.transport.close()


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

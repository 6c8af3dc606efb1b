"""Serve a WSGI (PEP 3333) application on lapwise's native server.

    import lapwise.wsgi
    with lapwise.wsgi.serve(app, port=0, pool=16) as srv: ...
    lapwise.wsgi.run(app, port=8000)                      # until SIGTERM/SIGINT

Every request of every method on every path reaches the app. Where it runs follows
``lapwise.App``'s ``def`` routes (``_app_pool``): on a pool of ``pool`` threads until its calls
prove cheap, then inline on the io thread (no thread hand-off: a cheap app's whole request costs
about what the app itself does), back to the pool when an inline call is slow. A response that
streams (an iterable of more than one item, or ``write()``) keeps the app on the pool for good:
streaming waits for the client, which the io thread must never do; a ``write()`` during an
inline call is kept in memory until the rest of that call moves to the pool. Requests wait for
a free pool thread (how many can wait is bounded by the server's connection and pipelining
bounds); a request whose body is read from the connection as the app reads (below) always runs
on the pool.

``wsgi.input`` is the body: small ones arrive whole (a ``BytesIO``);
bodies over ``stream_body_over`` bytes (64 KiB by default), and chunked or
``Expect: 100-continue`` ones not wholly received, are read from the connection as the app
reads (``_wsgi_input.BodyInput``: ``read(n)``, ``readline``, iteration; at most ``body_window``
bytes ahead of the app; ``100 Continue`` at the first read). Either way it ends with ``b""``
after the last byte (``wsgi.input_terminated`` is True: a chunked body has no
``CONTENT_LENGTH`` and is still read to its end), and never passes ``max_body``. A body that
cannot be read on (the client left, a chunked body over ``max_body``) raises ``OSError``
from the read; the client gets the core's status if no response has begun. ``REMOTE_ADDR``,
``REMOTE_PORT``, ``SERVER_NAME`` and ``SERVER_PORT`` are the connection's addresses.

A response whose iterable is a list or tuple of at most one item (or any other iterable that
ends after one item), with nothing passed to ``write()``, leaves whole, and so does one whose
parts add up to its declared Content-Length of at most 256 KiB (gathered first, whatever its
iterable); otherwise each piece is one part of a streamed response (chunked), and the thread
waits while the connection's unsent output is over ``max_output`` (back-pressure). The
iterable's ``close()`` is always called. A ``wsgi.file_wrapper`` over an open regular file is
sent by the server core with ``sendfile`` from the file's current position to its end (or as
far as the app's Content-Length says), never read into memory; over any other file-like it is
read in blocks of ``block_size`` and streamed.
``start_response(status, headers, exc_info)`` may replace the headers until the first part is
sent; after that it re-raises ``exc_info``.
"""

from __future__ import annotations

import io
import logging
import sys
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from . import _native_status
from ._app_pool import PENDING, HandlerPool, SyncRoute
from ._file_meta import file_span
from ._served import METHODS, STREAM_BODY_OVER, Served, start_native
from ._wsgi_input import BodyInput
from .app import App, Response, Running, _cut_response

__all__ = ["serve", "run", "METHODS", "FileWrapper"]

log = logging.getLogger("lapwise.wsgi")

# The server's own headers: it writes them itself (and refuses them from a handler).
_SERVER_OWN = frozenset(("content-length", "transfer-encoding", "connection", "date", "server"))


class FileWrapper:
    """``wsgi.file_wrapper``: a real file is sent with sendfile; any other file-like in
    blocks. Closed with the response."""

    def __init__(self, filelike: Any, block_size: int = 64 << 10) -> None:
        self.filelike = filelike
        self.block_size = block_size

    def __iter__(self) -> Any:
        while block := self.filelike.read(self.block_size):
            yield block

    def close(self) -> None:
        if hasattr(self.filelike, "close"):
            self.filelike.close()


def _log_error(exc: BaseException, where: str, method: str | None, path: str | None) -> None:
    log.error("%s %s: the WSGI app raised %s", method, path, type(exc).__name__, exc_info=exc)


# A response whose declared Content-Length is at most this is gathered and sent whole even when
# its iterable has several parts: one hand-off to the io thread instead of one per part, and a
# length-delimited answer that keeps an HTTP/1.0 keep-alive connection open.
_GATHER_MAX = 256 << 10


def _content_length(headers: list[tuple[str, str]]) -> int | None:
    """The app's Content-Length, if it gave one."""
    return next((int(v) for n, v in headers if n.lower() == "content-length"), None)


class _Call:
    """One request: environ, start_response, write, and the parts sent so far. ``inline``:
    the call runs on the io thread, which must never wait for itself: what ``write()`` gets
    is kept, and a response that needs streaming continues on the pool (``to_pool``)."""

    def __init__(self, req: Any, bridge: _Bridge, inline: bool) -> None:
        self.req = req
        self.bridge = bridge
        self.inline = inline
        self.status = 0
        self.headers: list[tuple[str, str]] | None = None
        self.started = False  # the head left: headers can no longer change
        self.gone = False
        self.written: list[bytes] = []  # write() while inline
        self.gathering: list[bytes] | None = None  # parts held back while a whole answer is gathered
        self.handed_off = False  # the rest of an inline call went to the pool
        self.taken: threading.Event | None = None  # made by the first streamed part
        self.input: BodyInput | None = None
        self.environ = self._environ(bridge.server, bridge.root_path)

    def _environ(self, server: tuple[str, int], root_path: str) -> dict[str, Any]:
        req = self.req
        body = b"" if req.body_streamed else req.body
        client = req.client
        server = req.server or server
        if req.body_streamed:
            self.input = BodyInput(req)
        env: dict[str, Any] = {
            "REQUEST_METHOD": req.method,
            "SCRIPT_NAME": root_path,
            # PEP 3333: native strings holding the bytes as latin-1.
            "PATH_INFO": req.path.encode("utf-8", "surrogateescape").decode("latin-1"),
            "QUERY_STRING": req.query_string,
            "SERVER_NAME": server[0],
            "SERVER_PORT": str(server[1]),
            "SERVER_PROTOCOL": "HTTP/" + req.http_version,
            "REMOTE_ADDR": client[0] if client else "",
            "REMOTE_PORT": str(client[1]) if client else "",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": self.input if self.input is not None else io.BytesIO(body),
            "wsgi.input_terminated": True,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "wsgi.file_wrapper": FileWrapper,
        }
        for name, value in req.raw_headers:
            key = name.decode("latin-1").upper().replace("-", "_")
            text = value.decode("latin-1")
            if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                env[key] = text
                continue
            key = "HTTP_" + key
            env[key] = env[key] + "," + text if key in env else text
        if body and "CONTENT_LENGTH" not in env:  # a chunked upload the core read whole
            env["CONTENT_LENGTH"] = str(len(body))
        return env

    def start_response(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        if exc_info is not None:
            try:
                if self.started:
                    raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None  # no reference cycle through the traceback
        elif self.headers is not None:
            raise RuntimeError("WSGI: start_response called twice without exc_info")
        self.status = int(status.split(" ", 1)[0])
        # As given: the native answer drops the server's own headers and checks the rest.
        self.headers = headers
        return self.write

    def write(self, data: bytes) -> None:
        if self.inline:
            if self.headers is None:
                raise RuntimeError("WSGI: body before start_response")
            self.written.append(bytes(data))
        elif self.gathering is not None:
            self.gathering.append(data)
        else:
            self.part(data)

    def part(self, data: bytes) -> None:
        """Sends one part, and waits until the core took it (and the output has room)."""
        if self.headers is None:
            raise RuntimeError("WSGI: body before start_response")
        if self.gone:
            return
        if self.taken is None:
            self.taken = threading.Event()
        self.taken.clear()
        if not self.started:
            self.started = True
            self.bridge.streaming(self.req)
            self.req._start(Response(self.status, _response_headers(self.headers), data))
        else:
            if not data:
                return
            self.req._part(data, False)
        self.taken.wait()

    def resumed(self, gone: bool) -> None:
        self.gone = self.gone or gone
        if self.taken is not None:
            self.taken.set()
        if gone and self.input is not None:
            self.input.piece(b"", True, 400)  # a read waiting for a piece ends

    def run(self, app: Any) -> None:
        """Calls the app; a response in one piece is answered here, any other streams (on
        the pool: handed there when this call is inline). An iterable that is not a list or
        tuple is read up to its second item to tell (frameworks return generators over a
        one-item body)."""
        result: Iterable[bytes] = ()
        try:
            result = app(self.environ, self.start_response)
            if isinstance(result, FileWrapper) and self.headers is not None and not self.started:
                # The app's Content-Length bounds the file.
                if (span := file_span(result.filelike, _content_length(self.headers))) is not None:
                    self.req._file(Response(self.status, _response_headers(self.headers), b""), *span, False)
                    self._close(result)
                    return
            rest: Iterator[bytes] | None = None
            if isinstance(result, (list, tuple)) and len(result) <= 1:
                pieces = list(result)
            else:
                rest, pieces = iter(result), []
                for piece in rest:
                    pieces.append(piece)
                    if len(pieces) == 2:
                        break
                else:
                    rest = None
            if rest is None:
                if self.headers is None:
                    raise RuntimeError("WSGI: the app returned without calling start_response")
                pieces = self.written + pieces
                body = pieces[0] if len(pieces) == 1 else b"".join(pieces)
                self.req._answer(self.status, self.headers, body)
                self._close(result)
                return
        except BaseException as exc:  # noqa: BLE001 - every outcome answers the request
            self._failed(exc)
            self._close(result)
            return
        self.written += pieces
        if self.inline:
            self.inline = False
            self.handed_off = True
            self.bridge.to_pool(self, result, rest)
            return
        self.stream(result, rest)

    def stream(self, result: Iterable[bytes], rest: Iterator[bytes]) -> None:
        """Sends what was written and read so far, then the rest, each as one part; closes
        ``result``."""
        try:
            written, self.written = self.written, []
            length = _content_length(self.headers or [])
            if length is not None and length <= _GATHER_MAX and not self.started:
                if (body := self._gather(written, rest, length)) is not None:
                    self.req._answer(self.status, self.headers, body)
                    return
            else:
                for data in written:
                    self.part(data)
            for data in rest:
                self.part(data)
            if not self.started:
                self.part(b"")
            self.req._part(b"", True)
        except BaseException as exc:  # noqa: BLE001 - every outcome answers the request
            self._failed(exc)
        finally:
            self._close(result)

    def _gather(self, pieces: list[bytes], parts: Iterator[bytes], length: int) -> bytes | None:
        """The whole body if ``pieces`` and the rest of ``parts`` add up to the declared
        ``length``; otherwise (the app said another length) sends what was gathered as the
        first parts of a streamed answer and returns None (``parts`` goes on)."""
        size = sum(len(p) for p in pieces)
        self.gathering = pieces
        try:
            if size <= length:
                for data in parts:
                    pieces.append(data)
                    size += len(data)
                    if size > length:
                        break
                else:
                    if size == length:
                        return b"".join(pieces)
        finally:
            self.gathering = None
        for data in pieces:
            self.part(data)
        return None

    def _failed(self, exc: BaseException) -> None:
        if self.started:
            log.error("%s: the WSGI app raised %s while streaming", self.environ["PATH_INFO"],
                      type(exc).__name__, exc_info=exc)
            self.req._part(b"", True)
        else:
            self.req._fail(exc)

    @staticmethod
    def _close(result: Any) -> None:
        close = getattr(result, "close", None)
        if close is not None:
            try:
                close()
            except Exception:  # noqa: BLE001 - logged; the response is out already
                log.exception("WSGI: the iterable's close() raised")


def _response_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A streamed head's headers: the server's own dropped, Content-Type always given (empty:
    the response has none, rather than the core's default)."""
    kept = [(n, v) for n, v in headers if n.lower() not in _SERVER_OWN]
    if not any(n.lower() == "content-type" for n, _ in kept):
        kept.append(("Content-Type", ""))
    return kept


class _Bridge:
    """Where the app runs (a SyncRoute: on the pool until it proves cheap, then inline on the
    io thread, back to the pool when a call is slow or when a response streams), and the map
    from native requests to their calls while held."""

    def __init__(self, app: Any, pool: int, server: tuple[str, int], root_path: str) -> None:
        self.app = app
        self.server = server
        self.root_path = root_path
        self.pool = HandlerPool(pool, _cut_response)
        self.route = SyncRoute(self._on_pool, self.pool, _no_schedule, False, streamed_bodies=True,
                               inline=self._inline, whole_app=True)
        self._calls: dict[Any, _Call] = {}  # single dict operations: atomic, no lock

    def _on_pool(self, req: Any) -> Any:
        self._call(req, False)
        return PENDING

    def _inline(self, req: Any) -> Any:  # the io thread, with the GIL
        self._call(req, True)
        return PENDING

    def _call(self, req: Any, inline: bool) -> None:
        try:
            call = _Call(req, self, inline)
        except BaseException as exc:  # noqa: BLE001 - answered, never lost
            req._fail(exc)
            return
        if inline:  # nothing reaches an inline call while it runs: the io thread is running it
            call.run(self.app)
            return
        self._calls[req] = call
        try:
            call.run(self.app)
        finally:
            if not call.handed_off:
                self._calls.pop(req, None)

    def streaming(self, req: Any) -> None:
        """The head left: a cut must no longer answer the request (the stream ends itself)."""
        self.pool.done(req)

    def to_pool(self, call: _Call, result: Iterable[bytes], rest: Iterator[bytes]) -> None:
        """An inline call needs streaming: it continues on the pool, and so does every later
        call (an app that streams once may wait on its client any time)."""
        self.route.keep_on_pool()
        self._calls[call.req] = call  # its parts are taken, or its client leaves, from now on
        self.pool.submit(lambda req: self._stream(call, result, rest), call.req)

    def _stream(self, call: _Call, result: Iterable[bytes], rest: Iterator[bytes]) -> None:
        try:
            call.stream(result, rest)
        finally:
            self._calls.pop(call.req, None)

    def piece(self, req: Any, data: bytes, end: bool, error: int) -> None:  # the io thread
        call = self._calls.get(req)
        if call is not None and call.input is not None:
            call.input.piece(data, end, error)

    def enter(self, req: Any) -> Any:  # the io thread, with the GIL
        return self.route.submit(req)

    def resume(self, req: Any, gone: bool) -> None:  # the io thread, with the GIL
        call = self._calls.get(req)
        if call is not None:
            call.resumed(gone)

    # Running's interface.
    def pending(self) -> int:
        return max(self.pool.pending(), len(self._calls))

    def cut(self) -> int:
        for call in list(self._calls.values()):
            call.resumed(True)  # a thread waiting for room goes on (and sends nothing more)
        return self.pool.cut()

    def stop(self, timeout: float = 1.0) -> None:
        self.pool.close()


def _no_schedule(coro: Any, req: Any) -> None:
    raise RuntimeError("a WSGI app returns an iterable, not an awaitable")


def serve(app: Any, host: str = "127.0.0.1", port: int = 0, threads: int = 1, *, pool: int = 16,
          root_path: str = "", server_name: str = "lapwise", **options: Any) -> Running:
    """Serves the WSGI app in the background; returns at once with the address. ``threads``:
    io threads; ``pool``: the threads that run the app."""
    if pool < 1:
        raise ValueError("pool must be at least 1")
    native = _native_status.module()
    server = native.Server({"host": host, "port": port, "threads": threads, "server_name": server_name,
                            "stream_body_over": STREAM_BODY_OVER, **options})
    bridge = _Bridge(app, pool, (host, port), root_path)
    try:
        running = start_native(server, bridge, _log_error, host, options.get("shutdown_timeout"), bridge.route)
    except BaseException:
        bridge.stop()
        raise
    bridge.server = (host, running.port)
    return running


def run(app: Any, host: str = "127.0.0.1", port: int = 8000, threads: int = 1, **options: Any) -> None:
    """Serves until SIGTERM/SIGINT, then drains and stops as ``lapwise.App.run`` does."""
    App.run(Served(serve, app), host, port, threads, **options)  # type: ignore[arg-type]

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
on the pool. Inline, the io thread calls a native ``WsgiInline`` (bind_wsgi.cc): the environ
built in one call (a copy of the bridge's template with the request's keys), a native
``start_response``, and an answer in one piece sent and its iterable closed with no Python frame
of the server's; whatever else the app does (raises, writes, streams, returns a file) continues
here (``_Bridge._rest``) with what was taken so far. Pool calls build the same environ natively.

``wsgi.input`` is the body: small ones arrive whole (a ``BytesIO``);
bodies over ``stream_body_over`` bytes (64 KiB by default), and chunked or
``Expect: 100-continue`` ones not wholly received, are read from the connection as the app
reads (``_wsgi_input.BodyInput``: ``read(n)``, ``readline``, iteration; at most ``body_window``
bytes ahead of the app; ``100 Continue`` at the first read). Either way it ends with ``b""``
after the last byte (``wsgi.input_terminated`` is True: a chunked body has no
``CONTENT_LENGTH`` and is still read to its end), and never passes ``max_body``. A body that
cannot be read on (the client left, a chunked body over ``max_body``) raises ``OSError``
from the read; the client gets the core's status if no response has begun. ``REMOTE_ADDR``,
``REMOTE_PORT``, ``SERVER_NAME`` and ``SERVER_PORT`` are the connection's addresses;
``PATH_INFO`` is the percent-decoded path's bytes as latin-1; a repeated header's values are
joined with ``,``.

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
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from . import _native_status
from ._app_pool import PENDING, HandlerPool, SyncRoute
from ._file_meta import file_span
from ._proxy_headers import take_options as proxy_options
from ._proxy_headers import wsgi_proxy_headers
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
    """One request whose app call is not (or no longer) wholly native: its environ, its native
    start_response (``start``: status, headers, what ``write()`` kept while inline), and the
    parts sent so far. ``inline``: the call runs on the io thread, which must never wait for
    itself: what ``write()`` gets is kept, and a response that needs streaming continues on the
    pool (``to_pool``)."""

    def __init__(self, req: Any, bridge: _Bridge, inline: bool, environ: dict[str, Any] | None = None,
                 start: Any = None) -> None:
        self.req = req
        self.bridge = bridge
        self.inline = inline
        self.gone = False
        self.written: list[bytes] = []  # write() before the streaming began
        self.gathering: list[bytes] | None = None  # parts held back while a whole answer is gathered
        self.handed_off = False  # the rest of an inline call went to the pool
        self.taken: threading.Event | None = None  # made by the first streamed part
        self.input: BodyInput | None = None
        self.start = start if start is not None else _native_status.module().WsgiStart()
        if not inline:
            self.start.sink = self._sink
        if environ is None:
            environ = _native_status.module().wsgi_environ(req, bridge.template, io.BytesIO)
            if req.body_streamed:
                self.input = environ["wsgi.input"] = BodyInput(req)
        self.environ = environ

    @property
    def headers(self) -> list[tuple[str, str]] | None:
        return self.start.headers

    def _sink(self, data: bytes) -> None:
        """``write()`` once the call is off the io thread."""
        if self.gathering is not None:
            self.gathering.append(data)
        else:
            self.part(data)

    def part(self, data: bytes) -> None:
        """Sends one part, and waits until the core took it (and the output has room)."""
        start = self.start
        if start.headers is None:
            raise RuntimeError("WSGI: body before start_response")
        if self.gone:
            return
        if self.taken is None:
            self.taken = threading.Event()
        self.taken.clear()
        if not start.started:
            start.started = True
            self.bridge.streaming(self.req)
            self.req._start(Response(start.code, _response_headers(start.headers), data))
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
        """Calls the app, then answers (``returned``)."""
        try:
            result = app(self.environ, self.start)
        except BaseException as exc:  # noqa: BLE001 - every outcome answers the request
            self._failed(exc)
            return
        self.returned(result)

    def returned(self, result: Iterable[bytes], pieces: list[bytes] | None = None,
                 rest: Iterator[bytes] | None = None) -> None:
        """Answers what the app returned: a response in one piece here, any other streams (on
        the pool: handed there when this call is inline). An iterable that is not a list or
        tuple is read up to its second item to tell (frameworks return generators over a
        one-item body); ``pieces`` and ``rest``: what was read of it already (two pieces, and
        the iterator that goes on)."""
        start = self.start
        try:
            if pieces is None:
                if isinstance(result, FileWrapper) and start.headers is not None and not start.started:
                    # The app's Content-Length bounds the file.
                    if (span := file_span(result.filelike, _content_length(start.headers))) is not None:
                        self.req._file(Response(start.code, _response_headers(start.headers), b""), *span, False)
                        self._close(result)
                        return
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
            kept = start.written or []
            if rest is None:
                if start.headers is None:
                    raise RuntimeError("WSGI: the app returned without calling start_response")
                pieces = kept + pieces
                body = pieces[0] if len(pieces) == 1 else b"".join(pieces)
                self.req._answer(start.code, start.headers, body)
                self._close(result)
                return
        except BaseException as exc:  # noqa: BLE001 - every outcome answers the request
            self._failed(exc)
            self._close(result)
            return
        start.written = None
        self.written += kept + pieces
        if self.inline:
            self.inline = False
            self.handed_off = True
            start.sink = self._sink
            self.bridge.to_pool(self, result, rest)
            return
        self.stream(result, rest)

    def stream(self, result: Iterable[bytes], rest: Iterator[bytes]) -> None:
        """Sends what was written and read so far, then the rest, each as one part; closes
        ``result``."""
        try:
            written, self.written = self.written, []
            length = _content_length(self.headers or [])
            if length is not None and length <= _GATHER_MAX and not self.start.started:
                if (body := self._gather(written, rest, length)) is not None:
                    self.req._answer(self.start.code, self.headers, body)
                    return
            else:
                for data in written:
                    self.part(data)
            for data in rest:
                self.part(data)
            if not self.start.started:
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
        if self.start.started:
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
        native = _native_status.module()
        self.app = app
        # What every environ starts from; the request's own keys are set over a copy of it. The
        # keys every request sets are here too (their values replaced), so that the copy's
        # table has room for them and a few headers without growing.
        self.template: dict[str, Any] = {
            "SCRIPT_NAME": root_path, "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
            "wsgi.input_terminated": True, "wsgi.multithread": True, "wsgi.multiprocess": False,
            "wsgi.run_once": False, "wsgi.file_wrapper": FileWrapper, "REQUEST_METHOD": "GET",
            "PATH_INFO": "/", "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "",
            "REMOTE_PORT": "", "wsgi.errors": None, "wsgi.input": None}
        self.server = server
        self.pool = HandlerPool(pool, _cut_response)
        # Once the app runs inline, the io thread calls this native callable itself: environ,
        # app, answer and close() with no Python frame of the server's (see bind_wsgi.cc); what
        # it does not answer comes back through _rest, and streamed bodies go to the pool.
        entry = native.WsgiInline(app, self.template, io.BytesIO, FileWrapper, PENDING,
                                  on_streamed=self._streamed, on_rest=self._rest,
                                  on_close_error=_close_failed)
        self.route = SyncRoute(self._on_pool, self.pool, _no_schedule, False, inline=entry, whole_app=True)
        self._calls: dict[Any, _Call] = {}  # single dict operations: atomic, no lock

    @property
    def server(self) -> tuple[str, int]:
        return self.template["SERVER_NAME"], int(self.template["SERVER_PORT"])

    @server.setter
    def server(self, address: tuple[str, int]) -> None:
        """The address environs name when the connection's own is unknown."""
        self.template["SERVER_NAME"], self.template["SERVER_PORT"] = address[0], str(address[1])

    def _streamed(self, req: Any) -> Any:  # the io thread: a body read as the app reads
        return self.route.submit(req)

    def _on_pool(self, req: Any) -> Any:
        try:
            call = _Call(req, self, False)
        except BaseException as exc:  # noqa: BLE001 - answered, never lost
            req._fail(exc)
            return PENDING
        self._calls[req] = call
        try:
            call.run(self.app)
        finally:
            if not call.handed_off:
                self._calls.pop(req, None)
        return PENDING

    def _rest(self, req: Any, environ: dict[str, Any], start: Any, result: Any, pieces: list[bytes] | None,
              rest: Iterator[bytes] | None, exc: BaseException | None) -> Any:  # the io thread
        """An inline call the native path did not answer: ``exc`` raised (by the app, or while
        reading ``result``), or ``result`` needs more than one piece, a file or what
        ``write()`` kept. Nothing reaches it while it runs: the io thread is running it."""
        call = _Call(req, self, True, environ, start)
        if exc is not None:
            call._failed(exc)
            call._close(result)
        else:
            call.returned(result, pieces, rest)
        return PENDING

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


def _close_failed(exc: BaseException) -> None:
    log.error("WSGI: the iterable's close() raised %s", type(exc).__name__, exc_info=exc)


def _no_schedule(coro: Any, req: Any) -> None:
    raise RuntimeError("a WSGI app returns an iterable, not an awaitable")


def serve(app: Any, host: str = "127.0.0.1", port: int = 0, threads: int = 1, *, pool: int = 16,
          root_path: str = "", server_name: str = "lapwise", **options: Any) -> Running:
    """Serves the WSGI app in the background; returns at once with the address. ``threads``:
    io threads; ``pool``: the threads that run the app."""
    if pool < 1:
        raise ValueError("pool must be at least 1")
    native = _native_status.module()
    if (trusted := proxy_options(options)) is not None:
        app = wsgi_proxy_headers(app, trusted)
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

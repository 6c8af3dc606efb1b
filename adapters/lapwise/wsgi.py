"""Serve a WSGI (PEP 3333) application on lapwise's native server.

    import lapwise.wsgi
    with lapwise.wsgi.serve(app, port=0, pool=16) as srv: ...
    lapwise.wsgi.run(app, port=8000)                      # until SIGTERM/SIGINT

Every request of every method on every path reaches the app, on a pool of ``pool`` threads
(requests wait for a free thread; how many can wait is bounded by the server's connection and
pipelining bounds). ``wsgi.input`` is the body: small ones arrive whole (a ``BytesIO``);
bodies over ``stream_body_over`` bytes (64 KiB by default), and chunked or
``Expect: 100-continue`` ones not wholly received, are read from the connection as the app
reads (``_wsgi_input.BodyInput``: ``read(n)``, ``readline``, iteration; at most ``body_window``
bytes ahead of the app; ``100 Continue`` at the first read). Either way it ends with ``b""``
after the last byte (``wsgi.input_terminated`` is True: a chunked body has no
``CONTENT_LENGTH`` and is still read to its end), and never passes ``max_body``. A body that
cannot be read on (the client left, a chunked body over ``max_body``) raises ``OSError``
from the read; the client gets the core's status if no response has begun. ``REMOTE_ADDR``,
``REMOTE_PORT``, ``SERVER_NAME`` and ``SERVER_PORT`` are the connection's addresses.

A response whose iterable is a list or tuple of at most one item, with nothing passed to
``write()``, leaves whole, and so does one whose parts add up to its declared Content-Length of
at most 256 KiB (gathered first, whatever its iterable); otherwise each piece is one part of a
streamed response (chunked), and the thread waits while the connection's unsent output is over
``max_output`` (back-pressure). The iterable's ``close()`` is always called. A
``wsgi.file_wrapper`` over an open regular file is sent by the server core with ``sendfile`` from
the file's current position to its end (or as far as the app's Content-Length says), never read
into memory; over any other file-like it is read in blocks of ``block_size`` and streamed.
``start_response(status, headers, exc_info)`` may replace the headers until the first part is
sent; after that it re-raises ``exc_info``.
"""

from __future__ import annotations

import io
import logging
import sys
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from . import _native_status
from ._app_pool import PENDING
from ._file_meta import file_span
from ._served import METHODS, STREAM_BODY_OVER, Served, start_native
from ._wsgi_input import BodyInput
from .app import App, Response, Running

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
# its iterable is not a list (Flask's never is): one hand-off to the io thread instead of one per
# part, and a length-delimited answer that keeps an HTTP/1.0 keep-alive connection open.
_GATHER_MAX = 256 << 10


class _Call:
    """One request: environ, start_response, write, and the parts sent so far."""

    def __init__(self, req: Any, server: tuple[str, int], root_path: str) -> None:
        self.req = req
        self.status = 0
        self.headers: list[tuple[str, str]] | None = None
        self.started = False  # the head left: headers can no longer change
        self.length: int | None = None  # the app's Content-Length (bounds a file_wrapper)
        self.gone = False
        self.taken = threading.Event()
        self.gathered: list[bytes] | None = None  # parts held back while a whole answer is gathered
        self.input: BodyInput | None = None
        self.environ = self._environ(server, root_path)

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
        self.length = next((int(v) for n, v in headers if n.lower() == "content-length"), None)
        self.headers = [(n, v) for n, v in headers if n.lower() not in _SERVER_OWN]
        if not any(n.lower() == "content-type" for n, _ in self.headers):
            self.headers.append(("Content-Type", ""))  # none, rather than the core's default
        return self.write

    def write(self, data: bytes) -> None:
        if self.gathered is not None:
            self.gathered.append(data)
            return
        self.part(data)

    def part(self, data: bytes) -> None:
        """Sends one part, and waits until the core took it (and the output has room)."""
        if self.headers is None:
            raise RuntimeError("WSGI: body before start_response")
        if self.gone:
            return
        self.taken.clear()
        if not self.started:
            self.started = True
            self.req._start(Response(self.status, self.headers, data))
        else:
            if not data:
                return
            self.req._part(data, False)
        self.taken.wait()

    def _gather(self, parts: Any) -> bytes | None:
        """The whole body if the parts add up to the declared Content-Length; otherwise (the app
        said another length) sends what was gathered as the first parts of a streamed answer and
        returns None (``parts`` goes on)."""
        pieces = self.gathered = []
        size = 0
        try:
            for data in parts:
                pieces.append(data)
                size += len(data)
                if size > (self.length or 0):
                    break
            else:
                if size == self.length:
                    return b"".join(pieces)
        finally:
            self.gathered = None
        for data in pieces:
            self.part(data)
        return None

    def resumed(self, gone: bool) -> None:
        self.gone = self.gone or gone
        self.taken.set()
        if gone and self.input is not None:
            self.input.piece(b"", True, 400)  # a read waiting for a piece ends

    def run(self, app: Any) -> None:
        result: Iterable[bytes] = ()
        try:
            result = app(self.environ, self.start_response)
            if isinstance(result, FileWrapper) and self.headers is not None and not self.started:
                if (span := file_span(result.filelike, self.length)) is not None:
                    self.req._file(Response(self.status, self.headers, b""), *span, False)
                    return
            if isinstance(result, (list, tuple)) and len(result) <= 1 and not self.started:
                if self.headers is None:
                    raise RuntimeError("WSGI: the app returned without calling start_response")
                body = result[0] if result else b""
                self.req._respond(Response(self.status, self.headers, b"" if self.req.method == "HEAD" else body))
                return
            parts = iter(result)
            if self.length is not None and self.length <= _GATHER_MAX and not self.started:
                if (body := self._gather(parts)) is not None:
                    self.req._respond(Response(self.status, self.headers, b"" if self.req.method == "HEAD" else body))
                    return
            for data in parts:
                self.part(data)
            if not self.started:
                self.part(b"")
            self.req._part(b"", True)
        except BaseException as exc:  # noqa: BLE001 - every outcome answers the request
            if self.started:
                log.error("%s: the WSGI app raised %s while streaming", self.environ["PATH_INFO"],
                          type(exc).__name__, exc_info=exc)
                self.req._part(b"", True)
            else:
                self.req._fail(exc)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # noqa: BLE001 - logged; the response is out already
                    log.exception("WSGI: the iterable's close() raised")


class _Bridge:
    """The thread pool, and the map from native requests to their calls while held."""

    def __init__(self, app: Any, pool: int, server: tuple[str, int], root_path: str) -> None:
        self.app = app
        self.server = server
        self.root_path = root_path
        self.pool = ThreadPoolExecutor(max_workers=pool, thread_name_prefix="lapwise-wsgi")
        self._calls: dict[Any, _Call] = {}
        self._lock = threading.Lock()

    def enter(self, req: Any) -> Any:  # the io thread, with the GIL
        self.pool.submit(self._run, req)
        return PENDING

    def _run(self, req: Any) -> None:
        try:
            call = _Call(req, self.server, self.root_path)
        except BaseException as exc:  # noqa: BLE001 - answered, never lost
            req._fail(exc)
            return
        with self._lock:
            self._calls[req] = call
        try:
            call.run(self.app)
        finally:
            with self._lock:
                self._calls.pop(req, None)

    def resume(self, req: Any, gone: bool) -> None:  # the io thread, with the GIL
        with self._lock:
            call = self._calls.get(req)
        if call is not None:
            call.resumed(gone)

    def piece(self, req: Any, data: bytes, end: bool, error: int) -> None:  # the io thread
        with self._lock:
            call = self._calls.get(req)
        if call is not None and call.input is not None:
            call.input.piece(data, end, error)

    # Running's interface.
    def pending(self) -> int:
        with self._lock:
            return len(self._calls)

    def cut(self) -> int:
        with self._lock:
            calls = list(self._calls.values())
        for call in calls:
            call.resumed(True)  # a thread waiting for room goes on (and sends nothing more)
        return 0

    def stop(self, timeout: float = 1.0) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


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
        running = start_native(server, bridge, _log_error, host, options.get("shutdown_timeout"))
    except BaseException:
        bridge.stop()
        raise
    bridge.server = (host, running.port)
    return running


def run(app: Any, host: str = "127.0.0.1", port: int = 8000, threads: int = 1, **options: Any) -> None:
    """Serves until SIGTERM/SIGINT, then drains and stops as ``lapwise.App.run`` does."""
    App.run(Served(serve, app), host, port, threads, **options)  # type: ignore[arg-type]

"""lapwise.App: a small web API over the native server core (cores/server).

    app = App()

    @app.get("/users/{id:int}")
    def user(req):
        return {"id": req.params["id"], "q": req.query.get("q")}

    app.const("/plaintext", "Hello, World!")      # pre-rendered, answered in C++ only
    app.run("127.0.0.1", 8000, threads=1)         # blocks; SIGTERM/SIGINT stop it gracefully

    with app.serve(port=0) as srv:                # tests: a free port, stopped on exit
        urllib.request.urlopen(srv.url + "/users/1")

Handlers take one request (``method``, ``path``, ``params``, ``query``, ``query_string``,
``headers``, ``body``, ``json()``) and return a dict or list (JSON), a str (text/plain), bytes
(application/octet-stream) or a ``Response``. ``async def`` handlers run on one asyncio loop
thread. The native io threads call handlers in batches, taking the GIL once per batch. A
handler that raises gets a 500 and its traceback is logged on the ``lapwise.app`` logger.
Request attributes are valid while the handler runs (read them before returning).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import _native_status
from ._app_async import LazyLoop
from ._app_routes import int_mask, json_functions, render_body

log = logging.getLogger("lapwise.app")

Handler = Callable[[Any], Any]


class Response:
    """A response with its own status and headers; ``body`` is what a handler may return
    (dict/list -> JSON, str, bytes, None). A Content-Type header overrides the body's."""

    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int = 200, headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
                 body: Any = b"") -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def __repr__(self) -> str:
        return f"Response({self.status!r}, {self.headers!r}, {self.body!r})"


def _log_error(exc: BaseException, where: str, method: str | None, path: str | None) -> None:
    log.error("%s %s: %s raised %s", method, path, where, type(exc).__name__, exc_info=exc)


@dataclass
class _Route:
    methods: tuple[str, ...]
    pattern: str
    handler: Handler


@dataclass
class _Const:
    method: str
    pattern: str
    status: int
    content_type: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class Running:
    """A started server: its address, and ``stop()`` (graceful; also on leaving ``with``)."""

    host: str
    port: int
    _native: Any = field(repr=False)
    _loop: LazyLoop | None = field(repr=False, default=None)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self, timeout: float | None = None) -> bool:
        """Stops accepting, finishes the requests received, joins the io threads. False when
        ``timeout`` seconds passed first (the server keeps draining)."""
        self._native.stop()
        done = self._native.wait(-1.0 if timeout is None else timeout)
        if done and self._loop is not None:
            self._loop.stop()
        return bool(done)

    def wait(self, timeout: float | None = None) -> bool:
        return bool(self._native.wait(-1.0 if timeout is None else timeout))

    def __enter__(self) -> Running:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class App:
    """Routes (decorators and const routes) plus ``run``/``serve``. See the module doc."""

    def __init__(self, server_name: str = "lapwise") -> None:
        self.server_name = server_name
        self._routes: list[_Route] = []
        self._consts: list[_Const] = []

    # ------------------------------------------------------------------------ registration
    def route(self, pattern: str, methods: Iterable[str] = ("GET",)) -> Callable[[Handler], Handler]:
        """Registers the decorated function for ``methods`` on ``pattern`` (router syntax:
        ``{name}``, ``{name:int}`` -> int, ``{name:path}``). Conflicts raise ValueError when
        the server starts."""
        verbs = tuple(m.upper() for m in methods)

        def decorate(fn: Handler) -> Handler:
            if not callable(fn):
                raise TypeError(f"{fn!r} is not callable")
            self._routes.append(_Route(verbs, pattern, fn))
            return fn

        return decorate

    def get(self, pattern: str) -> Callable[[Handler], Handler]:
        return self.route(pattern, ("GET",))

    def post(self, pattern: str) -> Callable[[Handler], Handler]:
        return self.route(pattern, ("POST",))

    def put(self, pattern: str) -> Callable[[Handler], Handler]:
        return self.route(pattern, ("PUT",))

    def patch(self, pattern: str) -> Callable[[Handler], Handler]:
        return self.route(pattern, ("PATCH",))

    def delete(self, pattern: str) -> Callable[[Handler], Handler]:
        return self.route(pattern, ("DELETE",))

    def const(self, pattern: str, body: Any, *, content_type: str | None = None, status: int = 200,
              headers: Mapping[str, str] | None = None, method: str = "GET") -> None:
        """A pre-rendered route: ``body`` (dict/list -> JSON once, str, bytes) is rendered now
        and answered by the native io threads without entering Python."""
        data, ctype = render_body(body, content_type)
        self._consts.append(_Const(method.upper(), pattern, status, ctype,
                                   list((headers or {}).items()), data))

    # ------------------------------------------------------------------------------ serving
    def serve(self, host: str = "127.0.0.1", port: int = 0, threads: int = 1, **options: Any) -> Running:
        """Starts serving in the background and returns at once (port 0: a free port). Use as
        ``with app.serve() as srv:``. ``options``: header_timeout, idle_timeout,
        shutdown_timeout (seconds), max_connections, max_pipelined, max_body,
        max_header_bytes, max_request_line, io ('epoll', 'asio' or 'auto': the transport;
        auto follows $LAPWISE_SERVER_IO, else epoll)."""
        native = _native_status.module()
        server = native.Server({"host": host, "port": port, "threads": threads,
                                "server_name": self.server_name, **options})
        for c in self._consts:
            server.add_const(c.method, c.pattern, c.status, c.content_type, c.headers, c.body)
        for r in self._routes:
            for m in r.methods:
                server.add_route(m, r.pattern, r.handler, int_mask(r.pattern))
        loop = LazyLoop()
        dumps, loads = json_functions()
        server.set_hooks(dumps, loads, Response, loop.schedule, _log_error)
        bound = server.start()
        return Running(host, bound, server, loop)

    def run(self, host: str = "127.0.0.1", port: int = 8000, threads: int = 1, **options: Any) -> None:
        """Serves until SIGTERM/SIGINT (or another thread's stop), then stops gracefully."""
        running = self.serve(host, port, threads, **options)
        log.info("lapwise serving on %s (%d io thread%s)", running.url, threads, "s" * (threads > 1))
        previous: dict[int, Any] = {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                previous[sig] = signal.signal(sig, lambda *_: running._native.stop())
        try:
            while not running.wait(0.2):  # short waits: Python runs signal handlers in between
                pass
        finally:
            running.stop()
            for signum, handler in previous.items():
                signal.signal(signum, handler)

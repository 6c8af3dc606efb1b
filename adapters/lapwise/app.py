"""lapwise.App: a small web API over the native server core (cores/server).

    app = App()

    @app.get("/users/{id:int}")
    def user(req):
        return {"id": req.params["id"], "q": req.query.get("q")}

    app.const("/plaintext", "Hello, World!")      # pre-rendered, answered in C++ only
    app.run("127.0.0.1", 8000, threads=1)         # blocks; SIGTERM/SIGINT stop it gracefully

    with app.serve(port=0) as srv:                # tests: a free port, stopped on exit
        urllib.request.urlopen(srv.url + "/users/1")

Handlers take one request (``method``, ``path``, ``params``, ``query``, ``query_params``,
``query_string``, ``headers``, ``body``, ``json()``, ``cookies``, ``form()``, ``stream()``,
``read()``, ``url`` and its parts: ``_app_request``; a route with ``stream=True`` reads a large body as it arrives:
``_app_body``) and return a dict or list (JSON), a str (text/plain), bytes
(application/octet-stream), a ``Response`` (or Flask's ``(body, status)``, ``(body,
headers)``, ``(body, status, headers)``), or a generator, async generator or
``StreamingResponse`` (streamed: ``_app_stream``; Server-Sent Events: ``_app_sse``), or
what ``redirect`` (``_app_redirect``) or ``send_file`` (``_app_send_file``) makes.
``app.url_for(name, **params)`` builds a named route's path. A handler that raises gets a 500
and its traceback is logged on the ``lapwise.app`` logger, except for ``req.json()`` on a malformed
body: it raises ``JSONBodyError`` (a ``ValueError``), which, uncaught, answers 400 with what is
wrong and where (``{"error", "detail", "position", "line", "column"}``, the true position).
Request attributes are valid while the handler runs (read them before returning). A handler
may raise ``HTTPError(status, detail)`` to answer that status; ``@app.errorhandler(404)`` or
``@app.errorhandler(ValueError)`` registers a function that answers errors by status or by
exception class (``lapwise._app_errors`` has the order).

Every pattern answers OPTIONS by itself (204 with ``Allow`` listing its methods, pre-rendered),
unless the app registers OPTIONS for it; a method the pattern lacks gets 405 with that list.
HEAD on a pattern without a HEAD route is answered by its GET route (the handler sees
``req.method == "HEAD"``): the server core sends the GET's head, Content-Length included, and
no body.

Where handlers run:

- Const routes are answered by the native io threads without entering Python.
- ``def`` handlers run off the io threads unless proven cheap: a route starts on a bounded
  pool of handler threads (``handler_threads``, default 32) and each response is written as
  soon as its handler returns. A route whose handler proved cheap (16 pool calls in a row under
  1 ms) then runs inline on the io thread, in the batch of ready requests, which saves the
  thread hop (more than the whole cost of a cheap handler); an inline call over 10 ms sends the
  route back to the pool (after a probe on the pool confirms it), and once a batch has run
  10 ms at over 0.1 ms a call the rest of it goes to the pool. So a cheap handler that later
  blocks stalls its io thread for that call; ``blocking=True`` on a route that may block keeps
  it on the pool always. See ``_app_pool``.
- ``async def`` handlers run on one asyncio loop thread (uvloop's loop when installed). An
  App with ``async def`` parts (a route, hook or middleware; WebSocket routes are) that serves
  with one thread on the epoll transport has that loop run the server itself, with no io thread
  (``_loop_driver``): a handler's coroutine becomes a task where the server called it, and its
  answer is written on the same thread, without a thread switch or a GIL hand-off. The ``def``
  routes of such an App run inline on the loop's thread (where the io thread would run them:
  the same pool-or-inline policy, and an inline call sees no running asyncio loop, as on an io
  thread). ``loop_drives=False`` (or ``$LAPWISE_LOOP_DRIVES=0``) keeps an io thread handing
  requests to the loop, as more threads and Asio always do. An App with only ``def`` parts
  runs no loop.

Shutdown (``Running.stop()``, or SIGINT/SIGTERM under ``run``) is bounded by
``shutdown_timeout`` (default 10 s): the server stops accepting and answers what it has
received; handlers still running after ``shutdown_timeout`` are cut (their requests answered
503, asyncio tasks cancelled, sync handlers abandoned on their daemon threads), the loop is
stopped and a summary (how many requests were cut) is logged on ``lapwise.app``. Under
``run``, a second SIGINT/SIGTERM cuts everything at once and exits the process.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import _native_status
from ._app_async import LazyLoop
from ._app_body import BODIES, STREAM_OVER, whole_first
from ._app_bridge import Bridge
from ._app_hooks import Hook, is_async_callable
from ._app_middleware import Chain, Middleware, build_chain, check_middleware
from ._app_errors import ErrorHandler, ErrorHandlers, HTTPError, error_hook
from ._app_pool import (BATCH_BUDGET_S, DEFAULT_THREADS, INLINE_BUDGET_S, PENDING, SPILL_MEAN_S, HandlerPool,
                        SyncRoute)
from ._app_request import extend as extend_request
from ._app_response import Response
from ._app_route_methods import RouteMethods
from ._app_stream import StreamingResponse, Streams
from ._app_unmatched import unmatched_handler, wants_unmatched
from ._app_routes import JSONBodyError, RouteNames, body_loads, int_mask, json_functions, render_body
from ._app_static import StaticFiles, file_sender
from ._app_websocket import WebSocketHandler, install as install_websocket, take_options as websocket_options
from ._app_websocket import websocket_entry
from ._loop_driver import loop_drives

log = logging.getLogger("lapwise.app")

Handler = Callable[[Any], Any]
# Wraps a route's whole chain, outermost (``_app_cors``): (chain, is_async, error hook) -> chain.
Wrapper = Callable[[Handler, bool, Callable[..., Any]], Handler]


def _cut_response() -> Response:
    """The answer of a request cut by a shutdown (its client has usually gone already)."""
    return Response(503, {"Retry-After": "1"}, "Service Unavailable: the server is stopping")


def _bad_body(exc: JSONBodyError) -> Response:
    """The 400 for a malformed JSON body read through ``req.json()``: what is wrong, and where."""
    return Response(400, None, {"error": "malformed JSON body", "detail": exc.msg, "position": exc.pos,
                                "line": exc.lineno, "column": exc.colno})


def _default_error(exc: BaseException) -> Response | None:
    """The answer to an error no error handler took (see ``_app_errors``); None: a 500."""
    if isinstance(exc, JSONBodyError):  # the client's fault: no traceback
        return _bad_body(exc)
    if isinstance(exc, HTTPError):
        return Response(exc.status, exc.headers, exc.detail or HTTPStatus(exc.status).phrase)
    return None


@dataclass
class _Route:
    methods: tuple[str, ...]
    pattern: str
    handler: Handler
    blocking: bool = False
    websocket: bool = False  # middleware leaves these alone: there is no answer to wrap
    stream: bool = False  # the handler reads the body as it comes (``_app_body``)
    max_body: int | None = None  # this route's body limit (bytes) instead of the server's


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
    """A started server: its address, and ``stop()`` (graceful and bounded; also on leaving
    ``with``)."""

    host: str
    port: int
    _native: Any = field(repr=False)
    _loop: LazyLoop | None = field(repr=False, default=None)
    _pool: HandlerPool | None = field(repr=False, default=None)
    shutdown_timeout: float = 10.0
    _stopped: bool = field(repr=False, default=False)
    _ended: bool = field(repr=False, default=True)  # the io threads ended when stopped
    _on_stop: list[Callable[[], Any]] = field(repr=False, default_factory=list)  # shutdown hooks
    _streams: Streams | None = field(repr=False, default=None)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self, timeout: float | None = None) -> bool:
        """Stops accepting, answers every request received, and joins the io threads. Handlers
        still running after ``timeout`` seconds (default ``shutdown_timeout``) are cut: their
        requests are answered 503, asyncio tasks cancelled, sync handlers abandoned. Logs a
        summary; True when nothing was cut and the io threads ended. Idempotent."""
        grace = self.shutdown_timeout if timeout is None else timeout
        self._native.stop()
        return self._finish(time.monotonic() + grace)

    def wait(self, timeout: float | None = None) -> bool:
        return bool(self._native.wait(-1.0 if timeout is None else timeout))

    def _pending(self) -> tuple[int, int]:
        return (self._loop.pending() if self._loop else 0, self._pool.pending() if self._pool else 0)

    def _cut(self) -> tuple[int, int]:
        """Answers (503) every request a handler still holds; (async, sync) counts. Streams
        are ended first (a 503 cannot follow a head already sent)."""
        if self._streams is not None:
            self._streams.cut()
        return (self._loop.cut() if self._loop else 0, self._pool.cut() if self._pool else 0)

    def _finish(self, deadline: float) -> bool:
        """After native stop(): waits for the drain until ``deadline`` (in short waits, so that
        Python runs signal handlers in between), cuts what is left, stops the loop."""
        if self._stopped:
            return True
        started = time.monotonic()
        # Streams are ended a little before the core's own drain deadline closes their sockets,
        # so that their last chunk reaches the client instead of racing the forced close.
        core_deadline = min(deadline, started + self.shutdown_timeout)
        streams_at = core_deadline - min(0.2, self.shutdown_timeout / 10)
        streams_ended = self._streams is None
        done = False
        while True:
            if not streams_ended and time.monotonic() >= streams_at:
                self._streams.cut(max(0.0, deadline - time.monotonic()))  # type: ignore[union-attr]
                streams_ended = True
            until = deadline if streams_ended else min(deadline, streams_at)
            done = self.wait(min(0.1, max(0.0, until - time.monotonic())))
            if done or time.monotonic() >= deadline:
                break
        cut_async, cut_sync = self._cut()
        if not done:
            # The answers just posted let the io threads close what they held; bounded anyway.
            done = self.wait(1.0)
        self._stopped = True
        if self._loop is not None:
            self._loop.stop(0.5)
        if self._pool is not None:
            self._pool.close()
        took = time.monotonic() - started
        if cut_async or cut_sync:
            log.warning("lapwise stopped in %.1f s: %d request%s cut after the shutdown timeout "
                        "(%d async handler%s cancelled, %d sync handler%s abandoned)", took,
                        cut_async + cut_sync, "s" * (cut_async + cut_sync != 1), cut_async,
                        "s" * (cut_async != 1), cut_sync, "s" * (cut_sync != 1))
        else:
            log.info("lapwise stopped in %.1f s: every request answered", took)
        if not done:
            log.error("lapwise: the io threads did not end after the shutdown timeout")
        self._ended = done
        for hook in self._on_stop:
            try:
                hook()
            except Exception:  # noqa: BLE001 - one failing hook must not skip the others
                log.exception("lapwise: shutdown hook %r raised", hook)
        return done and not (cut_async or cut_sync)

    def _abort(self, signum: int) -> None:
        """A second signal: cut everything now and exit the process at once."""
        cut_async, cut_sync = self._cut()
        log.warning("lapwise: second %s, exiting now: %d request%s cut (%d async, %d sync)",
                    signal.Signals(signum).name, cut_async + cut_sync,
                    "s" * (cut_async + cut_sync != 1), cut_async, cut_sync)
        logging.shutdown()  # flush what was logged: os._exit skips every exit handler
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(128 + signum)

    def __enter__(self) -> Running:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class App(RouteMethods):
    """Routes (decorators, ``get``/``post``/... from ``RouteMethods``, and const routes) plus
    ``run``/``serve``. See the module doc."""

    def __init__(self, server_name: str = "lapwise") -> None:
        self.server_name = server_name
        self._routes: list[_Route] = []
        self._consts: list[_Const] = []
        self._errors = ErrorHandlers()
        self._before: list[Hook] = []
        self._after: list[Hook] = []
        self._middleware: list[Middleware] = []
        self._startup: list[Callable[[], Any]] = []
        self._shutdown: list[Callable[[], Any]] = []
        self._statics: list[StaticFiles] = []
        self._websockets = False
        self._names = RouteNames()
        self._wrappers: list[Wrapper] = []

    # ------------------------------------------------------------------------ registration
    def route(self, pattern: str, methods: Iterable[str] = ("GET",), *, blocking: bool = False,
              stream: bool = False, name: str | None = None,
              max_body: int | None = None) -> Callable[[Handler], Handler]:
        """Registers the decorated function for ``methods`` on ``pattern`` (router syntax:
        ``{name}``, ``{name:int}`` -> int, ``{name:path}``). Conflicts raise ValueError when
        the server starts. ``blocking=True``: a ``def`` handler that always runs on the
        handler pool, never inline on an io thread (see the module doc). ``stream=True``: the
        handler reads a large body as it arrives, ``req.stream()`` (``lapwise._app_body``).
        ``name``: what ``url_for`` knows the route by (default: the function's ``__name__``).
        ``max_body`` (bytes): this route's body limit instead of ``serve(max_body=)``'s, larger
        or smaller, as Flask's ``max_content_length``: a body over it (a Content-Length, or a
        chunked body as it crosses it) is answered 413 by the server core before the handler
        runs (a ``stream=True`` handler reading it gets ``BodyError`` 413)."""
        upper = tuple(m.upper() for m in methods)
        if max_body is not None and (isinstance(max_body, bool) or not isinstance(max_body, int) or max_body <= 0):
            raise ValueError(f"max_body is a positive number of bytes, not {max_body!r}")

        def decorate(fn: Handler) -> Handler:
            if not callable(fn):
                raise TypeError(f"{fn!r} is not callable")
            self._routes.append(_Route(upper, pattern, fn, blocking, stream=stream, max_body=max_body))
            self._names.add(name or str(getattr(fn, "__name__", fn)), pattern)
            return fn

        return decorate

    def websocket(self, pattern: str, *, name: str | None = None) -> Callable[[WebSocketHandler], WebSocketHandler]:
        """Registers the decorated ``async def handler(ws)`` for WebSocket connections on
        ``pattern`` (see ``lapwise._app_websocket``)."""
        def decorate(fn: WebSocketHandler) -> WebSocketHandler:
            self._routes.append(_Route(("GET",), pattern, websocket_entry(fn, log, Response), websocket=True))
            self._names.add(name or str(getattr(fn, "__name__", fn)), pattern)
            self._websockets = True
            return fn

        return decorate

    def url_for(self, name: str, /, **params: Any) -> str:
        """The path of the route named ``name`` (``route(name=)``, default the handler's
        ``__name__``) with its parameters filled in, percent-encoded; the other ``params``
        become the query string (``url_for("user", id=7, tab="posts")`` ->
        ``/users/7?tab=posts``). LookupError for an unknown or ambiguous name, KeyError for
        a missing parameter, TypeError for a non-int ``{x:int}``."""
        return self._names.url(name, params)

    def before_request(self, fn: Hook) -> Hook:
        """Runs ``fn(req)`` before every handler; a result other than None is the answer
        (the handler is not called). See ``lapwise._app_hooks``."""
        self._before.append(fn)
        return fn

    def after_request(self, fn: Hook) -> Hook:
        """Runs ``fn(req, result)`` after every handler; what it returns is sent."""
        self._after.append(fn)
        return fn

    def middleware(self, fn: Middleware) -> Middleware:
        """Wraps every handler route in ``fn(req, call_next)``, the first registered outermost,
        outside the before/after hooks. See ``lapwise._app_middleware``."""
        check_middleware(fn)
        self._middleware.append(fn)
        return fn

    def on_startup(self, fn: Callable[[], Any]) -> Callable[[], Any]:
        """Runs ``fn()`` in ``serve``/``run`` before the server listens (an exception stops the
        start)."""
        self._startup.append(fn)
        return fn

    def on_shutdown(self, fn: Callable[[], Any]) -> Callable[[], Any]:
        """Runs ``fn()`` once the server has stopped (after the drain); exceptions are logged."""
        self._shutdown.append(fn)
        return fn

    def errorhandler(self, key: int | type[BaseException]) -> Callable[[ErrorHandler], ErrorHandler]:
        """Registers the decorated function (``def handler(exc)``, returning what a route may
        return) for an exception class (and its subclasses) or a status (400..599: an
        ``HTTPError`` of it, 400 for a malformed JSON body, 500 for any other exception). See
        ``lapwise._app_errors`` for the order."""
        ErrorHandlers.check(key)

        def decorate(fn: ErrorHandler) -> ErrorHandler:
            self._errors.add(key, fn)
            return fn

        return decorate

    def static(self, prefix: str, directory: str | os.PathLike[str], *,
               cache_control: str | None = None) -> None:
        """Serves the files under ``directory`` at ``prefix`` + ``/<path>`` with sendfile:
        safe paths (404 otherwise), ETag and Last-Modified, 304, single ranges (206/416),
        HEAD; through the hooks, middleware and error handlers. See ``lapwise._app_static``."""
        self._statics.append(StaticFiles(prefix, directory, cache_control=cache_control))

    def const(self, pattern: str, body: Any, *, content_type: str | None = None, status: int = 200,
              headers: Mapping[str, str] | None = None, method: str = "GET") -> None:
        """A pre-rendered route: ``body`` (dict/list -> JSON once, str, bytes) is rendered now
        and answered by the native io threads without entering Python."""
        data, ctype = render_body(body, content_type)
        self._consts.append(_Const(method.upper(), pattern, status, ctype,
                                   list((headers or {}).items()), data))

    def register_blueprint(self, blueprint: Any, url_prefix: str | None = None) -> None:
        """Adds a ``lapwise.Blueprint``'s routes under ``url_prefix`` (default: the
        blueprint's own), named ``"<blueprint>.<name>"`` (``lapwise._app_blueprint``)."""
        blueprint.register(self, url_prefix)

    def test_client(self, **options: Any) -> Any:
        """A ``lapwise.testing.TestClient`` of this app (Flask's name for it); ``options`` are
        the client's (``raise_server_exceptions``, ``follow_redirects``, ...) and
        ``App.serve``'s."""
        from .testing import TestClient  # loaded by the tests that use it only

        return TestClient(self, **options)

    # ------------------------------------------------------------------------------ serving
    def serve(self, host: str = "127.0.0.1", port: int = 0, threads: int = 1, *,
              handler_threads: int = DEFAULT_THREADS, **options: Any) -> Running:
        """Starts serving in the background and returns at once (port 0: a free port). Use as
        ``with app.serve() as srv:``. ``threads``: io threads; ``handler_threads``: the pool
        that runs ``def`` handlers (see the module doc). ``options``: header_timeout,
        body_timeout, idle_timeout, send_timeout, shutdown_timeout (seconds), max_connections,
        max_pipelined, max_body, max_header_bytes, max_request_line, max_output, max_memory
        (bytes; cores/server/README.md), io ('epoll', 'asio' or 'auto': the transport;
        auto follows $LAPWISE_SERVER_IO, else epoll), access_log (a file appended to, or "-" for
        standard error: one Combined Log Format line per request, written by the core),
        loop_drives (default True: an App with
        ``async def`` parts serving with one thread on epoll has its asyncio loop run the
        server; False keeps an io thread; see the module doc)."""
        native = _native_status.module()
        for start_hook in self._startup:  # before any thread or socket exists
            start_hook()
        extend_request(native.ServerRequest)
        # stream_body_over given: every route streams; else only stream=True ones (_app_body).
        every_route_streams = options.get("stream_body_over") is not None
        if any(r.stream for r in self._routes) and not every_route_streams:
            options["stream_body_over"] = STREAM_OVER
        ws_options = websocket_options(options)
        # With async def parts, one thread on epoll: the asyncio loop runs the server (no io thread).
        external = loop_drives(threads, options) and self._has_async_parts()
        server = native.Server({"host": host, "port": port, "threads": threads,
                                "server_name": self.server_name, "external_loop": external, **options})
        if self._websockets:
            install_websocket(server, ws_options)
        for c in self._consts:
            server.add_const(c.method, c.pattern, c.status, c.content_type, c.headers, c.body)
        loop = LazyLoop(_cut_response)
        # A loop that drives the server runs from the start: its own schedule saves a call a request.
        schedule = loop.started().schedule if external else loop.schedule
        pool = HandlerPool(handler_threads, _cut_response)
        sync_routes: dict[int, SyncRoute] = {}
        streamed = options.get("stream_body_over") is not None  # see _app_body
        bridge = Bridge(pool.submit, loop.start)
        on_error = error_hook(self._errors, Response, _default_error)

        def wrapped(call: Handler, is_async: bool) -> Handler:
            for wrap in self._wrappers:
                call = wrap(call, is_async, on_error)
            return call

        def add(methods: tuple[str, ...], pattern: str, handler: Handler, is_async: bool, blocking: bool,
                max_body: int | None = None) -> None:
            sync = None if is_async else SyncRoute(handler, pool, schedule, blocking, streamed)
            for m in methods:
                route_id = server.add_route(m, pattern, sync.submit if sync else handler,
                                            int_mask(pattern), sync.submit if sync else None, max_body)
                if sync is not None:
                    sync.ids.append(route_id)
                    sync_routes[route_id] = sync

        for r in self._routes:
            chain = self._chain(r, bridge)
            handler = chain.call if r.websocket else wrapped(chain.call, chain.is_async)
            if streamed and not every_route_streams and chain.is_async and not r.stream and not r.websocket:
                handler = whole_first(handler)  # as if nothing streamed: see _app_body
            add(r.methods, r.pattern, handler, chain.is_async, r.blocking or chain.pool_only, r.max_body)
        for mount in self._statics:
            if self._before or self._after or self._middleware or self._wrappers:  # a def route like any other
                chain = build_chain(mount.respond, False, self._before, self._after, self._middleware, bridge)
                add(("GET",), mount.pattern, file_sender(wrapped(chain.call, chain.is_async), chain.is_async),
                    chain.is_async, chain.pool_only)
            else:
                server.add_route("GET", mount.pattern, mount.handle, 0, None)
        if wants_unmatched(self._errors) or self._wrappers:
            unmatched = wrapped(unmatched_handler(self._method_patterns()), False)
            sync = SyncRoute(unmatched, pool, schedule, False)
            sync.ids.append(server.set_unmatched(sync.submit))
            sync_routes[sync.ids[0]] = sync
        for sync in set(sync_routes.values()):
            sync.start(server.set_handler)
        streams = Streams(pool.submit, schedule)
        server.set_stream(streams.start, StreamingResponse)
        server.set_resume(streams.resume)
        server.set_piece(BODIES.piece, BODIES.whole)
        # Last: a 405's Allow lists methods in the order they were added.
        for pattern, allow in self._options_allow().items():
            server.add_const("OPTIONS", pattern, 204, "", [("Allow", allow)], b"")

        def on_slow(route_id: int, seconds: float, calls: int) -> None:
            if (sync := sync_routes.get(route_id)) is not None:
                sync.slow(seconds, calls)

        dumps, loads = json_functions()
        server.set_hooks(dumps, body_loads(loads), Response, schedule,
                         on_error)
        server.set_dispatch(PENDING, on_slow, INLINE_BUDGET_S, BATCH_BUDGET_S, SPILL_MEAN_S)
        try:
            bound = server.start()
        except BaseException:
            loop.stop()
            raise
        if external:
            loop.drive(server)
        shutdown = options.get("shutdown_timeout")
        return Running(host, bound, server, loop, pool,
                       10.0 if shutdown is None else float(shutdown), _on_stop=list(self._shutdown),
                       _streams=streams)

    def _has_async_parts(self) -> bool:
        """Whether some route, hook or middleware is ``async def`` (WebSocket routes are): the
        App then serves on an asyncio loop from the start."""
        return self._websockets or any(_is_async(r.handler) for r in self._routes) or \
            any(_is_async(fn) for fn in (*self._before, *self._after, *self._middleware))

    def _chain(self, r: _Route, bridge: Bridge | None = None) -> Chain:
        """The route's handler inside the middleware and hooks (the handler itself when there
        are none); ``bridge`` joins parts of different kinds (``_app_middleware``)."""
        is_async = _is_async(r.handler)
        return build_chain(r.handler, is_async, self._before, self._after,
                           [] if r.websocket else self._middleware, bridge, r.blocking)

    def _method_patterns(self) -> list[tuple[str, str]]:
        """Every (method, pattern) the server gets, in the order it gets them."""
        pairs = [(c.method, c.pattern) for c in self._consts] + \
            [(m, r.pattern) for r in self._routes for m in r.methods]
        return pairs + [("OPTIONS", p) for p in self._options_allow()]

    def _options_allow(self) -> dict[str, str]:
        """Each pattern without an OPTIONS route of its own, and its Allow value: answered 204
        by a const route (no Python), as RFC 9110 section 9.3.7 describes."""
        methods: dict[str, list[str]] = {}
        for pattern, method in [(c.pattern, c.method) for c in self._consts] + \
                [(r.pattern, m) for r in self._routes for m in r.methods]:
            known = methods.setdefault(pattern, [])
            if method not in known:
                known.append(method)
        for known in methods.values():  # the server core answers HEAD from GET (no body)
            if "GET" in known and "HEAD" not in known:
                known.insert(known.index("GET") + 1, "HEAD")
        return {p: ", ".join(m + ["OPTIONS"]) for p, m in methods.items() if "OPTIONS" not in m}

    def run(self, host: str = "127.0.0.1", port: int = 8000, threads: int = 1, **options: Any) -> None:
        """Serves until SIGTERM/SIGINT (or another thread's stop), then stops as
        ``Running.stop()`` does (bounded by shutdown_timeout, summary logged). A second
        SIGTERM/SIGINT while stopping cuts every pending request, logs it and exits the
        process at once (``os._exit(128 + signal)``); so does a stop whose io threads did not
        end within a second of the cut (``os._exit(1)``, logged)."""
        running = self.serve(host, port, threads, **options)
        previous: dict[int, Any] = {}
        stopping: list[float] = []  # when the first signal came

        def on_signal(signum: int, frame: Any) -> None:  # noqa: ARG001
            if stopping:
                running._abort(signum)
            stopping.append(time.monotonic())
            async_n, sync_n = running._pending()
            log.info("lapwise: %s, stopping (%d handler%s running; at most %.1f s)",
                     signal.Signals(signum).name, async_n + sync_n,
                     "s" * (async_n + sync_n != 1), running.shutdown_timeout)
            running._native.stop()

        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                previous[sig] = signal.signal(sig, on_signal)
        # Logged once the handlers are in place: whoever waits for this line may signal at once.
        log.info("lapwise serving on %s (%d io thread%s)", running.url, threads, "s" * (threads > 1))
        try:
            while not stopping and not running.wait(0.2):  # Python runs signal handlers between
                pass
        finally:
            try:
                begun = stopping[0] if stopping else time.monotonic()
                running._native.stop()
                running._finish(begun + running.shutdown_timeout)
            finally:
                for signum, handler in previous.items():
                    signal.signal(signum, handler)
            if not running._ended:
                # Returning would block the process's exit on the native server's destructor,
                # which joins io threads that did not end: the process must end all the same.
                logging.shutdown()
                os._exit(1)


def _is_async(fn: Any) -> bool:
    """An ``async def`` function (or an object whose ``__call__`` is one): its coroutine goes to
    the loop thread straight from the io thread, so it needs no pool."""
    return is_async_callable(fn)

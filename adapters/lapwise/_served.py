"""What the ASGI and WSGI servers share: every method and path routed to one entry, the native
server started with their hooks, and what ``App.run`` needs (a ``serve`` with App's
signature, so that both run with App's signal handling and bounded stop)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._app_pool import BATCH_BUDGET_S, INLINE_BUDGET_S, PENDING, SPILL_MEAN_S, SyncRoute
from ._app_routes import json_functions
from .app import Response, Running

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

# Bodies over this many bytes (and chunked or 100-continue ones not yet wholly received) reach
# the app in pieces as they arrive (the native option ``stream_body_over``); smaller ones come
# whole in one hand-off, as a request without a body does.
STREAM_BODY_OVER = 64 << 10


def start_native(server: Any, bridge: Any, log_error: Callable[..., Any], host: str,
                 shutdown_timeout: float | None, route: SyncRoute | None = None) -> Running:
    """Routes every method on every path to ``bridge.enter`` (or, given ``route``, to where
    that SyncRoute runs: the pool until the app proves cheap, then inline, as lapwise.App's
    ``def`` routes), sets the hooks (``bridge.resume`` for streamed parts and clients that
    leave, ``bridge.piece(req, data, end, error)`` for the pieces of a streamed body asked for
    with ``req._read()``) and starts ``server``; ``bridge`` is Running's pending/cut/stop."""
    entry = bridge.enter if route is None else route.submit
    for method in METHODS:
        for pattern in ("/", "/{rest:path}"):
            route_id = server.add_route(method, pattern, entry, 0, None if route is None else route.submit)
            if route is not None:
                route.ids.append(route_id)
    dumps, loads = json_functions()
    server.set_hooks(dumps, loads, Response, _no_schedule, log_error)
    if route is None:  # the bridge only queues: it never blocks the io thread
        server.set_dispatch(PENDING, None, 3600.0, 3600.0, 0.0)
    else:
        route.start(server.set_handler)
        server.set_dispatch(PENDING, lambda _id, seconds, calls: route.slow(seconds, calls), INLINE_BUDGET_S,
                            BATCH_BUDGET_S, SPILL_MEAN_S)
    server.set_resume(bridge.resume)
    server.set_piece(bridge.piece)
    bound = server.start()
    return Running(host, bound, server, bridge, None, 10.0 if shutdown_timeout is None else shutdown_timeout)


def _no_schedule(coro: Any, req: Any) -> None:
    raise RuntimeError("the interface bridge answers every request itself")


class Served:
    def __init__(self, serve: Callable[..., Any], app: Any, **kwargs: Any) -> None:
        self._serve = serve
        self._app = app
        self._kwargs = kwargs

    def serve(self, host: str, port: int, threads: int, **options: Any) -> Any:
        return self._serve(self._app, host, port, threads, **self._kwargs, **options)

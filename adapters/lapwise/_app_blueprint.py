"""``lapwise.Blueprint``: a group of routes written in a module of its own and added to an App
under a URL prefix, as Flask's blueprints (and Starlette's ``Mount`` of a list of routes) are.

    users = Blueprint("users")

    @users.get("/{id:int}")
    def show(req): ...

    app.register_blueprint(users, url_prefix="/users")    # GET /users/7; url_for("users.show")

A blueprint records what its decorators (``route``, ``get``, ``post``, ``put``, ``patch``,
``delete``, ``websocket``, with the App's arguments) register and replays it on every App it is
registered on: each pattern is the prefix (``url_prefix`` given to ``register_blueprint``, else
the blueprint's own) followed by the route's pattern, and each route is named
``"<blueprint>.<name>"`` for ``app.url_for``. Blueprints nest (``bp.register_blueprint(child)``:
prefixes and names join). Hooks, middleware and error handlers stay the App's: they cover the
blueprint's routes as every other route.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ._app_route_methods import RouteMethods

Handler = Callable[[Any], Any]


def join_prefix(prefix: str, pattern: str) -> str:
    """``/api`` + ``/users`` -> ``/api/users``; an empty prefix leaves the pattern alone."""
    if prefix and not prefix.startswith("/"):
        raise ValueError(f"a URL prefix starts with '/': {prefix!r}")
    return prefix.rstrip("/") + pattern if prefix else pattern


class Blueprint(RouteMethods):
    """Routes recorded under ``name`` (a dotted prefix for their ``url_for`` names) to be
    registered on an App with ``app.register_blueprint(bp, url_prefix=...)``."""

    def __init__(self, name: str, url_prefix: str = "") -> None:
        if not name or "." in name:
            raise ValueError(f"a blueprint name is non-empty and has no '.': {name!r}")
        join_prefix(url_prefix, "/")  # refuses a bad prefix now
        self.name = name
        self.url_prefix = url_prefix
        # (App method name, pattern, handler, keyword arguments) in the order they were added
        self._records: list[tuple[str, str, Any, dict[str, Any]]] = []

    def _record(self, kind: str, pattern: str, **kw: Any) -> Callable[[Any], Any]:
        if not pattern.startswith("/"):
            raise ValueError(f"a route pattern starts with '/': {pattern!r}")

        def decorate(fn: Any) -> Any:
            if not callable(fn):
                raise TypeError(f"{fn!r} is not callable")
            self._records.append((kind, pattern, fn, kw))
            return fn

        return decorate

    def route(self, pattern: str, methods: Iterable[str] = ("GET",), *, blocking: bool = False,
              stream: bool = False, name: str | None = None,
              max_body: int | None = None) -> Callable[[Handler], Handler]:
        return self._record("route", pattern, methods=tuple(methods), blocking=blocking, stream=stream, name=name,
                            max_body=max_body)

    def websocket(self, pattern: str, *, name: str | None = None) -> Callable[[Any], Any]:
        return self._record("websocket", pattern, name=name)

    def register_blueprint(self, child: Blueprint, url_prefix: str | None = None) -> None:
        """Nests ``child``: its routes join this blueprint's prefix and name."""
        join_prefix(child.url_prefix if url_prefix is None else url_prefix, "/")
        self._records.append(("blueprint", "", child, {"url_prefix": url_prefix}))

    def register(self, app: Any, url_prefix: str | None = None, name_prefix: str = "") -> None:
        """Adds every recorded route to ``app`` (``app.register_blueprint`` calls this)."""
        prefix = self.url_prefix if url_prefix is None else url_prefix
        dotted = f"{name_prefix}{self.name}."
        for kind, pattern, target, kw in self._records:
            if kind == "blueprint":
                child_prefix = target.url_prefix if kw["url_prefix"] is None else kw["url_prefix"]
                target.register(app, join_prefix(prefix, child_prefix or ""), dotted)
                continue
            name = dotted + (kw.get("name") or str(getattr(target, "__name__", target)))
            getattr(app, kind)(join_prefix(prefix, pattern), **{**kw, "name": name})(target)

"""Cross-origin resource sharing for lapwise.App, as Starlette's ``CORSMiddleware`` and
Flask-CORS give it: ``lapwise.cors(app, allow_origins=["https://example.org"])``.

What a browser sees (the Fetch standard's CORS protocol):

- A request without an ``Origin`` header is not a cross-origin one: it is answered as if CORS
  were off (one header lookup is all it costs).
- A preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) is answered
  here, before any hook, middleware or handler: 200 with ``Access-Control-Allow-Origin``,
  ``-Allow-Methods``, ``-Allow-Headers``, ``-Max-Age`` (and ``-Allow-Credentials``) when the
  origin, the method and every requested header are allowed, else 400 naming what was not
  (``Disallowed CORS origin, method``; an origin not allowed is not named back), as Starlette
  answers (``tests/test_app_cors_starlette.py`` compares the two request by request). Preflights reach every pattern
  the app serves (routes, const routes, static mounts): each pattern without an ``OPTIONS``
  route of its own gets one when the app starts, which answers a plain ``OPTIONS`` 204 with
  ``Allow`` as before. A path no pattern matches gets the 404 below.
- Any other request from an allowed origin gets ``Access-Control-Allow-Origin`` (``*`` when
  every origin is allowed without credentials, else the origin itself), ``Vary: Origin``, and
  ``Access-Control-Allow-Credentials`` / ``-Expose-Headers`` when configured: on ``def`` and
  ``async def`` routes, streamed answers, static files, and error answers (an exception a
  handler raises goes through the app's error handlers here, so a 404 or 500 carries the
  headers and the page's script can read it; so do 404 and 405 for paths no route matches).
  An origin not allowed gets ``Vary: Origin`` only: the browser then hides the answer.
- Const routes stay native when every origin is allowed without credentials (their headers
  get ``Access-Control-Allow-Origin: *``); otherwise they become Python routes, since the
  answer depends on the request's origin.

``allow_origins="*"`` (or ``["*"]``) with ``allow_credentials=True`` is refused at setup: the
Fetch standard forbids ``*`` with credentials, and echoing every origin would hand any site the
user's cookies. ``allow_origin_regex`` is matched against the whole origin. ``"*"`` for
``allow_methods`` or ``allow_headers`` allows whatever is requested (echoed, so it also holds
with credentials). The CORS-safelisted headers (Accept, Accept-Language, Content-Language,
Content-Type) are always allowed. An app without ``cors`` pays nothing: routes are wrapped only
when it is on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from ._app_pool import PENDING
from ._app_response import Response
from ._app_session import with_header

SAFELISTED = ("accept", "accept-language", "content-language", "content-type")
DEFAULT_METHODS = ("GET",)


def _names(value: str | Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


class CorsPolicy:
    """One app's CORS settings, and the headers they give a request."""

    def __init__(self, allow_origins: str | Iterable[str], allow_methods: str | Iterable[str],
                 allow_headers: str | Iterable[str], allow_credentials: bool,
                 expose_headers: str | Iterable[str], max_age: int, allow_origin_regex: str | None) -> None:
        origins = _names(allow_origins)
        methods = _names(allow_methods)
        headers = _names(allow_headers)
        self.any_origin = "*" in origins
        if self.any_origin and allow_credentials:
            raise ValueError("cors: allow_origins='*' with allow_credentials=True is refused: browsers "
                             "forbid '*' with credentials; list the origins (or use allow_origin_regex)")
        self.origins = frozenset(origins)
        self.regex = re.compile(allow_origin_regex) if allow_origin_regex is not None else None
        self.any_method = "*" in methods
        self.methods = tuple(m.upper() for m in methods)
        self.any_header = "*" in headers
        self.headers = frozenset(h.lower() for h in headers) | frozenset(SAFELISTED)
        self.credentials = allow_credentials
        # Both sent as configured: the lists, in the order given (then the safelisted ones).
        self.allow_headers_value = ", ".join(dict.fromkeys([h for h in headers if h != "*"] + list(SAFELISTED)))
        self.max_age = str(int(max_age))
        self.star = self.any_origin and not allow_credentials  # answers say "*", not the origin
        # Headers every allowed origin's answer carries besides Allow-Origin.
        extra: list[tuple[str, str]] = []
        if allow_credentials:
            extra.append(("Access-Control-Allow-Credentials", "true"))
        exposed = _names(expose_headers)
        if exposed:
            extra.append(("Access-Control-Expose-Headers", ", ".join(exposed)))
        self.extra = tuple(extra)
        self.star_headers = [("Access-Control-Allow-Origin", "*"), ("Vary", "Origin"), *extra]

    def allows(self, origin: str) -> bool:
        return self.any_origin or origin in self.origins or \
            (self.regex is not None and self.regex.fullmatch(origin) is not None)

    def answer_headers(self, origin: str) -> list[tuple[str, str]]:
        """The headers an actual (not preflight) request's answer gets."""
        if self.star:
            return self.star_headers
        if not self.allows(origin):
            return [("Vary", "Origin")]
        return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin"), *self.extra]

    def preflight(self, origin: str, method: str, requested: str | None) -> Response:
        """The answer to a preflight from ``origin`` asking for ``method`` and the
        comma-separated ``requested`` headers."""
        failed = []
        if not self.allows(origin):
            failed.append("origin")
        if not (self.any_method or method in self.methods):
            failed.append("method")
        asked = [h.strip().lower() for h in (requested or "").split(",") if h.strip()]
        if not self.any_header and any(h not in self.headers for h in asked):
            failed.append("headers")
        headers = [("Vary", "Origin"),
                   ("Access-Control-Allow-Methods", method if self.any_method else ", ".join(self.methods)),
                   ("Access-Control-Max-Age", self.max_age)]
        if "origin" not in failed:  # a refused origin is not named back
            headers.insert(0, ("Access-Control-Allow-Origin", "*" if self.star else origin))
        if not self.any_header:
            headers.append(("Access-Control-Allow-Headers", self.allow_headers_value))
        elif asked:
            headers.append(("Access-Control-Allow-Headers", ", ".join(asked)))
        if self.credentials:
            headers.append(("Access-Control-Allow-Credentials", "true"))
        if failed:
            return Response(400, headers, "Disallowed CORS " + ", ".join(failed))
        return Response(200, headers, "OK")


def _with_headers(out: Any, headers: list[tuple[str, str]]) -> Any:
    """``out`` (what a handler returned) as a ``Response`` that also carries ``headers``."""
    if out is PENDING:  # answered already (nothing more can be added)
        return out
    if isinstance(out, (dict, list, str, bytes)):  # the common shapes: one Response, no copies
        return Response(200, headers, out)
    if isinstance(out, Response) and out.headers is None:
        out.headers = list(headers)
        return out
    for name, value in headers:
        out = with_header(out, name, value)
    return out


def _error_answer(exc: Exception, req: Any, on_error: Callable[..., Any]) -> Any:
    """What the app's error handling answers ``exc`` with (None from it: the plain 500)."""
    out = on_error(exc, "handler", req.method, req.path)
    return Response(500, None, "Internal Server Error") if out is None else out


Call = Callable[[Any], Any]


def cors_wrapper(policy: CorsPolicy) -> Callable[[Call, bool, Callable[..., Any]], Call]:
    """The App's route wrapper for ``policy``: outermost around each route's chain."""

    def wrap(call: Callable[[Any], Any], is_async: bool, on_error: Callable[..., Any]) -> Callable[[Any], Any]:
        if is_async:
            async def cross_origin(req: Any, origin: str) -> Any:
                if req.method == "OPTIONS" and (asked := req.headers.get("access-control-request-method")):
                    return policy.preflight(origin, asked, req.headers.get("access-control-request-headers"))
                try:
                    out = await call(req)
                except Exception as exc:  # noqa: BLE001 - answered by the app's error handling
                    out = _error_answer(exc, req, on_error)
                return _with_headers(out, policy.answer_headers(origin))

            # A plain function returning the coroutine: a request without Origin gets the
            # route's own coroutine, with no frame of ours around it.
            def cors_async(req: Any) -> Any:
                origin = req.headers.get("origin")
                return call(req) if origin is None else cross_origin(req, origin)

            return cors_async

        def cors_sync(req: Any) -> Any:
            origin = req.headers.get("origin")
            if origin is None:
                return call(req)
            if req.method == "OPTIONS" and (asked := req.headers.get("access-control-request-method")):
                return policy.preflight(origin, asked, req.headers.get("access-control-request-headers"))
            try:
                out = call(req)
            except Exception as exc:  # noqa: BLE001 - answered by the app's error handling
                out = _error_answer(exc, req, on_error)
            return _with_headers(out, policy.answer_headers(origin))

        return cors_sync

    return wrap


def _plain_options(allow: str) -> Callable[[Any], Any]:
    def options(req: Any) -> Response:  # noqa: ARG001
        return Response(204, [("Allow", allow)], None)

    return options


def _const_route(status: int, content_type: str, headers: list[tuple[str, str]], body: bytes) -> Callable[[Any], Any]:
    def const(req: Any) -> Response:  # noqa: ARG001
        return Response(status, [("Content-Type", content_type), *headers] if content_type else list(headers), body)

    return const


def _install(app: Any, policy: CorsPolicy) -> None:
    """When the app starts: an OPTIONS route for each pattern without one (where preflights
    arrive), and const routes adapted (see the module doc). Idempotent (a second serve)."""
    from .app import _Route

    if policy.star:
        for c in app._consts:
            if ("Access-Control-Allow-Origin", "*") not in c.headers:
                c.headers.extend([("Access-Control-Allow-Origin", "*"), *policy.extra])
    else:
        for c in app._consts:
            const = _const_route(c.status, c.content_type, c.headers, c.body)
            app._routes.append(_Route((c.method,), c.pattern, const))
        app._consts.clear()
    allow = app._options_allow()
    for mount in app._statics:
        if mount.pattern not in allow and not any("OPTIONS" in r.methods and r.pattern == mount.pattern
                                                  for r in app._routes):
            allow[mount.pattern] = "GET, HEAD, OPTIONS"
    for pattern, value in allow.items():
        app._routes.append(_Route(("OPTIONS",), pattern, _plain_options(value)))


def cors(app: Any, allow_origins: str | Iterable[str] = (), *, allow_methods: str | Iterable[str] = DEFAULT_METHODS,
         allow_headers: str | Iterable[str] = (), allow_credentials: bool = False,
         expose_headers: str | Iterable[str] = (), max_age: int = 600,
         allow_origin_regex: str | None = None) -> None:
    """Turns CORS on for ``app`` (see the module doc): ``allow_origins`` a list of origins
    (``"https://example.org"``) or ``"*"``; ``allow_methods`` (default GET, as Starlette's) and
    ``allow_headers`` lists or ``"*"``; ``expose_headers`` the response headers a page's script
    may read; ``max_age`` how long (s) a browser keeps a preflight's answer. ValueError for
    ``"*"`` origins with ``allow_credentials``."""
    policy = CorsPolicy(allow_origins, allow_methods, allow_headers, allow_credentials, expose_headers,
                        max_age, allow_origin_regex)
    if app._wrappers:
        raise ValueError("cors: this app has CORS on already")
    app._wrappers.append(cors_wrapper(policy))
    app.on_startup(lambda: _install(app, policy))

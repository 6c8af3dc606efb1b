"""The request attributes of lapwise.App written in Python: ``req.cookies``, ``req.form()``,
``req.stream()``, ``req.read()``, ``req.query_params``, ``req.session`` (``_app_session``)
and the URL parts (``_app_url``: ``req.url``, ``base_url``, ``host_url``, ``host``,
``scheme``). The native request type
(``lapwise._native.ServerRequest``) builds the cheap, hot attributes in C++; these are added to
it here, once, when an App starts serving, so that a request pays for them only when a handler
reads them."""

from __future__ import annotations

import asyncio
from typing import Any

from ._app_body import BODIES, BodyStream, on_loop
from ._app_cookies import parse_cookies
from ._app_forms import aread_form, read_form
from ._app_multidict import QueryParams
from ._app_session import request_session
from ._app_url import URL_PARTS
from .query import parse as parse_query


def _cookies(req: Any) -> dict[str, str]:
    """The Cookie header's name -> value pairs (``_app_cookies.parse_cookies``: the first of a
    repeated name wins). Parsed at each read: keep the dict."""
    return parse_cookies(req.headers.get("cookie", ""))


def _query_params(req: Any) -> QueryParams:
    """Every pair of the query string, repeated keys kept in order (``req.query`` keeps the
    first value of each). Parsed at each read: keep it."""
    return QueryParams(parse_query(req.query_string))


def _form(req: Any, **limits: Any) -> Any:
    """The body as a form (``lapwise._app_forms``): a FormData (awaitable too), or for a
    streamed body in an ``async def`` handler, a coroutine that reads it."""
    if req.body_streamed:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return read_form(req, **limits)  # a pool thread: waits for each piece
        return aread_form(req, **limits)
    return read_form(req, **limits)


def _stream(req: Any) -> BodyStream:
    """The body's pieces as they arrive: ``for`` in a ``def`` handler, ``async for`` in an
    ``async def`` one (``lapwise._app_body``)."""
    return BodyStream(req)


def _read(req: Any) -> Any:
    """The body (the rest of a streamed one) read whole: bytes in a ``def`` handler, a
    coroutine to await in an ``async def`` one (``lapwise._app_body``)."""
    if on_loop():
        return BODIES.aread(req) if req.body_streamed else _ready(req.body)
    return req.body


async def _ready(body: bytes) -> bytes:
    return body


def extend(request_type: Any) -> None:
    """Adds ``cookies``, ``form``, ``stream``, ``read``, ``query_params``, ``session`` and the URL parts to
    the native request type (idempotent). Properties: a request that never reads them pays
    nothing for them."""
    if getattr(request_type, "read", None) is not _read:
        request_type.cookies = property(_cookies, doc=_cookies.__doc__)
        request_type.query_params = property(_query_params, doc=_query_params.__doc__)
        request_type.session = property(request_session, doc=request_session.__doc__)
        for name, part in URL_PARTS.items():
            setattr(request_type, name, property(part, doc=part.__doc__))
        request_type.form = _form
        request_type.stream = _stream
        request_type.read = _read

"""The request attributes of lapwise.App written in Python: ``req.cookies``, ``req.form()``,
``req.stream()`` and ``req.read()``. The native request type
(``lapwise._native.ServerRequest``) builds the cheap, hot attributes in C++; these are added to
it here, once, when an App starts serving, so that a request pays for them only when a handler
reads them."""

from __future__ import annotations

import asyncio
from typing import Any

from ._app_body import BODIES, BodyStream, on_loop
from ._app_cookies import parse_cookies
from ._app_forms import aread_form, read_form


def _cookies(req: Any) -> dict[str, str]:
    """The Cookie header's name -> value pairs (``_app_cookies.parse_cookies``: the first of a
    repeated name wins). Parsed at each read: keep the dict."""
    return parse_cookies(req.headers.get("cookie", ""))


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
    """Adds ``cookies``, ``form``, ``stream`` and ``read`` to the native request type
    (idempotent)."""
    if getattr(request_type, "read", None) is not _read:
        request_type.cookies = property(_cookies, doc=_cookies.__doc__)
        request_type.form = _form
        request_type.stream = _stream
        request_type.read = _read

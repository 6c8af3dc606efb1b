"""The request attributes of lapwise.App written in Python: ``req.cookies`` and
``req.form()``. The native request type (``lapwise._native.ServerRequest``) builds the cheap,
hot attributes in C++; these two are added to it here, once, when an App starts serving, so
that a request pays for them only when a handler reads them."""

from __future__ import annotations

import asyncio
from typing import Any

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


def extend(request_type: Any) -> None:
    """Adds ``cookies`` and ``form`` to the native request type (idempotent)."""
    if getattr(request_type, "form", None) is not _form:
        request_type.cookies = property(_cookies, doc=_cookies.__doc__)
        request_type.form = _form

"""``req.form()`` for lapwise.App: the request body as a ``FormData``.

    @app.post("/upload")
    def upload(req):
        with req.form() as form:             # async def handlers: await req.form()
            f = form["file"]                 # an UploadFile
            return {"name": form["name"], "file": f.filename, "size": f.size}

``application/x-www-form-urlencoded`` is read by the parser core's query parser (``+`` is a
space, repeated names kept, undecodable bytes become U+FFFD); ``multipart/form-data`` by
``lapwise._app_multipart``, chunk by chunk. Any other (or no) Content-Type gives an empty form,
as Flask and Starlette do. Keyword arguments are ``FormLimits``' fields. A malformed body
raises ``FormError`` (400), one over a limit ``FormError`` (413): uncaught, it answers that
status with its message. Each call reads the body again: keep the form it returns. A body
the server streams (the ``stream_body_over`` option, ``_app_body``) is read piece by piece as
it arrives, and only once; in an ``async def`` handler ``await req.form()`` reads it without
blocking the loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from . import query
from ._app_body import BODIES
from ._app_form_types import FormData, FormError, FormLimits
from ._app_multipart import MultipartParser, check_boundary, parse_params

CHUNK = 64 * 1024  # a body read whole is fed to the parser this much at a time


class _Parser(Protocol):
    def feed(self, data: bytes | bytearray | memoryview) -> None: ...

    def close(self) -> FormData: ...

    def abort(self) -> None: ...


def body_chunks(req: Any) -> Iterator[memoryview]:
    """A body the core read whole, in pieces as the parser consumes a streamed one."""
    body = memoryview(req.body)
    for at in range(0, len(body), CHUNK):
        yield body[at:at + CHUNK]


def read_form(req: Any, **limits: Any) -> FormData:
    """The form in ``req``'s body; see the module doc. A streamed body is read piece by piece,
    waiting on this thread (a pool thread: see ``_app_body``)."""
    parser = _parser(req, FormLimits(**limits))
    if parser is None:
        return FormData()
    try:
        for chunk in BODIES.pieces(req, FormError) if req.body_streamed else body_chunks(req):
            parser.feed(chunk)
    except BaseException:
        parser.abort()
        raise
    return parser.close()


async def aread_form(req: Any, **limits: Any) -> FormData:
    """``read_form`` for a streamed body in an ``async def`` handler: each piece awaited."""
    parser = _parser(req, FormLimits(**limits))
    if parser is None:
        return FormData()
    try:
        async for chunk in BODIES.apieces(req, FormError):
            parser.feed(chunk)
    except BaseException:
        parser.abort()
        raise
    return parser.close()


def _parser(req: Any, bounds: FormLimits) -> _Parser | None:
    kind, params = parse_params(req.headers.get("content-type", ""))
    if kind == "multipart/form-data":
        if "boundary" not in params:
            raise FormError(400, "multipart/form-data without a boundary parameter")
        return MultipartParser(check_boundary(params["boundary"]), bounds)
    if kind == "application/x-www-form-urlencoded":
        return _Urlencoded(bounds)
    return None


class _Urlencoded:
    """A url-encoded body, gathered (within ``max_field_bytes``) and parsed at the end by the
    parser core's query parser."""

    def __init__(self, bounds: FormLimits) -> None:
        self._bounds = bounds
        self._body = bytearray()

    def feed(self, data: bytes | bytearray | memoryview) -> None:
        if len(self._body) + len(data) > self._bounds.max_field_bytes:
            raise FormError(413, f"the url-encoded form exceeds {self._bounds.max_field_bytes} bytes")
        self._body += data

    def close(self) -> FormData:
        text = self._body.decode("utf-8", "replace")
        try:
            pairs = query.parse(text, self._bounds.max_parts, max(len(text), 1))
        except ValueError:
            raise FormError(413, f"the url-encoded form has more than {self._bounds.max_parts} fields") from None
        return FormData(list(pairs))

    def abort(self) -> None:
        self._body = bytearray()

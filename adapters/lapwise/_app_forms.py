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
status with its message. Each call reads the body again: keep the form it returns.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import query
from ._app_form_types import FormData, FormError, FormLimits
from ._app_multipart import MultipartParser, check_boundary, parse_params

CHUNK = 64 * 1024  # the multipart parser is fed this much at a time


def body_chunks(req: Any) -> Iterator[memoryview]:
    """The request body in pieces, as the parser consumes it (the core reads a body whole and
    bounded by ``max_body`` before the handler runs; pieces keep the parser's working set to
    one chunk however large the body)."""
    body = memoryview(req.body)
    for at in range(0, len(body), CHUNK):
        yield body[at:at + CHUNK]


def read_form(req: Any, **limits: Any) -> FormData:
    """The form in ``req``'s body; see the module doc."""
    bounds = FormLimits(**limits)
    kind, params = parse_params(req.headers.get("content-type", ""))
    if kind == "multipart/form-data":
        if "boundary" not in params:
            raise FormError(400, "multipart/form-data without a boundary parameter")
        parser = MultipartParser(check_boundary(params["boundary"]), bounds)
        for chunk in body_chunks(req):
            parser.feed(chunk)
        return parser.close()
    if kind == "application/x-www-form-urlencoded":
        return _urlencoded(req.body, bounds)
    return FormData()


def _urlencoded(body: bytes, bounds: FormLimits) -> FormData:
    if len(body) > bounds.max_field_bytes:
        raise FormError(413, f"the url-encoded form exceeds {bounds.max_field_bytes} bytes")
    text = body.decode("utf-8", "replace")
    try:
        pairs = query.parse(text, bounds.max_parts, max(len(text), 1))
    except ValueError:
        raise FormError(413, f"the url-encoded form has more than {bounds.max_parts} fields") from None
    return FormData(list(pairs))

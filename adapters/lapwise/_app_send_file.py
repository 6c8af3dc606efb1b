"""``lapwise.send_file(path, mimetype=None, as_attachment=False, download_name=None,
max_age=None)``: a file as the answer of an ordinary route, as Flask's ``send_file`` and
Starlette's ``FileResponse`` give it, sent by the server core with sendfile as ``App.static``
sends its files.

- The file is opened when ``send_file`` is called: a path that is not an open-able regular
  file raises ``HTTPError(404)`` in the handler (so ``@app.errorhandler(404)`` answers it).
  ``path`` is used as given (relative to the working directory): never build it from what the
  client sent; ``send_from_directory(directory, path, **options)`` takes such a path and
  checks it as ``App.static`` does (404 for one that leaves the directory).
- Headers: Content-Type (``mimetype``, else guessed from ``download_name`` or the path),
  ``ETag``, ``Last-Modified``, ``Accept-Ranges: bytes``, ``Cache-Control`` (``no-cache`` by
  default, as Flask's: the client revalidates with the ETag; ``max_age`` > 0 gives
  ``public, max-age=N``), and ``Content-Disposition`` when ``as_attachment`` or
  ``download_name`` is given (``attachment`` or ``inline``; the name defaults to the file's;
  a non-ASCII name is sent as RFC 6266's ``filename*=UTF-8''...`` beside an ASCII
  ``filename`` for old clients).
- Hooks and middleware see the answer as a ``StaticResponse`` (status 200, ``body`` a
  ``FileBody``) and may add headers. The request's conditional and Range headers are applied
  when it is sent, for GET and HEAD, as ``App.static`` applies them: ``If-None-Match`` (or
  ``If-Modified-Since``) 304, one range 206, a range past the end 416, HEAD the headers only.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ._app_response import Response
from ._app_errors import HTTPError
from ._app_static import FileBody, StaticResponse, open_regular, path_under, send_static
from ._app_stream import StreamingResponse
from ._file_meta import byte_range, etag, http_date, media_type, not_modified

# RFC 5987's attr-char: what filename*= carries unescaped.
_ATTR_CHARS = "!#$&+-.^_`|~"
# Headers of the file's representation, left out of a 304 or 416 (RFC 9110 section 15.4.5).
_BODY_HEADERS = frozenset(("content-type", "content-disposition", "accept-ranges", "content-range"))


def content_disposition(kind: str, name: str) -> str:
    """``attachment; filename="name"`` (or ``inline``); a non-ASCII name also as
    ``filename*=UTF-8''...`` with an ASCII fallback in ``filename`` (RFC 6266 section 4.3)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    plain = "".join(c for c in ascii_name if c.isprintable())
    quoted = plain.replace("\\", "\\\\").replace('"', '\\"')  # a quoted-string's escapes
    value = f'{kind}; filename="{quoted}"'
    if plain != name:
        value += f"; filename*=UTF-8''{quote(name, safe=_ATTR_CHARS)}"
    return value


class SentFile(StaticResponse, StreamingResponse):
    """``send_file``'s answer: a ``StaticResponse`` for hooks and middleware, and (being a
    ``StreamingResponse`` too) handed to the App's streams when it is sent, where the
    request's conditional and Range headers are applied (``for_request``)."""

    __slots__ = ("_mtime",)

    def __init__(self, headers: list[tuple[str, str]], body: FileBody, mtime: float) -> None:
        Response.__init__(self, 200, headers, body)
        self._mtime = mtime

    def answer_whole(self, req: Any) -> bool:
        out = send_static(req, self)
        if out is not None and not isinstance(out, StaticResponse):
            req._respond(out)
        return True

    def for_request(self, req: Any) -> Response:
        body = self.body
        if req.method not in ("GET", "HEAD") or not isinstance(body, FileBody):
            return self
        given = self.headers
        headers = list(given.items()) if isinstance(given, Mapping) else list(given or ())
        found = {name.lower(): value for name, value in headers}
        tag, modified = found.get("etag", ""), found.get("last-modified", "")
        h = req.headers
        if not_modified(h, tag, self._mtime):
            body.close()
            return Response(304, [(n, v) for n, v in headers if n.lower() not in _BODY_HEADERS], b"")
        span = byte_range(h.get("range"), h.get("if-range"), tag, modified, body.size)
        if span is None:
            return self
        if not span:
            body.close()
            kept = [(n, v) for n, v in headers if n.lower() not in _BODY_HEADERS]
            return Response(416, kept + [("Content-Range", f"bytes */{body.size}")], b"")
        first, last = span
        body.offset, body.count = first, last - first + 1
        self.status = 206
        self.headers = headers + [("Content-Range", f"bytes {first}-{last}/{body.size}")]
        return self


def send_file(path: str | os.PathLike[str], mimetype: str | None = None, as_attachment: bool = False,
              download_name: str | None = None, max_age: int | None = None) -> SentFile:
    """The file at ``path`` as a route's answer, sent with sendfile (see the module doc);
    HTTPError(404) when it is missing or not a regular file."""
    real = os.fspath(path)
    fd, st = open_regular(real)
    try:
        name = download_name if download_name is not None else os.path.basename(real)
        headers = [("Content-Type", mimetype or media_type(name)), ("ETag", etag(st)),
                   ("Last-Modified", http_date(st.st_mtime)), ("Accept-Ranges", "bytes"),
                   ("Cache-Control", f"public, max-age={max_age}" if max_age and max_age > 0 else "no-cache")]
        if as_attachment or download_name is not None:
            headers.append(("Content-Disposition",
                            content_disposition("attachment" if as_attachment else "inline", name)))
        return SentFile(headers, FileBody(real, fd, 0, st.st_size, st.st_size), st.st_mtime)
    except BaseException:
        os.close(fd)
        raise


def send_from_directory(directory: str | os.PathLike[str], path: str, **options: Any) -> SentFile:
    """``send_file`` of ``path`` (as the client sent it, ``/``-separated) under ``directory``,
    checked as ``App.static`` checks its paths: HTTPError(404) for a path that leaves the
    directory (``..``, a NUL, a backslash, a symlink pointing out) or is no regular file.
    ``options`` are ``send_file``'s."""
    real = path_under(os.path.realpath(directory), path)
    if real is None:
        raise HTTPError(404)
    return send_file(real, **options)

"""``App.static(prefix, directory)``: the files under a directory, served by the native server
with sendfile.

- Paths: the request path after ``prefix`` is resolved under the directory; a NUL byte, a
  ``..`` or ``.`` segment, a backslash, or a path whose real location (symlinks followed) is
  outside the directory is a 404, as is anything that is not a regular file (directories
  are not listed).
- Headers: Content-Type from the file name, Content-Length, ``ETag`` (size, mtime and inode),
  ``Last-Modified``, ``Accept-Ranges: bytes``, and ``cache_control`` when given.
- Conditional GET: ``If-None-Match`` (weak comparison, ``*``) answers 304 when it matches; only
  without it, ``If-Modified-Since`` answers 304 when the file is not newer (RFC 9110 section 13.2.2).
- Ranges: a single ``bytes=a-b``, ``a-`` or ``-n`` range answers 206 with Content-Range; a range
  that starts past the end answers 416 with ``Content-Range: bytes */size``. Several ranges
  (multipart/byteranges) are answered 200 with the whole file, as RFC 9110 allows; so is a
  malformed Range, and a Range whose ``If-Range`` no longer matches.
- HEAD is answered by the same route with the same headers and no body (the server core).

Hooks, middleware and error handlers apply to these routes as to any ``def`` route (Flask runs
``before_request`` for static files; Starlette's middleware sees what StaticFiles answers):
``before_request`` may answer instead (a 401, say); ``after_request`` and middleware get a
``StaticResponse`` whose ``body`` is a ``FileBody`` (the open file, ``path``, ``offset``,
``count``, ``size``) and may add headers (``resp.add_header(name, value)``) or return something
else; the file is then sent with sendfile as before. A path that must not be served raises
``HTTPError(404)``, so ``@app.errorhandler(404)`` answers it. Without hooks or middleware the
route is the mount's own ``handle`` (a stat and an open on the io thread, then the core sends
the file); with them it is a ``def`` route like any other (``_app_pool``).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from typing import Any

from ._app_errors import HTTPError
from ._app_pool import PENDING
from ._app_response import Response
from ._file_meta import byte_range, etag, http_date, media_type, not_modified


class FileBody:
    """The body of a ``StaticResponse``: ``count`` bytes of the open file ``fd`` (``path``,
    ``size`` bytes) from ``offset``. Closed once sent, or when dropped unsent."""

    __slots__ = ("path", "fd", "offset", "count", "size")

    def __init__(self, path: str, fd: int, offset: int, count: int, size: int) -> None:
        self.path = path
        self.fd = fd
        self.offset = offset
        self.count = count
        self.size = size

    def close(self) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            os.close(fd)

    def __del__(self) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"FileBody({self.path!r}, offset={self.offset}, count={self.count})"


class StaticResponse(Response):
    """A static file's answer (200 or 206) as hooks and middleware see it: ``body`` is a
    ``FileBody``, sent with sendfile once the chain returns it."""

    __slots__ = ()

    def for_request(self, req: Any) -> Response:
        """What is sent to ``req``: this answer (a mount's already applied the request's
        conditional and Range headers); ``lapwise.send_file``'s applies them here."""
        return self


def send_static(req: Any, out: Any) -> Any:
    """Sends ``out`` when it is a ``StaticResponse`` (PENDING: answered); else returns it."""
    if isinstance(out, StaticResponse) and isinstance(out.body, FileBody):
        out = out.for_request(req)
        if not isinstance(out, StaticResponse):
            return out  # a 304 or 416: sent as any Response
        body = out.body
        try:
            req._file(Response(out.status, out.headers, b""), body.fd, body.offset, body.count, False)
        finally:
            body.close()  # the server sends from its own duplicate
        return PENDING
    return out


def file_sender(call: Callable[[Any], Any], is_async: bool) -> Callable[[Any], Any]:
    """A static route's chain (``call``) with its file sent at the end."""
    if is_async:
        async def send_after_await(req: Any) -> Any:
            return send_static(req, await call(req))

        return send_after_await

    def send_after(req: Any) -> Any:
        return send_static(req, call(req))

    return send_after


def path_under(root: str, rel: str) -> str | None:
    """The real path of ``rel`` (a client's ``/``-separated path) under ``root`` (a real
    path), or None when it must not be served: a NUL, a backslash, a ``.`` or ``..`` segment,
    or a real location outside ``root`` (a symlink pointing out)."""
    if "\0" in rel or "\\" in rel:
        return None
    parts = rel.split("/")
    if any(p in ("..", ".") for p in parts):
        return None
    real = os.path.realpath(os.path.join(root, *[p for p in parts if p]))
    if not real.startswith(root + os.sep):
        return None  # a symlink (or anything else) that leads outside
    return real


def open_regular(path: str) -> tuple[int, os.stat_result]:
    """The open descriptor and status of the regular file at ``path``; HTTPError(404) when it
    cannot be opened or is not a regular file (a directory, a device, a FIFO)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        raise HTTPError(404) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise HTTPError(404)
    except BaseException:
        os.close(fd)
        raise
    return fd, st


class StaticFiles:
    """One mount: ``prefix`` (no trailing slash) -> ``directory``."""

    def __init__(self, prefix: str, directory: str | os.PathLike[str], *,
                 cache_control: str | None = None) -> None:
        if not prefix.startswith("/"):
            raise ValueError(f"a static prefix starts with '/': {prefix!r}")
        self.prefix = prefix.rstrip("/")
        self.root = os.path.realpath(directory)
        if not os.path.isdir(self.root):
            raise ValueError(f"not a directory: {os.fspath(directory)!r}")
        self.cache_control = cache_control

    @property
    def pattern(self) -> str:
        return self.prefix + "/{path:path}"

    def resolve(self, rel: str) -> str | None:
        """The real path of ``rel`` under the root, or None when it must not be served."""
        return path_under(self.root, rel)

    def handle(self, req: Any) -> Any:
        """The route's callable without hooks or middleware: answers and sends."""
        return send_static(req, self.respond(req))

    def respond(self, req: Any) -> Response:
        """The answer for ``req``: a ``StaticResponse`` holding the open file, or a 304/416;
        HTTPError(404) for a path that must not be served."""
        real = self.resolve(req.params.get("path", ""))
        if real is None:
            raise HTTPError(404)
        fd, st = open_regular(real)
        try:
            out = self._answer(req, fd, st, real)
        except BaseException:
            os.close(fd)
            raise
        if not isinstance(out, StaticResponse):
            os.close(fd)
        return out

    def _answer(self, req: Any, fd: int, st: os.stat_result, real: str) -> Response:
        tag, modified = etag(st), http_date(st.st_mtime)
        headers = [("ETag", tag), ("Last-Modified", modified)]
        if self.cache_control:
            headers.append(("Cache-Control", self.cache_control))
        h = req.headers
        if not_modified(h, tag, st.st_mtime):
            return Response(304, headers, b"")
        size = st.st_size
        headers += [("Content-Type", media_type(real)), ("Accept-Ranges", "bytes")]
        span = byte_range(h.get("range"), h.get("if-range"), tag, modified, size)
        if span is None:
            return StaticResponse(200, headers, FileBody(real, fd, 0, size, size))
        if not span:
            headers.append(("Content-Range", f"bytes */{size}"))
            return Response(416, headers, b"")
        first, last = span
        headers.append(("Content-Range", f"bytes {first}-{last}/{size}"))
        return StaticResponse(206, headers, FileBody(real, fd, first, last - first + 1, size))

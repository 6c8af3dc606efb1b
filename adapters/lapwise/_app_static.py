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

The handler runs on the io thread (a stat and an open, then the core sends the file); the App's
hooks and error handlers do not apply to these routes.
"""

from __future__ import annotations

import os
import stat
from typing import Any

from ._app_pool import PENDING
from ._file_meta import byte_range, etag, http_date, media_type, not_modified


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
        self.response: Any = None  # lapwise.Response, given by register()

    def register(self, server: Any, response_type: Any) -> None:
        self.response = response_type
        server.add_route("GET", self.prefix + "/{path:path}", self.handle, 0, None)

    def resolve(self, rel: str) -> str | None:
        """The real path of ``rel`` under the root, or None when it must not be served."""
        if "\0" in rel or "\\" in rel:
            return None
        parts = rel.split("/")
        if any(p in ("..", ".") for p in parts):
            return None
        real = os.path.realpath(os.path.join(self.root, *[p for p in parts if p]))
        if not real.startswith(self.root + os.sep):
            return None  # a symlink (or anything else) that leads outside
        return real

    def handle(self, req: Any) -> Any:
        real = self.resolve(req.params.get("path", ""))
        if real is None:
            return self._not_found()
        try:
            fd = os.open(real, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return self._not_found()
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                return self._not_found()
            return self._answer(req, fd, st, real)
        finally:
            os.close(fd)  # the server sends from its own duplicate

    def _answer(self, req: Any, fd: int, st: os.stat_result, real: str) -> Any:
        tag, modified = etag(st), http_date(st.st_mtime)
        headers = [("ETag", tag), ("Last-Modified", modified)]
        if self.cache_control:
            headers.append(("Cache-Control", self.cache_control))
        h = req.headers
        if not_modified(h, tag, st.st_mtime):
            return self.response(304, headers, b"")
        size = st.st_size
        headers += [("Content-Type", media_type(real)), ("Accept-Ranges", "bytes")]
        span = byte_range(h.get("range"), h.get("if-range"), tag, modified, size)
        if span is None:
            req._file(self.response(200, headers, b""), fd, 0, size, False)
            return PENDING
        if not span:
            headers.append(("Content-Range", f"bytes */{size}"))
            return self.response(416, headers, b"")
        first, last = span
        headers.append(("Content-Range", f"bytes {first}-{last}/{size}"))
        req._file(self.response(206, headers, b""), fd, first, last - first + 1, False)
        return PENDING

    def _not_found(self) -> Any:
        return self.response(404, None, "Not Found")

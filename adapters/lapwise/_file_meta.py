"""What a file response needs to know about its file: where its bytes are (an open regular
file's descriptor, offset and count, for the server core's sendfile), its media type, and
the validators (ETag, Last-Modified) conditional requests compare against, and how a request's
conditional and Range headers apply to it."""

from __future__ import annotations

import io
import mimetypes
import os
import re
import stat
from email.utils import formatdate, parsedate_to_datetime
from typing import Any

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def file_span(filelike: Any, limit: int | None = None, offset: int | None = None,
              count: int | None = None) -> tuple[int, int, int] | None:
    """(fd, offset, count) of ``filelike``'s bytes from ``offset`` (default: its current
    position) for ``count`` bytes (default: to its end, at most ``limit``), or None when it is
    not an open regular file (a pipe, a socket, a BytesIO: those are read instead)."""
    try:
        fd = filelike.fileno()
        st = os.fstat(fd)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    if offset is None:
        try:
            offset = filelike.tell()
        except (AttributeError, OSError, ValueError):
            offset = os.lseek(fd, 0, os.SEEK_CUR)
    left = max(0, st.st_size - offset)
    if count is None:
        count = left
    if limit is not None:
        count = min(count, limit)
    return fd, offset, max(0, count)


def media_type(path: str) -> str:
    """The Content-Type for a file name (text types with charset=utf-8)."""
    kind, encoding = mimetypes.guess_type(path, strict=False)
    if kind is None or encoding is not None:  # unknown, or a compressed file as such
        return "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
        return kind + "; charset=utf-8"
    return kind


def etag(st: os.stat_result) -> str:
    """A strong validator from the size and modification time (and inode): it changes when
    the file is replaced or written, as nginx's does."""
    return f'"{st.st_mtime_ns:x}-{st.st_size:x}-{st.st_ino:x}"'


def http_date(seconds: float) -> str:
    """An IMF-fixdate (RFC 9110 section 5.6.7)."""
    return formatdate(seconds, usegmt=True)


def not_modified(headers: dict[str, str], tag: str, mtime: float) -> bool:
    """Whether a GET with these (lower-case) request headers is answered 304: If-None-Match
    (weak comparison, ``*``) when present, else If-Modified-Since (RFC 9110 section 13.2.2)."""
    match = headers.get("if-none-match")
    if match is not None:
        wanted = [t.strip().removeprefix("W/") for t in match.split(",")]
        return "*" in wanted or tag in wanted
    since = headers.get("if-modified-since")
    if since is None:
        return False
    try:
        return int(mtime) <= parsedate_to_datetime(since).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return False  # an unreadable date is ignored


def byte_range(value: str | None, if_range: str | None, tag: str, modified: str,
               size: int) -> tuple[int, int] | tuple[()] | None:
    """(first, last) for one satisfiable range, () for an unsatisfiable one, None: the whole
    file (no Range, several, malformed, or an If-Range that no longer matches)."""
    if value is None or (if_range is not None and if_range.strip() not in (tag, modified)):
        return None
    m = _RANGE.fullmatch(value.strip())
    if m is None or (not m.group(1) and not m.group(2)):
        return None
    first_s, last_s = m.groups()
    if not first_s:  # the last n bytes
        n = int(last_s)
        return () if n == 0 or size == 0 else (max(0, size - n), size - 1)
    first = int(first_s)
    if last_s and int(last_s) < first:
        return None
    if first >= size:
        return ()
    return first, min(int(last_s), size - 1) if last_s else size - 1

"""What a file response needs to know about its file: where its bytes are (an open regular
file's descriptor, offset and count, for the server core's sendfile), its media type, and
the validators (ETag, Last-Modified) conditional requests compare against."""

from __future__ import annotations

import io
import mimetypes
import os
import stat
from email.utils import formatdate
from typing import Any


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

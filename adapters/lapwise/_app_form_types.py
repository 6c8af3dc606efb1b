"""What ``req.form()`` gives a lapwise.App handler: ``FormData`` (the fields, repeated names
kept), ``UploadFile`` (one file part, spooled to a temporary file past a threshold),
``FormLimits`` (the bounds a form is read within) and ``FormError`` (an ``HTTPError``: 400 for
a malformed body, 413 over a limit, so that an uncaught one answers the client as it should)."""

from __future__ import annotations

import tempfile
from collections.abc import Generator
from dataclasses import dataclass
from typing import IO, Any, Union

from ._app_errors import HTTPError
from ._app_multidict import MultiValues


class FormError(HTTPError):
    """A form body that cannot be read: ``status`` 400 (malformed) or 413 (over a limit)."""


@dataclass(frozen=True)
class FormLimits:
    """Bounds on one form body (each over-limit answer is a 413). ``req.form(**limits)`` takes
    the same names. The body as a whole is bounded first by the server's ``max_body``."""

    max_parts: int = 1000  # multipart parts, or url-encoded fields
    max_part_header_bytes: int = 16 * 1024  # one part's header block
    max_field_bytes: int = 1 << 20  # one non-file part's value; a whole url-encoded body
    max_file_bytes: int | None = None  # one file part (None: only max_body bounds it)
    spool_bytes: int = 1 << 20  # a file part past this moves from memory to a temporary file

    def __post_init__(self) -> None:
        for name in ("max_parts", "max_part_header_bytes", "max_field_bytes", "spool_bytes"):
            if getattr(self, name) < 1:
                raise ValueError(f"FormLimits.{name} must be positive")


class UploadFile:
    """One file part: ``filename`` as sent (never trust it as a path), ``content_type``
    (default ``application/octet-stream``), ``headers`` (lower-case names), ``size`` in bytes
    and ``file``, a ``tempfile.SpooledTemporaryFile`` positioned at the start: in memory up to
    ``FormLimits.spool_bytes``, on disk beyond. ``close()`` (or closing the form) removes it."""

    __slots__ = ("filename", "content_type", "headers", "file", "size")

    def __init__(self, filename: str, content_type: str, headers: dict[str, str],
                 spool_bytes: int) -> None:
        self.filename = filename
        self.content_type = content_type
        self.headers = headers
        self.file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=spool_bytes)
        self.size = 0

    def write(self, data: bytes | memoryview) -> None:
        self.file.write(data)
        self.size += len(data)

    def read(self, size: int = -1) -> bytes:
        return self.file.read(size)

    def seek(self, offset: int) -> int:
        return self.file.seek(offset)

    @property
    def in_memory(self) -> bool:
        """Still held in memory (not rolled over to a file on disk)."""
        return not getattr(self.file, "_rolled", False)

    def close(self) -> None:
        self.file.close()

    def __repr__(self) -> str:
        return f"UploadFile({self.filename!r}, {self.content_type!r}, size={self.size})"


FormValue = Union[str, UploadFile]


class FormData(MultiValues[FormValue]):
    """The fields of a form in the order sent. ``form[name]`` and ``get`` give the first value
    of a repeated name (as ``req.query`` does), ``getlist`` all of them, ``multi_items`` every
    pair (``lapwise._app_multidict``). ``close()`` (also on leaving ``with``) closes the file
    parts. Awaitable (``await req.form()`` in an ``async def`` handler gives the same object)."""

    __slots__ = ()

    def close(self) -> None:
        for _, value in self._items:
            if isinstance(value, UploadFile):
                value.close()

    def __enter__(self) -> FormData:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __await__(self) -> Generator[Any, None, FormData]:
        return self
        yield  # a generator: awaiting it finishes at once with the form

"""What ``req.form()`` gives a lapwise.App handler: ``FormData`` (the fields, repeated names
kept), ``UploadFile`` (one file part, spooled to a temporary file past a threshold),
``FormLimits`` (the bounds a form is read within) and ``FormError`` (an ``HTTPError``: 400 for
a malformed body, 413 over a limit, so that an uncaught one answers the client as it should)."""

from __future__ import annotations

import tempfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import IO, Any, Union

from ._app_errors import HTTPError


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


class FormData:
    """The fields of a form in the order sent. ``form[name]`` and ``get`` give the first value
    of a repeated name (as ``req.query`` does), ``getlist`` all of them, ``multi_items`` every
    pair. ``close()`` (also on leaving ``with``) closes the file parts. Awaitable (``await
    req.form()`` in an ``async def`` handler gives the same object)."""

    __slots__ = ("_items", "_first")

    def __init__(self, items: list[tuple[str, FormValue]] | None = None) -> None:
        self._items = items or []
        self._first: dict[str, FormValue] = {}
        for name, value in self._items:
            self._first.setdefault(name, value)

    def __getitem__(self, name: str) -> FormValue:
        return self._first[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self._first.get(name, default)

    def getlist(self, name: str) -> list[FormValue]:
        return [v for n, v in self._items if n == name]

    def multi_items(self) -> list[tuple[str, FormValue]]:
        return list(self._items)

    def keys(self) -> list[str]:
        return list(self._first)

    def items(self) -> list[tuple[str, FormValue]]:
        return list(self._first.items())

    def __contains__(self, name: object) -> bool:
        return name in self._first

    def __iter__(self) -> Iterator[str]:
        return iter(self._first)

    def __len__(self) -> int:
        return len(self._first)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FormData) and self._items == other._items

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"FormData({self._items!r})"

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

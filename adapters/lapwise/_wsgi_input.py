"""``wsgi.input`` over a streamed request body: the app's thread reads, the core delivers.

Each time the buffer runs dry, ``read``/``readline`` ask the native request for its next piece
(``req._read()``) and block the app's thread until the io thread hands it over (``piece``). The
core holds at most its window (``body_window``) ahead of the app, so memory stays bounded
whatever the upload's size; the first ask sends ``100 Continue`` when the client waits for it.
The body ends with ``b""``; a body that cannot be read on raises ``OSError``.

``BodyInput`` is also the chunk source a body parser can use (``chunks()``: the pieces as
they arrive, without copying them into a buffer first).
"""

from __future__ import annotations

import queue
from collections.abc import Iterator
from typing import Any

_STATUS_TEXT = {400: "the client left or sent a malformed body", 408: "the body stalled",
                413: "the body is over the server's max_body"}


class BodyInput:
    """A read-only binary stream over a streamed body (PEP 3333 ``wsgi.input``)."""

    def __init__(self, req: Any) -> None:
        self._req = req
        self._pieces: queue.SimpleQueue[tuple[bytes, bool, int]] = queue.SimpleQueue()
        self._buf = bytearray()
        self._end = False
        self._error = 0

    # The io thread's side.
    def piece(self, data: bytes, end: bool, error: int) -> None:
        self._pieces.put((data, end, error))

    # The app's side.
    def _next(self) -> bytes:
        """The next piece from the core (b"" at the end); raises once the body failed."""
        if self._error:
            raise OSError(f"request body: {_STATUS_TEXT.get(self._error, self._error)}")
        if self._end:
            return b""
        if not self._req._read():  # answered already: nothing more will come
            self._end = True
            return b""
        data, end, error = self._pieces.get()
        if error:
            self._error = error
            self._end = True
            return self._next()
        self._end = end
        return data

    def chunks(self) -> Iterator[bytes]:
        """What is buffered, then every further piece as it arrives, until the end."""
        if self._buf:
            data, self._buf = bytes(self._buf), bytearray()
            yield data
        while data := self._next():
            yield data
        if not self._end:  # an empty piece that is not the last: go on
            yield from self.chunks()

    def _fill(self) -> bool:
        """One more piece into the buffer; False at the end."""
        while not self._end:
            data = self._next()
            if data:
                self._buf += data
                return True
        return False

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            while self._fill():
                pass
            size = len(self._buf)
        while len(self._buf) < size and self._fill():
            pass
        data = bytes(self._buf[:size])
        del self._buf[:size]
        return data

    def readline(self, size: int | None = -1) -> bytes:
        limit = -1 if size is None else size
        start = 0
        while True:
            at = self._buf.find(b"\n", start)
            if at >= 0:
                end = at + 1
                break
            if 0 <= limit <= len(self._buf):
                end = limit
                break
            start = len(self._buf)
            if not self._fill():
                end = len(self._buf)
                break
        if 0 <= limit < end:
            end = limit
        data = bytes(self._buf[:end])
        del self._buf[:end]
        return data

    def readlines(self, hint: int = -1) -> list[bytes]:
        lines = []
        total = 0
        while line := self.readline():
            lines.append(line)
            total += len(line)
            if 0 < hint <= total:
                break
        return lines

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        """Nothing to release: the core drops what the app leaves unread."""

"""One streamed response's state (``Stream``) and how a source that raised ends it (``failed``):
shared by the async side (``_app_stream``) and the sync stepper (``_app_stream_sync``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any

from ._app_response import Response

log = logging.getLogger("lapwise.app")


def _has_type(headers: Any) -> bool:
    pairs = headers.items() if isinstance(headers, Mapping) else headers or ()
    return any(name.lower() == "content-type" for name, _ in pairs)


class Stream:
    """One streamed response: the head it was given, the parts it sent, the client's state.
    ``took`` is False while a part is in flight (sent, not yet handed back by the core);
    the core's hand-back sets ``gone`` (when the client left) before ``took``."""

    __slots__ = ("req", "head", "started", "gone", "took", "waiter", "waker", "task", "in_source",
                 "last_sent", "steps")

    def __init__(self, req: Any, head: Response) -> None:
        self.req = req
        self.head = head
        self.started = False
        self.gone = False
        self.took = True
        # Async streams: the future the producer awaits until the part in flight is taken.
        self.waiter: asyncio.Future[None] | None = None
        self.waker: Callable[[Stream], None] | None = None  # called by resume(), an io thread
        self.task: asyncio.Task[Any] | None = None
        self.in_source = False  # awaiting the source's next item
        self.last_sent = 0.0  # loop time of the last part
        self.steps: Any = None  # a sync stream's stepper (_app_stream_sync.Steps)

    def first_head(self, chunk: Any) -> Response:
        head = self.head
        if not _has_type(head.headers):
            head._add_header("Content-Type", "text/plain; charset=utf-8" if isinstance(chunk, str)
                             else "application/octet-stream")
        return head

    def send(self, data: bytes) -> None:
        """Sends ``data`` as the next part (with the head, the first time) from this thread."""
        self.took = False  # before the part: its hand-back may come at once
        if not self.started:
            self.req._start(Response(self.head.status, self.head.headers, data))
            self.started = True  # after: a head that fails to convert is answered as an error
        else:
            self.req._part(data, False)

    def end(self) -> None:
        if not self.started:
            self.started = True
            self.req._start(Response(self.head.status, self.head.headers, b""))
        self.req._part(b"", True)


def failed(stream: Stream, exc: BaseException) -> None:
    """A stream's source raised: before the head, the request is answered as a handler's
    error; after it, the error is logged and the stream ended."""
    if not stream.started:
        stream.req._fail(exc)
        return
    log.error("lapwise: a streamed response raised %s after its head; the stream was ended",
              type(exc).__name__, exc_info=exc)
    if not stream.gone:
        stream.req._part(b"", True)

"""A sync generator streamed by lapwise.App, stepped on the handler pool (see ``_app_stream``).

A pool thread runs the generator only while it produces. Each part is sent once the one before
it was taken (``Stream.took``); a part produced while the one before is still in flight is
parked, the thread goes back to the pool, and the core's hand-back of that part (the
``resume`` hook, on an io thread) submits the stream to the pool again. A stream whose client
reads slowly, or not at all, so holds no thread, and the App's ``def`` routes keep their
pool however many such streams are open. A burst of parts that are taken at once (a fast
client) runs on one thread for ``BURST`` parts, then goes to the back of the pool's queue, so
that one endless fast stream cannot keep a thread from the others.

When the client leaves, the hand-back says so (``Stream.gone``): a parked stream is closed at
once on the pool (``GeneratorExit`` at its ``yield``, its ``finally`` blocks run); a stream
whose generator is producing is closed as soon as that returns.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

from ._app_stream_one import Stream, failed

log = logging.getLogger("lapwise.app")

BURST = 64  # parts one pool turn sends in a row before it queues the stream again
_END = object()  # parked: the generator is exhausted, the end goes once the last part is taken


class _Failure:
    """Parked: the generator raised; answered once the part in flight was taken."""

    __slots__ = ("exc",)

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


class Steps:
    """Steps one sync stream's generator on the pool (see the module doc)."""

    __slots__ = ("stream", "source", "encode", "submit", "done", "lock", "parked", "running",
                 "finished")

    def __init__(self, stream: Stream, source: Iterator[Any], encode: Callable[[Any], bytes],
                 submit: Callable[[Callable[[Any], None], Any], None],
                 done: Callable[[Stream], None]) -> None:
        self.stream = stream
        self.source = source
        self.encode = encode
        self.submit = submit  # runs fn(req) on the handler pool
        self.done = done  # the stream has ended (Streams._done)
        self.lock = threading.Lock()  # orders a parking step against a hand-back
        self.parked: Any = None  # bytes, _END or a _Failure, waiting for the part in flight
        self.running = True  # a step is queued or running (the first is submitted with it)
        self.finished = False

    def resumed(self, stream: Stream) -> None:
        """The part in flight was taken, or the client left (an io thread, with the GIL):
        a parked stream goes back to the pool; a running step sees it itself."""
        with self.lock:
            if self.running or self.finished:
                return
            self.running = True
        self.submit(self.step, stream.req)

    def head_only(self, req: Any) -> None:
        """A HEAD request: the head alone; the generator is closed unread."""
        self._finish(_END)

    def step(self, req: Any) -> None:
        stream = self.stream
        for _ in range(BURST):
            item = self.parked
            if item is None:
                if stream.gone:
                    return self._finish(None)
                try:
                    chunk = next(self.source)
                    item = self.encode(chunk)
                    if not item:
                        continue
                    if not stream.started:
                        stream.first_head(chunk)
                except StopIteration:
                    item = _END
                except BaseException as exc:  # noqa: BLE001 - every outcome answers the request
                    item = _Failure(exc)
            else:
                self.parked = None
            with self.lock:
                if stream.gone:
                    finish = True
                elif not stream.took:
                    self.parked = item
                    self.running = False
                    return None
                else:
                    finish = item is _END or isinstance(item, _Failure)
            if finish:
                return self._finish(None if stream.gone else item)
            try:
                stream.send(item)
            except BaseException as exc:  # noqa: BLE001 - a head that does not convert
                return self._finish(_Failure(exc))
        self.submit(self.step, req)
        return None

    def _finish(self, item: Any) -> None:
        """Ends the stream: ``_END`` sends the end, a ``_Failure`` answers the error, None
        (the client left) completes the request without sending more; then closes the
        generator."""
        stream = self.stream
        with self.lock:
            self.finished = True
            self.running = False
        try:
            if item is _END:
                stream.end()
            elif isinstance(item, _Failure):
                failed(stream, item.exc)
            elif stream.started:
                stream.req._part(b"", True)  # completes the request (nothing more is sent)
            else:
                stream.end()
        finally:
            close = getattr(self.source, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # noqa: BLE001 - the response is out already
                    log.exception("lapwise: a streamed response's close() raised")
            self.done(stream)

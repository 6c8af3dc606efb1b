"""Streamed responses for lapwise.App: a handler that returns a generator, an async generator
or a ``StreamingResponse`` sends its body as it is produced.

    @app.get("/count")
    def count(req):
        for i in range(3):
            yield f"{i}\\n"                     # str (UTF-8) or bytes, one chunk each

    @app.get("/feed")
    def feed(req):
        return lapwise.StreamingResponse(rows(), media_type="text/csv", headers={"X-A": "1"})

Each non-empty chunk is one part of the response (chunked on HTTP/1.1; on HTTP/1.0 the close
ends the body). The producer waits after each part until the server core took it and the
connection's unsent output is below ``max_output``: a slow client holds the generator back
instead of filling memory. A sync generator runs on the handler pool (one pool thread for the
stream's life: use an async generator for many long-lived streams), an async generator on the
App's asyncio loop. When the client leaves, the stream learns it as it sends its next part
(so a long quiet stream should send keep-alives, as ``EventSourceResponse`` does): the
generator is then closed (``close()``/``aclose()``, so its ``finally`` blocks run) and nothing
more is sent. An exception before the first chunk is answered as a handler's is (error
handlers apply); after it, the error is logged and the stream ended. A HEAD request gets the
head only; the generator is closed unread. Without a media type, the first chunk decides the
Content-Type: text/plain; charset=utf-8 for str, application/octet-stream for bytes.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from typing import Any

from ._app_response import Response

log = logging.getLogger("lapwise.app")


class StreamingResponse(Response):
    """A response whose body is an iterable or async iterable of str/bytes chunks, sent as
    they come (see the module doc). ``media_type`` sets the Content-Type."""

    __slots__ = ()
    # (seconds, bytes): with an async source, this part is sent after that many seconds without
    # one (EventSourceResponse's keep-alive comments); None: never.
    keepalive: tuple[float, bytes] | None = None

    def __init__(self, content: Iterable[Any] | AsyncIterator[Any] | Any, status: int = 200,
                 headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
                 media_type: str | None = None) -> None:
        super().__init__(status, headers, content)
        if media_type is not None:
            self._add_header("Content-Type", media_type)

    def chunks(self) -> Any:
        """The body's chunks as an iterator or async iterator (EventSourceResponse encodes its
        events and adds keep-alives here)."""
        body = self.body
        return body if hasattr(body, "__anext__") else body.__aiter__() if hasattr(body, "__aiter__") \
            else iter(body)


def encode(chunk: Any) -> bytes:
    if isinstance(chunk, str):
        return chunk.encode()
    if isinstance(chunk, (bytes, bytearray, memoryview)):
        return bytes(chunk)
    raise TypeError(f"a streamed chunk must be str or bytes, not {type(chunk).__name__}")


def _has_type(headers: Any) -> bool:
    pairs = headers.items() if isinstance(headers, Mapping) else headers or ()
    return any(name.lower() == "content-type" for name, _ in pairs)


class _Stream:
    """One streamed response: the head it was given, the parts it sent, the client's state."""

    __slots__ = ("req", "head", "started", "gone", "taken", "waker", "task", "in_source", "last_sent")

    def __init__(self, req: Any, head: Response) -> None:
        self.req = req
        self.head = head
        self.started = False
        self.gone = False
        # Async streams: the future of the part in flight (at most one: the core hands a
        # request back once however many parts were sent), settled when the core took it.
        self.taken: asyncio.Future[None] | None = None
        self.waker: Callable[[], None] | None = None
        self.task: asyncio.Task[Any] | None = None
        self.in_source = False  # awaiting the source's next chunk
        self.last_sent = 0.0  # loop time of the last part

    def first_head(self, chunk: Any) -> Response:
        head = self.head
        if not _has_type(head.headers):
            head._add_header("Content-Type", "text/plain; charset=utf-8" if isinstance(chunk, str)
                             else "application/octet-stream")
        return head

    def start_or_part(self, data: bytes) -> None:
        if not self.started:
            self.started = True
            self.req._start(Response(self.head.status, self.head.headers, data))
        else:
            self.req._part(data, False)

    def end(self) -> None:
        if not self.started:
            self.started = True
            self.req._start(Response(self.head.status, self.head.headers, b""))
        self.req._part(b"", True)


class Streams:
    """The App's streams while they run: the native server's ``stream`` hook (a handler's
    result to stream), its ``resume`` hook (a part was taken, or the client left), and ``cut``
    for a shutdown out of time."""

    def __init__(self, submit: Callable[[Callable[[Any], None], Any], None],
                 schedule: Callable[[Any, Any], None]) -> None:
        self._submit = submit  # runs fn(req) on the handler pool
        self._schedule = schedule  # runs a coroutine on the App's loop; its result answers req
        self._lock = threading.Lock()
        self._ended = threading.Condition(self._lock)  # notified as each stream ends
        self._live: dict[Any, _Stream] = {}
        self._wakes: _LoopWakes | None = None  # made on the loop by the first async stream

    def start(self, req: Any, result: Any) -> None:
        """The native stream hook: ``result`` (a generator, async generator or
        StreamingResponse) answers ``req``."""
        if not isinstance(result, StreamingResponse):
            result = StreamingResponse(result)
        stream = _Stream(req, result)
        head_only = req.method == "HEAD"
        source = result.chunks()
        with self._lock:
            self._live[req] = stream
        if hasattr(source, "__anext__"):
            self._schedule(self._run_async(stream, source, head_only, result.keepalive), req)
        else:
            self._submit(lambda r: self._run_sync(stream, source, head_only), req)

    def resume(self, req: Any, gone: bool) -> None:
        """The native resume hook (an io thread, with the GIL)."""
        stream = self._live.get(req)
        if stream is None:
            return
        if gone:
            stream.gone = True
        if stream.waker is not None:
            stream.waker()

    def cut(self, grace: float = 1.0) -> int:
        """Ends every stream that has started (a shutdown out of time) and tells it its client
        is gone, then waits up to ``grace`` seconds for their generators to be closed (before
        the loop and the pool stop under them); returns how many there were."""
        with self._lock:
            live = list(self._live.values())
        for stream in live:
            stream.gone = True
            if stream.started:
                stream.req._part(b"", True)
            if stream.waker is not None:
                stream.waker()
        deadline = time.monotonic() + grace
        with self._ended:
            while self._live and (left := deadline - time.monotonic()) > 0:
                self._ended.wait(left)
        return len(live)

    def _done(self, stream: _Stream) -> None:
        with self._ended:
            self._live.pop(stream.req, None)
            self._ended.notify_all()

    def _run_sync(self, stream: _Stream, source: Iterator[Any], head_only: bool) -> None:
        event = threading.Event()
        stream.waker = event.set
        try:
            if not head_only:
                for chunk in source:
                    data = encode(chunk)
                    if not data:
                        continue
                    if not stream.started:
                        stream.first_head(chunk)
                    event.clear()
                    stream.start_or_part(data)
                    if not stream.gone:  # gone is set before the wake-up: none is missed
                        event.wait()
                    if stream.gone:
                        break
            if not stream.gone:
                stream.end()
        except BaseException as exc:  # noqa: BLE001 - every outcome answers the request
            self._failed(stream, exc)
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                try:
                    close()
                except Exception:  # noqa: BLE001 - the response is out already
                    log.exception("lapwise: a streamed response's close() raised")
            if stream.gone and stream.started:
                stream.req._part(b"", True)  # completes the request (nothing more is sent)
            self._done(stream)

    async def _run_async(self, stream: _Stream, source: AsyncIterator[Any], head_only: bool,
                         keepalive: tuple[float, bytes] | None) -> Any:
        loop = asyncio.get_running_loop()
        if self._wakes is None:
            self._wakes = _LoopWakes(loop)
        wakes = self._wakes
        stream.task = asyncio.current_task()
        stream.waker = lambda: wakes.add(stream)  # an io thread
        timer = None
        if keepalive and not head_only:  # the head goes out at once: a client sees the stream open
            stream.taken = loop.create_future()
            stream.last_sent = loop.time()
            stream.start_or_part(b"")
            timer = _KeepAlive(loop, stream, keepalive)
        try:
            if not head_only:
                while True:
                    stream.in_source = True
                    try:
                        chunk = await source.__anext__()
                    except StopAsyncIteration:
                        break
                    finally:
                        stream.in_source = False
                    data = encode(chunk)
                    if not data:
                        continue
                    if stream.taken is not None and not stream.taken.done():
                        await stream.taken  # a keep-alive still in flight
                    if stream.gone:
                        break
                    if not stream.started:
                        stream.first_head(chunk)
                    stream.taken = fut = loop.create_future()
                    stream.last_sent = loop.time()
                    stream.start_or_part(data)
                    await fut
                    if stream.gone:
                        break
            if not stream.gone:
                stream.end()
        except asyncio.CancelledError:
            if not stream.gone:
                raise  # not ours: a shutdown's cut
            # The client left while the source had nothing to send (noticed by a keep-alive).
        except Exception as exc:  # noqa: BLE001 - after the head, the stream just ends
            if not stream.started:
                raise  # answered as a handler's exception (error handlers apply)
            self._failed(stream, exc)
        finally:
            if timer is not None:
                timer.cancel()
            try:
                aclose = getattr(source, "aclose", None)
                if aclose is not None:
                    try:
                        await aclose()
                    except Exception:  # noqa: BLE001 - the response is out already
                        log.exception("lapwise: a streamed response's aclose() raised")
            finally:
                if stream.gone and stream.started:
                    stream.req._part(b"", True)
                self._done(stream)
        return None

    @staticmethod
    def _failed(stream: _Stream, exc: BaseException) -> None:
        if not stream.started:
            stream.req._fail(exc)
            return
        log.error("lapwise: a streamed response raised %s after its head; the stream was ended",
                  type(exc).__name__, exc_info=exc)
        if not stream.gone:
            stream.req._part(b"", True)


class _KeepAlive:
    """Sends a keep-alive part whenever the stream has sent nothing for ``interval`` seconds
    (and no part is in flight): one timer a stream, re-armed for when the interval can next
    pass, so that it costs nothing per event."""

    def __init__(self, loop: asyncio.AbstractEventLoop, stream: _Stream, keepalive: tuple[float, bytes]) -> None:
        self._loop = loop
        self._stream = stream
        self._interval, self._part = keepalive
        self._handle = loop.call_later(self._interval, self._tick)

    def _tick(self) -> None:
        stream = self._stream
        if stream.gone:
            return
        idle = self._loop.time() - stream.last_sent
        if idle >= self._interval and stream.started and (stream.taken is None or stream.taken.done()):
            stream.taken = self._loop.create_future()
            stream.last_sent = self._loop.time()
            stream.req._part(self._part, False)
            idle = 0.0
        self._handle = self._loop.call_later(max(self._interval - idle, 0.001), self._tick)

    def cancel(self) -> None:
        self._handle.cancel()


class _LoopWakes:
    """Streams whose part the core took (or whose client left), handed over by the io
    threads: one loop wake-up per batch of them (each wake-up costs the loop a self-pipe
    read and the io thread a write)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._items: list[_Stream] = []
        self._woken = False

    def add(self, stream: _Stream) -> None:
        self._items.append(stream)  # appended before the flag is read: no wake-up is lost
        if not self._woken:
            self._woken = True
            self._loop.call_soon_threadsafe(self._settle)

    def _settle(self) -> None:
        self._woken = False
        items, self._items = self._items, []
        for stream in items:
            fut = stream.taken
            if fut is not None and not fut.done():
                fut.set_result(None)
            if stream.gone and stream.in_source and stream.task is not None:
                stream.task.cancel()  # its source has nothing to send: stop waiting for it

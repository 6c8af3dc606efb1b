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
ends the body). At most one part is in flight: a part is sent once the server core took the
one before it and the connection's unsent output is below ``max_output``, so a slow client
holds the producer back instead of filling memory.

A sync generator is stepped on the handler pool (``_app_stream_sync``): a pool thread runs it
only while it produces; a part that must wait for room parks the stream and frees the thread,
and the core's hand-back puts it on the pool again. Slow clients and long streams therefore
hold no thread, and ``def`` routes keep their pool. An async generator runs on the App's
asyncio loop; the parts it produces in one loop iteration go to the io threads together (one
wake-up for all: ``parts_many``), and a part taken while the generator is busy costs the loop
no wake-up.

When the client leaves, the stream is told at once (the server core watches the connection of
a stream, also while it is quiet between two parts; cores/server/README.md): the
generator is closed (``close()``, so ``GeneratorExit`` at its ``yield``), an async generator
that is waiting for its next item is cancelled (``CancelledError`` at its ``await``), its
``finally`` blocks run, and nothing more is sent. A sync generator busy producing its next
item is closed once that returns. An exception before the first chunk is answered as a
handler's is (error handlers apply); after it, the error is logged and the stream ended. A HEAD
request gets the head only; the generator is closed unread. Without a media type, the first
chunk decides the Content-Type: text/plain; charset=utf-8 for str, application/octet-stream
for bytes.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import Any

from . import _native_status
from ._app_response import Response
from ._app_stream_one import Stream, failed
from ._app_stream_sync import Steps

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

    def answer_whole(self, req: Any) -> bool:
        """Answers ``req`` at once and returns True when this is no stream of parts (a file:
        ``lapwise.send_file``); False (this class): it is streamed."""
        return False

    def chunks(self) -> Any:
        """The body's items as an iterator or async iterator."""
        body = self.body
        return body if hasattr(body, "__anext__") else body.__aiter__() if hasattr(body, "__aiter__") \
            else iter(body)

    def encoder(self) -> Callable[[Any], bytes]:
        """What turns one item of ``chunks()`` into the bytes sent (EventSourceResponse
        encodes events here)."""
        return encode


def encode(chunk: Any) -> bytes:
    if isinstance(chunk, str):
        return chunk.encode()
    if isinstance(chunk, bytes):
        return chunk
    if isinstance(chunk, (bytearray, memoryview)):
        return bytes(chunk)
    raise TypeError(f"a streamed chunk must be str or bytes, not {type(chunk).__name__}")


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
        self._live: dict[Any, Stream] = {}
        self._loop_side: _LoopSide | None = None  # made on the loop by the first async stream

    def start(self, req: Any, result: Any) -> None:
        """The native stream hook: ``result`` (a generator, async generator or
        StreamingResponse) answers ``req``."""
        if not isinstance(result, StreamingResponse):
            result = StreamingResponse(result)
        elif result.answer_whole(req):
            return
        stream = Stream(req, result)
        head_only = req.method == "HEAD"
        source = result.chunks()
        with self._lock:
            self._live[req] = stream
        if hasattr(source, "__anext__"):
            self._schedule(self._run_async(stream, source, head_only, result.keepalive, result.encoder()),
                           req)
        else:
            stream.steps = Steps(stream, source, result.encoder(), self._submit, self._done)
            stream.waker = stream.steps.resumed
            self._submit(stream.steps.step if not head_only else stream.steps.head_only, req)

    def resume(self, req: Any, gone: bool) -> None:
        """The native resume hook (an io thread, with the GIL): the part in flight was taken,
        or the client left."""
        stream = self._live.get(req)
        if stream is None:
            return
        if gone:
            stream.gone = True
        stream.took = True
        if stream.waiter is None and stream.steps is None and not gone:
            return  # an async producer that is busy reads ``took`` before its next part
        waker = stream.waker
        if waker is not None:
            waker(stream)

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
            stream.took = True
            if stream.waker is not None:
                stream.waker(stream)
        deadline = time.monotonic() + grace
        with self._ended:
            while self._live and (left := deadline - time.monotonic()) > 0:
                self._ended.wait(left)
        return len(live)

    def _done(self, stream: Stream) -> None:
        with self._ended:
            self._live.pop(stream.req, None)
            self._ended.notify_all()

    async def _run_async(self, stream: Stream, source: AsyncIterator[Any], head_only: bool,
                         keepalive: tuple[float, bytes] | None, encoder: Callable[[Any], bytes]) -> Any:
        loop = asyncio.get_running_loop()
        if self._loop_side is None:
            self._loop_side = _LoopSide(loop)
        side = self._loop_side
        stream.task = asyncio.current_task()
        stream.waker = side.resumed
        timer = None
        if keepalive and not head_only:  # the head goes out at once: a client sees the stream open
            stream.last_sent = loop.time()
            side.send(stream, b"")
            timer = _KeepAlive(loop, side, stream, keepalive)
        try:
            if not head_only:
                anext = source.__anext__
                out = side.out
                req = stream.req
                while True:
                    stream.in_source = True
                    try:
                        chunk = await anext()
                    except StopAsyncIteration:
                        break
                    finally:
                        stream.in_source = False
                    data = encoder(chunk)
                    if not data:
                        continue
                    if not stream.took:
                        await side.taken(stream)
                    if stream.gone:
                        break
                    if timer is not None:
                        stream.last_sent = loop.time()
                    if stream.started and out:  # the common case, as side.send does it
                        stream.took = False
                        out.append((req, None, data, False))
                        continue
                    if not stream.started:
                        stream.first_head(chunk)
                    side.send(stream, data)
            if not stream.took:
                await side.taken(stream)
            if not stream.gone:
                side.end(stream)
        except asyncio.CancelledError:
            if not stream.gone:
                raise  # not ours: a shutdown's cut
            # The client left while the source had nothing to send.
        except Exception as exc:  # noqa: BLE001 - after the head, the stream just ends
            if not stream.started:
                raise  # answered as a handler's exception (error handlers apply)
            if not stream.took:
                await side.taken(stream)
            failed(stream, exc)
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
                    side.flush()  # what is queued goes first: the end completes the request
                    stream.req._part(b"", True)
                self._done(stream)
        return None


class _KeepAlive:
    """Sends a keep-alive part whenever the stream has sent nothing for ``interval`` seconds
    (and no part is in flight): one timer a stream, re-armed for when the interval can next
    pass, so that it costs nothing per event."""

    def __init__(self, loop: asyncio.AbstractEventLoop, side: _LoopSide, stream: Stream,
                 keepalive: tuple[float, bytes]) -> None:
        self._loop = loop
        self._side = side
        self._stream = stream
        self._interval, self._part = keepalive
        self._handle = loop.call_later(self._interval, self._tick)

    def _tick(self) -> None:
        stream = self._stream
        if stream.gone:
            return
        idle = self._loop.time() - stream.last_sent
        if idle >= self._interval and stream.started and stream.took:
            stream.last_sent = self._loop.time()
            self._side.send(stream, self._part)
            idle = 0.0
        self._handle = self._loop.call_later(max(self._interval - idle, 0.001), self._tick)

    def cancel(self) -> None:
        self._handle.cancel()


class _LoopSide:
    """The async streams' traffic with the io threads, on the App's loop. Outbound: the parts
    of one loop iteration are queued and handed over together at the start of the next
    (``parts_many``: each io thread woken once). Inbound: a hand-back wakes the loop only when
    a producer waits for it (or the client left), and then once per batch of them (each
    wake-up costs the loop a self-pipe read and the io thread a write)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        # The parts of this iteration; a producer appends to it directly while a flush is due.
        self.out: list[tuple[Any, Any, bytes, bool]] = []
        self._parts_many = _native_status.module().parts_many
        self._items: list[Stream] = []
        self._woken = False

    # --------------------------------------------------------------------- the loop's side
    def send(self, stream: Stream, data: bytes) -> None:
        stream.took = False
        head = None
        if not stream.started:
            stream.started = True
            head = Response(stream.head.status, stream.head.headers, data)
        self._queue((stream.req, head, data, False))

    def end(self, stream: Stream) -> None:
        if not stream.started:
            stream.started = True
            self._queue((stream.req, Response(stream.head.status, stream.head.headers, b""), b"", False))
        self._queue((stream.req, None, b"", True))

    def _queue(self, item: tuple[Any, Any, bytes, bool]) -> None:
        if not self.out:
            self._loop.call_soon(self.flush)
        self.out.append(item)

    def flush(self) -> None:
        if self.out:
            batch = self.out.copy()
            self.out.clear()  # in place: producers hold this list
            self._parts_many(batch)

    async def taken(self, stream: Stream) -> None:
        """Waits until the part in flight was taken (or the client left)."""
        stream.waiter = fut = self._loop.create_future()
        try:
            if not stream.took:  # read after the waiter is visible: resumed() sees one or the other
                await fut
        finally:
            stream.waiter = None

    # ----------------------------------------------------------------- the io threads' side
    def resumed(self, stream: Stream) -> None:
        if stream.waiter is None and not stream.gone:
            return  # the producer is busy: it reads ``took`` before its next part
        self._items.append(stream)  # appended before the flag is read: no wake-up is lost
        if not self._woken:
            self._woken = True
            self._loop.call_soon_threadsafe(self._settle)

    def _settle(self) -> None:
        self._woken = False
        items, self._items = self._items, []
        for stream in items:
            fut = stream.waiter
            if fut is not None and not fut.done():
                fut.set_result(None)
            if stream.gone and stream.in_source and stream.task is not None:
                stream.task.cancel()  # its source has nothing to send: stop waiting for it

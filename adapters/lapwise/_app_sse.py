"""Server-Sent Events for lapwise.App (the WHATWG HTML ``text/event-stream`` format).

    @app.get("/events")
    async def events(req):
        async def source():
            for i in range(10):
                yield lapwise.ServerSentEvent(data={"n": i}, event="tick", id=str(i))
                await asyncio.sleep(1)
        return lapwise.EventSourceResponse(source(), ping=15)

Each item of the source is one event: a ``ServerSentEvent``, a dict of its fields, or a str /
bytes (the data alone). Data that is not str or bytes is sent as JSON. Multi-line data becomes
one ``data:`` line per line (CR, LF and CRLF all end a line, as the browser reads them);
``event`` and ``id`` may not hold a line break (``id`` no NUL either: the browser would ignore
it), ``retry`` is whole milliseconds; a ``comment`` is sent as ``:`` lines, which clients
ignore. The response carries ``Cache-Control: no-cache`` and ``X-Accel-Buffering: no`` (so a
proxy passes events on at once). With an async source, a keep-alive comment goes out after
every ``ping`` seconds without an event: it keeps idle proxies from closing the stream; a sync
source yields its own (``ServerSentEvent(comment="")``). A client that leaves closes the source
as it closes any stream (``_app_stream``). Events are encoded as the stream sends them
(``encoder()``), with no generator wrapped around the source.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ._app_stream import StreamingResponse

_LINES = re.compile(r"\r\n|\r|\n")
PING_S = 15.0


@dataclass(frozen=True)
class ServerSentEvent:
    """One event; every field optional (an event with only a comment is a keep-alive)."""

    data: Any = None
    event: str | None = None
    id: str | None = None
    retry: int | None = None
    comment: str | None = None

    def encode(self) -> bytes:
        """The event as sent: its field lines, then a blank line."""
        out: list[str] = []
        if self.comment is not None:
            out.extend(": " + line if line else ":" for line in _LINES.split(self.comment))
        if self.event is not None:
            _check_field("event", self.event)
            out.append("event: " + self.event)
        if self.id is not None:
            _check_field("id", self.id)
            if "\0" in self.id:
                raise ValueError("an SSE id may not hold NUL (the browser would ignore it)")
            out.append("id: " + self.id)
        if self.retry is not None:
            if isinstance(self.retry, bool) or not isinstance(self.retry, int) or self.retry < 0:
                raise ValueError(f"SSE retry is whole milliseconds >= 0, not {self.retry!r}")
            out.append(f"retry: {self.retry}")
        if self.data is not None:
            data = self.data
            if isinstance(data, (bytes, bytearray)):
                data = bytes(data).decode("utf-8")
            elif not isinstance(data, str):
                data = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
            out.extend("data: " + line for line in _LINES.split(data))
        return ("\n".join(out) + "\n\n").encode()


def _check_field(name: str, value: str) -> None:
    if "\r" in value or "\n" in value:
        raise ValueError(f"an SSE {name} may not hold CR or LF: {value!r}")


def encode_event(item: Any) -> bytes:
    """One source item as sent (see the module doc)."""
    if isinstance(item, ServerSentEvent):
        return item.encode()
    if isinstance(item, Mapping):
        return ServerSentEvent(**item).encode()
    return ServerSentEvent(data=item).encode()


class EventSourceResponse(StreamingResponse):
    """A ``text/event-stream`` response from a sync or async iterable of events (see the
    module doc); ``ping``: seconds of silence before a keep-alive comment (async sources;
    None: none)."""

    __slots__ = ("ping", "keepalive")

    def __init__(self, content: Iterable[Any] | AsyncIterator[Any] | Any, status: int = 200,
                 headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
                 ping: float | None = PING_S) -> None:
        merged = list(headers.items()) if isinstance(headers, Mapping) else list(headers or ())
        names = {name.lower() for name, _ in merged}
        for name, value in (("Cache-Control", "no-cache"), ("X-Accel-Buffering", "no")):
            if name.lower() not in names:
                merged.append((name, value))
        super().__init__(content, status, merged, "text/event-stream; charset=utf-8")
        if ping is not None and not ping > 0:
            raise ValueError("ping is a positive number of seconds, or None")
        self.ping = ping
        self.keepalive = None if ping is None else (ping, b": ping\n\n")

    def encoder(self) -> Callable[[Any], bytes]:
        return encode_event

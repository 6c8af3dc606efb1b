"""parser/h11: h11 0.14's ``Connection`` in the server role.

One fresh connection per call (the interface is stateless): ``receive_data(buf)``, then
``next_event()`` until ``EndOfMessage`` (complete), ``NEED_DATA`` (partial) or a
``RemoteProtocolError`` (its ``error_status_hint`` is the status). Headers come from
``raw_items()`` (received case); path/query split the target at the first "?" (h11 does not
parse targets); keep-alive and framing follow the accepted headers; ``consumed`` is what h11
leaves in ``trailing_data``.
"""

from __future__ import annotations

from typing import ClassVar

from ..adapter import Availability, requires_module
from ._peer import framing_from, keep_alive_from
from .base import PARTIAL, Header, Parsed, ParseError, Parser, ParseResult


class H11Parser(Parser):
    name: ClassVar[str] = "h11"

    @classmethod
    def available(cls) -> Availability:
        return requires_module("h11")

    def parse_request(self, buf: bytes) -> ParseResult:
        import h11

        buf = bytes(buf)
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=self.limits.max_header_bytes)
        try:
            if buf:  # receive_data(b"") would mean end of stream to h11
                conn.receive_data(buf)
            request = None
            body: list[bytes] = []
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    return PARTIAL
                if isinstance(event, h11.Request):
                    request = event
                elif isinstance(event, h11.Data):
                    body.append(event.data)
                elif isinstance(event, h11.EndOfMessage):
                    break
                else:  # PAUSED or ConnectionClosed cannot happen before EndOfMessage here
                    return ParseError(400, f"unexpected h11 event {event!r}")
        except h11.RemoteProtocolError as exc:
            return ParseError(exc.error_status_hint, str(exc))
        assert request is not None
        headers: list[Header] = [(n.decode("latin-1"), v.decode("latin-1"))
                                 for n, v in request.headers.raw_items()]
        trailers: list[Header] = [(n.decode("latin-1"), v.decode("latin-1"))
                                  for n, v in event.headers.raw_items()]
        target = request.target.decode("latin-1")
        path, _, query = target.partition("?")
        version = request.http_version.decode("latin-1")
        return Parsed(method=request.method.decode("latin-1"), target=target, path=path,
                      query=query, version=version, headers=headers,
                      framing=framing_from(headers), body=b"".join(body),
                      consumed=len(buf) - len(conn.trailing_data[0]),
                      keep_alive=keep_alive_from(version, headers), trailers=trailers)

"""parser/aiohttp: aiohttp 3.8.4's C request parser (``aiohttp._http_parser``, over llhttp).

The C parser runs standalone: it needs a protocol and an event loop only to build the body's
``StreamReader``, so a ``BaseProtocol`` over a private loop that never runs is enough (nothing is
scheduled on it; body bytes are read back with ``read_nowait``). One fresh parser per call.
Method, target, keep-alive (``not should_close``), path and query (``url.raw_path`` and
``raw_query_string``) are aiohttp's answers; headers come from ``raw_headers``. A
``HttpProcessingError``'s ``code`` is the status. aiohttp drops chunked trailers. It does not
report bytes used: ``consumed`` is the whole buffer unless ``feed_eof`` shows that a second
message began, and then it is found by bisection with fresh parsers (pipelined input only).
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar

from ..adapter import Availability, requires_module
from ._peer import first_message_end, framing_from, strip_ows
from .base import PARTIAL, Header, Parsed, ParseError, Parser, ParseResult


@functools.cache
def _runtime() -> tuple[Any, Any, Any]:
    """(parser class, protocol, loop), made once: the loop is never run or closed."""
    import asyncio

    from aiohttp import http_parser
    from aiohttp.base_protocol import BaseProtocol

    loop = asyncio.new_event_loop()
    return http_parser.HttpRequestParserC, BaseProtocol(loop), loop


class AiohttpParser(Parser):
    name: ClassVar[str] = "aiohttp"

    @classmethod
    def available(cls) -> Availability:
        ok = requires_module("aiohttp.http_parser")
        if not ok:
            return ok
        from aiohttp import http_parser

        if getattr(http_parser, "HttpRequestParserC", None) is None:
            return Availability(False, "aiohttp's C parser is not built on this machine "
                                       "(AIOHTTP_NO_EXTENSIONS or a pure-Python install)")
        return ok

    def _new(self) -> Any:
        cls, protocol, loop = _runtime()
        return cls(protocol, loop, 2**16, max_line_size=self.limits.max_request_line,
                   max_field_size=self.limits.max_header_bytes)

    def _feed(self, buf: bytes) -> tuple[Any, list[Any], Exception | None]:
        """A fresh parser fed ``buf``: (parser, the (message, payload) pairs, error)."""
        from aiohttp.http_exceptions import HttpProcessingError

        p = self._new()
        try:
            messages, _, _ = p.feed_data(buf)
        except HttpProcessingError as exc:
            return p, [], exc
        return p, list(messages), None

    def _is_complete(self, buf: bytes) -> bool:
        _, messages, _ = self._feed(buf)
        return bool(messages) and messages[0][1].is_eof()

    def parse_request(self, buf: bytes) -> ParseResult:
        buf = bytes(buf)
        p, messages, error = self._feed(buf)
        if error is not None:
            return ParseError(getattr(error, "code", 400) or 400, str(error))
        if not messages or not messages[0][1].is_eof():
            return PARTIAL
        message, payload = messages[0]
        next_began = len(messages) > 1
        if not next_began:
            try:  # feed_eof hands back a message that had begun but not finished
                next_began = p.feed_eof() is not None
            except Exception:  # noqa: BLE001 - a broken partial next message also began
                next_began = True
        consumed = first_message_end(self._is_complete, buf) if next_began else len(buf)
        headers: list[Header] = [(n.decode("latin-1"), strip_ows(v.decode("latin-1")))
                                 for n, v in message.raw_headers]
        body = payload.read_nowait(-1)
        version = f"{message.version.major}.{message.version.minor}"
        return Parsed(method=message.method, target=message.path, path=message.url.raw_path,
                      query=message.url.raw_query_string, version=version, headers=headers,
                      framing=framing_from(headers), body=body, consumed=consumed,
                      keep_alive=not message.should_close, trailers=[])

"""parser/httptools: httptools 0.1.1's ``HttpRequestParser`` (http-parser) with callbacks.

One fresh parser per call. Callbacks collect the first message only: URL, headers in received
order (``on_header``; those after ``on_headers_complete`` are chunked trailers), body pieces.
Method, version and keep-alive are httptools' own answers; path and query come from
``httptools.parse_url``. An ``HttpParserError`` is a 400 except for the header-overflow error
(431). httptools does not report bytes used, so ``consumed`` is the whole buffer unless a second
message began in it; then it is found by bisection with fresh parsers (pipelined input only).
"""

from __future__ import annotations

from typing import ClassVar

from ..adapter import Availability, requires_module
from ._peer import first_message_end, framing_from, strip_ows
from .base import PARTIAL, Header, Parsed, ParseError, Parser, ParseResult


class _Collector:
    """The httptools protocol object: records the first message's pieces."""

    __slots__ = ("begins", "url", "headers", "trailers", "head_done", "body", "done",
                 "method", "version", "keep_alive", "parser")

    def __init__(self) -> None:
        self.begins = 0
        self.url = b""
        self.headers: list[Header] = []
        self.trailers: list[Header] = []
        self.head_done = False
        self.body: list[bytes] = []
        self.done = False

    def on_message_begin(self) -> None:
        self.begins += 1

    def on_url(self, url: bytes) -> None:
        if not self.done:
            self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        if not self.done:
            field = (name.decode("latin-1"), strip_ows(value.decode("latin-1")))
            (self.trailers if self.head_done else self.headers).append(field)

    def on_headers_complete(self) -> None:
        if not self.done:
            self.head_done = True
            p = self.parser
            self.method = p.get_method().decode("latin-1")
            self.version = p.get_http_version()
            self.keep_alive = p.should_keep_alive()

    def on_body(self, body: bytes) -> None:
        if not self.done:
            self.body.append(body)

    def on_message_complete(self) -> None:
        self.done = True


class HttptoolsParser(Parser):
    name: ClassVar[str] = "httptools"

    @classmethod
    def available(cls) -> Availability:
        return requires_module("httptools")

    @staticmethod
    def _feed(buf: bytes) -> tuple[_Collector, Exception | None]:
        """Feeds ``buf`` to a fresh parser: the collector and the error it raised, if any. An
        error after the first message is complete belongs to the next one and is ignored."""
        import httptools

        c = _Collector()
        c.parser = httptools.HttpRequestParser(c)
        try:
            c.parser.feed_data(buf)
        except httptools.HttpParserUpgrade:
            return c, None  # the message is complete; its upgrade is the caller's business
        except httptools.HttpParserError as exc:
            return c, exc
        return c, None

    def _is_complete(self, buf: bytes) -> bool:
        return self._feed(buf)[0].done

    def parse_request(self, buf: bytes) -> ParseResult:
        import httptools

        buf = bytes(buf)
        c, error = self._feed(buf)
        if not c.done:
            if error is not None:
                text = str(error)
                return ParseError(431 if "header overflow" in text.lower() else 400, text)
            return PARTIAL
        consumed = len(buf) if c.begins == 1 else first_message_end(self._is_complete, buf)
        target = c.url.decode("latin-1")
        try:
            url = httptools.parse_url(c.url)
        except httptools.HttpParserError as exc:  # e.g. authority-form: httptools' answer
            return ParseError(400, f"httptools.parse_url: {exc}")
        path = (url.path or b"").decode("latin-1")
        query = (url.query or b"").decode("latin-1")
        return Parsed(method=c.method, target=target, path=path, query=query, version=c.version,
                      headers=c.headers, framing=framing_from(c.headers), body=b"".join(c.body),
                      consumed=consumed, keep_alive=c.keep_alive, trailers=c.trailers)

"""The "parse request" step of each Python family: raw bytes -> RequestHead.

Each is the thinnest correct code for its parser. The native and pure-Python parsers return a
result whose fields are read into the head; httptools is driven by a callback collector that
keeps only what the contract asks for (the URL, the headers, the method and the version), as a
server's protocol object does, not by the conformance adapter (which also derives framing,
keep-alive, trailers, body and pipelined lengths).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from suites.laps.lap_contract import RequestHead, head_of


def adapter_head(adapter: Any) -> Callable[[bytes], RequestHead]:
    """parse_request of a parser adapter whose result has the Parsed fields, then every field
    read into the head."""
    parse = adapter.parse_request

    def parse_head(buf: bytes) -> RequestHead:
        return head_of(parse(buf))

    return parse_head


class _HeadCollector:
    __slots__ = ("url", "headers", "done")

    def __init__(self) -> None:
        self.url = b""
        self.headers: list[tuple[str, str]] = []
        self.done = False

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        self.done = True


def httptools_head() -> Callable[[bytes], RequestHead]:
    """httptools' HttpRequestParser with a minimal collector, and parse_url for path and query
    (what uvicorn's httptools protocol calls on every request)."""
    import httptools

    parser_cls = httptools.HttpRequestParser
    parse_url = httptools.parse_url

    def parse_head(buf: bytes) -> RequestHead:
        c = _HeadCollector()
        p = parser_cls(c)
        p.feed_data(buf)
        if not c.done:
            raise ValueError("httptools: incomplete request head")
        url = parse_url(c.url)
        return RequestHead(p.get_method().decode("latin-1"), c.url.decode("latin-1"),
                           url.path.decode("latin-1"), (url.query or b"").decode("latin-1"),
                           p.get_http_version(), c.headers)

    return parse_head


# Per parser adapter id, the factory of its parse step (taking the adapter instance).
PARSE_STEPS: dict[str, Callable[[Any], Callable[[bytes], RequestHead]]] = {
    "parser/httptools": lambda _adapter: httptools_head(),
}


def parse_step(adapter_id: str, adapter: Any) -> Callable[[bytes], RequestHead]:
    make = PARSE_STEPS.get(adapter_id)
    return make(adapter) if make else adapter_head(adapter)

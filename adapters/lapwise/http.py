"""``lapwise.http``: strict, incremental HTTP/1.1 request parsing (the parser core).

    parser = lapwise.http.RequestParser()
    r = parser.parse(b"GET /a?b=1 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
    if isinstance(r, lapwise.http.ParseError):   # invalid: answer r.status and close
        ...
    elif r is lapwise.http.PARTIAL:              # valid so far: read more bytes
        ...
    else:                                        # a ParsedRequest
        r.method, r.path, r.query, r.headers, r.body, r.consumed

``parse`` looks at the FIRST request in the buffer; pipelined bytes after it are left
(``consumed`` says where it ends). Framing is RFC 9112's, strictly: request-smuggling vectors
(Content-Length with Transfer-Encoding, bad chunk sizes, obs-fold, ...) are errors. Each limit
reached maps to the status a server should send (414, 431, 413, 400); an unknown
transfer-coding is 501, an HTTP version other than 1.0/1.1 505. Fields are read lazily from
the input buffer, so a parse allocates little until they are used.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from . import _native_status

# RFC 9110 tchar: the bytes a token (method, header name) may hold.
TCHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

FRAMINGS = ("none", "length", "chunked")  # no body / Content-Length / Transfer-Encoding: chunked
ERROR_STATUSES = frozenset({400, 413, 414, 431, 501, 505})


def is_token(text: str) -> bool:
    """True when ``text`` is a non-empty RFC 9110 token (a valid method or header name)."""
    return bool(text) and all(c in TCHARS for c in text)


@dataclass(frozen=True, slots=True)
class Limits:
    """The parser's input limits (the core's defaults) and the status each one maps to."""

    max_request_line: int = 8192  # request line incl. skipped leading CRLFs -> 414
    max_header_bytes: int = 65536  # header (or trailer) section incl. its final CRLF -> 431
    max_headers: int = 100  # header fields, trailers included -> 431
    max_body: int = 8 << 20  # Content-Length or decoded chunked total -> 413
    max_chunk_line: int = 4096  # chunk-size line incl. extensions and CRLF -> 400


@dataclass(frozen=True, slots=True)
class Partial:
    """Need more bytes: everything received so far is a valid beginning of a request."""


PARTIAL = Partial()


@dataclass(frozen=True, slots=True)
class ParseError:
    """An invalid request. ``status`` is the response to send (one of ERROR_STATUSES);
    ``reason`` is for humans and is left out of ``==``."""

    status: int
    reason: str = field(default="", compare=False)


class ParsedRequest(abc.ABC):
    """A complete request. The parser's results are registered as virtual subclasses, so
    ``isinstance(r, ParsedRequest)`` holds for them; their attributes are:

    method, target, path, query, version ("1.1" or "1.0"): str, latin-1 decoded (a bijection
    on bytes); headers, trailers: list of (name, value) in received order and case, values
    without surrounding whitespace; framing: one of FRAMINGS; body: bytes (chunk framing
    removed); consumed: bytes of the input this request occupies; keep_alive: bool.
    """

    FIELDS: ClassVar[tuple[str, ...]] = (
        "method", "target", "path", "query", "version", "headers", "framing", "body",
        "trailers", "consumed", "keep_alive")


ParseResult = ParsedRequest | Partial | ParseError


class RequestParser:
    """A parser with fixed limits. ``parse`` and ``parse_many`` are the core's own builtins
    (no Python frame per call); a parser holds no state between calls and is thread-safe."""

    def __init__(self, limits: Limits = Limits()) -> None:
        native = _native_status.module().parser
        ParsedRequest.register(native.Request)
        self.limits = limits
        self._core: Any = native.RequestParser(
            max_request_line=limits.max_request_line, max_header_bytes=limits.max_header_bytes,
            max_headers=limits.max_headers, max_body=limits.max_body,
            max_chunk_line=limits.max_chunk_line, partial=PARTIAL, error=ParseError)
        # Instance attributes shadow the methods below: callers reach C directly.
        self.parse = self._core.parse  # type: ignore[assignment]
        self.parse_many = self._core.parse_many  # type: ignore[assignment]

    def parse(self, buf: bytes) -> ParseResult:  # shadowed in __init__
        """Parses the first request in ``buf``; never raises for bad input."""
        result: ParseResult = self._core.parse(buf)
        return result

    def parse_many(self, bufs: Sequence[bytes]) -> list[ParseResult]:  # ditto
        """``parse`` of each buffer, looping in C++."""
        results: list[ParseResult] = self._core.parse_many(bufs)
        return results


_default_parser: RequestParser | None = None


def parse_request(buf: bytes) -> ParseResult:
    """``RequestParser().parse(buf)`` with the default limits."""
    global _default_parser
    if _default_parser is None:
        _default_parser = RequestParser()
    return _default_parser.parse(buf)


__all__ = ["ERROR_STATUSES", "FRAMINGS", "PARTIAL", "TCHARS", "Limits", "ParseError", "ParseResult",
           "ParsedRequest", "Partial", "RequestParser", "is_token", "parse_request"]

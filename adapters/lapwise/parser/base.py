"""The HTTP/1.1 request parser adapter interface. Every parser (native, pure Python, peers)
implements it, so answers compare with ``==`` across implementations.

What ``parse_request(buf)`` answers about the FIRST request in ``buf``:

* ``Parsed``: the request is complete (head and body). Text fields are ``str`` decoded as
  latin-1 (a bijection on bytes, so nothing is lost and every adapter agrees). ``headers`` is a
  list of ``(name, value)`` pairs in received order with names in received case; values have
  their surrounding SP/HTAB (OWS) removed, nothing else. Names are NOT lower-cased: every peer
  here can report the raw name, so comparing them exactly also checks that nobody rewrites
  them. ``body`` is the decoded payload (chunk framing removed), ``trailers`` the chunked
  trailer fields, ``consumed`` the number of bytes of ``buf`` the request occupies (pipelined
  data after it is not consumed).
* ``Partial``: every byte so far is valid but the request is not complete yet.
* ``Error``: the request is invalid; ``status`` is the response the server should send
  (400 framing/syntax, 413 body too large, 414 request line too long, 431 header section or
  header count too large, 501 transfer-coding not implemented, 505 version not supported).
  ``reason`` is free text for humans and is not compared (each implementation words it
  differently).

Native results are lazy objects with the same attributes; they are registered as virtual
subclasses of ``ParsedResult`` so ``==`` works in both directions.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..adapter import Adapter

Header = tuple[str, str]

# The fields that define a parse: two results are equal when all of these are.
PARSED_FIELDS = ("method", "target", "path", "query", "version", "headers", "framing", "body",
                 "trailers", "consumed", "keep_alive")

FRAMINGS = ("none", "length", "chunked")  # no body / Content-Length / Transfer-Encoding: chunked


class ParsedResult(abc.ABC):
    """Anything that answers the ``Parsed`` attributes (``Parsed`` or a native lazy result)."""


def parsed_key(p: Any) -> tuple:
    """The comparable content of a parsed result (headers as a tuple of 2-tuples)."""
    return (p.method, p.target, p.path, p.query, p.version,
            tuple((n, v) for n, v in p.headers), p.framing, bytes(p.body),
            tuple((n, v) for n, v in p.trailers), p.consumed, bool(p.keep_alive))


@dataclass(slots=True, eq=False)  # not frozen: a frozen __init__ costs ~1 us, charged to peers
class Parsed(ParsedResult):
    method: str
    target: str
    path: str
    query: str
    version: str  # "1.1" or "1.0"
    headers: list[Header]
    framing: str  # one of FRAMINGS
    body: bytes
    consumed: int
    keep_alive: bool
    trailers: list[Header] = field(default_factory=list)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParsedResult):
            return NotImplemented
        return parsed_key(self) == parsed_key(other)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the lists inside it


def to_parsed(p: Any) -> Parsed:
    """A plain ``Parsed`` copy of any parsed result (for printing and diffs)."""
    return Parsed(method=p.method, target=p.target, path=p.path, query=p.query,
                  version=p.version, headers=list(p.headers), framing=p.framing,
                  body=bytes(p.body), consumed=p.consumed, keep_alive=bool(p.keep_alive),
                  trailers=list(p.trailers))


@dataclass(frozen=True, slots=True)
class Partial:
    """Need more bytes: everything received so far is a valid beginning of a request."""


PARTIAL = Partial()


@dataclass(frozen=True, slots=True)
class Error:
    status: int  # 400, 413, 414, 431, 501 or 505
    reason: str = field(default="", compare=False)


ERROR_STATUSES = frozenset({400, 413, 414, 431, 501, 505})

Result = ParsedResult | Partial | Error


@dataclass(frozen=True, slots=True)
class Limits:
    """Input limits every strict parser enforces, the native core's defaults (peers enforce
    their own, recorded as differences in the conformance tables)."""

    max_request_line: int = 8192  # request line incl. skipped leading CRLFs -> 414
    max_header_bytes: int = 65536  # header (or trailer) section incl. its final CRLF -> 431
    max_headers: int = 100  # header fields, trailers included -> 431
    max_body: int = 8 << 20  # Content-Length or decoded chunked total -> 413
    max_chunk_line: int = 4096  # chunk-size line incl. extensions and CRLF -> 400


class Parser(Adapter):
    kind: ClassVar[str] = "parser"

    def __init__(self, limits: Limits = Limits()) -> None:
        self.limits = limits

    @abc.abstractmethod
    def parse_request(self, buf: bytes) -> Result:
        """Parses the first request in ``buf``; never raises for bad input (returns ``Error``)."""

    def parse_many(self, bufs: Sequence[bytes]) -> list[Result]:
        """Parses each buffer independently; native parsers loop in C++."""
        return [self.parse_request(b) for b in bufs]

"""The HTTP/1.1 request parser adapter interface. Every parser (native, pure Python, peers)
implements it, so answers compare with ``==`` across implementations. ``Limits``,
``Partial``/``PARTIAL``, ``ParseError`` and ``ParsedRequest`` are the product's
(``lapwise.http``); this module adds ``Parsed``, the pure-Python result the peers build.

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
* ``ParseError``: the request is invalid; ``status`` is the response the server should send
  (400 framing/syntax, 413 body too large, 414 request line too long, 431 header section or
  header count too large, 501 transfer-coding not implemented, 505 version not supported).
  ``reason`` is free text for humans and is not compared (each implementation words it
  differently).

Native results are lazy objects with the same attributes; they are registered as virtual
subclasses of ``lapwise.http.ParsedRequest`` so ``==`` works in both directions.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from lapwise.http import (ERROR_STATUSES, FRAMINGS, PARTIAL, Limits, ParsedRequest, ParseError,
                          ParseResult, Partial)

from ..adapter import Adapter

Header = tuple[str, str]

# The fields that define a parse: two results are equal when all of these are.
PARSED_FIELDS = ParsedRequest.FIELDS


def parsed_key(p: Any) -> tuple:
    """The comparable content of a parsed result (headers as a tuple of 2-tuples)."""
    return (p.method, p.target, p.path, p.query, p.version,
            tuple((n, v) for n, v in p.headers), p.framing, bytes(p.body),
            tuple((n, v) for n, v in p.trailers), p.consumed, bool(p.keep_alive))


@dataclass(slots=True, eq=False)  # not frozen: a frozen __init__ costs ~1 us, charged to peers
class Parsed(ParsedRequest):
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
        if not isinstance(other, ParsedRequest):
            return NotImplemented
        return parsed_key(self) == parsed_key(other)

    __hash__ = None  # type: ignore[assignment]  # mutable, like the lists inside it


def to_parsed(p: Any) -> Parsed:
    """A plain ``Parsed`` copy of any parsed result (for printing and diffs)."""
    return Parsed(method=p.method, target=p.target, path=p.path, query=p.query,
                  version=p.version, headers=list(p.headers), framing=p.framing,
                  body=bytes(p.body), consumed=p.consumed, keep_alive=bool(p.keep_alive),
                  trailers=list(p.trailers))


class Parser(Adapter):
    kind: ClassVar[str] = "parser"

    def __init__(self, limits: Limits = Limits()) -> None:
        self.limits = limits

    @abc.abstractmethod
    def parse_request(self, buf: bytes) -> ParseResult:
        """Parses the first request in ``buf``; never raises for bad input (returns
        ``ParseError``)."""

    def parse_many(self, bufs: Sequence[bytes]) -> list[ParseResult]:
        """Parses each buffer independently; native parsers loop in C++."""
        return [self.parse_request(b) for b in bufs]


__all__ = ["ERROR_STATUSES", "FRAMINGS", "PARSED_FIELDS", "PARTIAL", "Header", "Limits", "ParseError",
           "ParseResult", "Parsed", "ParsedRequest", "Parser", "Partial", "parsed_key", "to_parsed"]

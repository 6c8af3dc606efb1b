"""The query-string adapter interface. Every parser (native, urllib, Starlette) implements it,
so answers compare with ``==`` across implementations.

Semantics are ``urllib.parse.parse_qsl(qs, keep_blank_values=True)`` (Python 3.11):

- split on ``&`` only (``;`` is ordinary text); empty segments are skipped;
- each segment splits at its first ``=``; ``"k"`` and ``"k="`` give ``("k", "")``;
- repeated keys are kept, in order;
- ``+`` is a space, then percent-decoding; invalid escapes (``%zz``, ``%4``, a lone ``%``) stay
  literally;
- bytes that are not UTF-8 after decoding become U+FFFD, one per maximal invalid subpart
  (``errors="replace"``).

Limits: ``max_pairs`` pairs and ``max_length`` characters of input. Over a limit, ``parse``
raises ``ValueError``. Adapters whose library has no such limit say so in ``limits``; the
conformance table records those cases as "differs by design" for them.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import ClassVar

from ..adapter import Adapter

Pairs = list[tuple[str, str]]

DEFAULT_MAX_PAIRS = 1000
DEFAULT_MAX_LENGTH = 64 * 1024


class QueryParser(Adapter):
    kind: ClassVar[str] = "query"
    # Which limits the adapter enforces: a subset of {"max_pairs", "max_length"}.
    limits: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, max_pairs: int = DEFAULT_MAX_PAIRS,
                 max_length: int = DEFAULT_MAX_LENGTH) -> None:
        self.max_pairs = max_pairs
        self.max_length = max_length

    @abc.abstractmethod
    def parse(self, qs: str) -> Pairs:
        """The (key, value) pairs of ``qs``; ValueError over a limit."""

    def parse_many(self, qss: Sequence[str]) -> list[Pairs]:
        """Parses many query strings (one call per string here; natives may batch)."""
        parse = self.parse
        return [parse(qs) for qs in qss]

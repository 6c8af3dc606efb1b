"""query/urllib: the standard library, ``urllib.parse.parse_qsl(keep_blank_values=True)``.

It is the reference for the semantics. Its ``max_num_fields`` counts every ``&``-separated
field, empty ones included (the native limit counts pairs); the length limit is applied here
because parse_qsl has none.
"""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import parse_qsl

from .base import Pairs, QueryParser


class UrllibQueryParser(QueryParser):
    name: ClassVar[str] = "urllib"
    limits: ClassVar[frozenset[str]] = frozenset({"max_pairs", "max_length"})

    def parse(self, qs: str) -> Pairs:
        if len(qs) > self.max_length:
            raise ValueError(f"query string longer than the limit ({len(qs)} > {self.max_length})")
        return parse_qsl(qs, keep_blank_values=True, max_num_fields=self.max_pairs)

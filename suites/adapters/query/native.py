"""query/native: lapwise's C++ parser (lapwise/parser/query.h) through ``lapwise.query``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from ..adapter import Availability, requires_native
from .base import DEFAULT_MAX_LENGTH, DEFAULT_MAX_PAIRS, Pairs, QueryParser


class NativeQueryParser(QueryParser):
    name: ClassVar[str] = "native"
    limits: ClassVar[frozenset[str]] = frozenset({"max_pairs", "max_length"})

    @classmethod
    def available(cls) -> Availability:
        return requires_native()

    def __init__(self, max_pairs: int = DEFAULT_MAX_PAIRS,
                 max_length: int = DEFAULT_MAX_LENGTH) -> None:
        super().__init__(max_pairs, max_length)
        from lapwise import _native_status

        # The builtin itself, not lapwise.query.parse (a Python frame that adds keyword
        # arguments): this adapter measures the core.
        self._parse = _native_status.module().query_parse
        if (max_pairs, max_length) == (DEFAULT_MAX_PAIRS, DEFAULT_MAX_LENGTH):
            # The C function's defaults are the same limits: bind it directly, so a call
            # costs no Python frame (it would be most of the time on a short query string).
            self.parse = self._parse  # type: ignore[method-assign]

    def parse(self, qs: str) -> Pairs:
        return self._parse(qs, self.max_pairs, self.max_length)

    def parse_many(self, qss: Sequence[str]) -> list[Pairs]:
        parse, mp, ml = self._parse, self.max_pairs, self.max_length
        return [parse(qs, mp, ml) for qs in qss]

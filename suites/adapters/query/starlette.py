"""query/starlette: ``starlette.datastructures.QueryParams`` (what a Starlette/FastAPI app
sees as ``request.query_params``). It parses with ``parse_qsl(keep_blank_values=True)`` and
has no limits of its own."""

from __future__ import annotations

from typing import ClassVar

from ..adapter import Availability, requires_module
from .base import Pairs, QueryParser


class StarletteQueryParser(QueryParser):
    name: ClassVar[str] = "starlette"

    @classmethod
    def available(cls) -> Availability:
        return requires_module("starlette.datastructures")

    def __init__(self, *args: int, **kwargs: int) -> None:
        super().__init__(*args, **kwargs)
        from starlette.datastructures import QueryParams

        self._cls = QueryParams

    def parse(self, qs: str) -> Pairs:
        return self._cls(qs).multi_items()

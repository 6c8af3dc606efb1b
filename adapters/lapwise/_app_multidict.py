"""Names with several values, in the order they came: the base of ``req.query_params``
(``QueryParams``) and of ``req.form()`` (``FormData``). ``m[name]`` and ``get`` give the first
value of a repeated name (as ``req.query`` does), ``getlist`` all of them, ``multi_items`` every
pair; ``keys``, ``items``, ``in``, ``len`` and iteration see each name once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class MultiValues(Generic[V]):
    """Read-only (name, value) pairs with dict-like access to each name's first value."""

    __slots__ = ("_items", "_first")

    def __init__(self, items: list[tuple[str, V]] | None = None) -> None:
        self._items = items or []
        self._first: dict[str, V] = {}
        for name, value in self._items:
            self._first.setdefault(name, value)

    def __getitem__(self, name: str) -> V:
        return self._first[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self._first.get(name, default)

    def getlist(self, name: str) -> list[V]:
        return [v for n, v in self._items if n == name]

    def multi_items(self) -> list[tuple[str, V]]:
        return list(self._items)

    def keys(self) -> list[str]:
        return list(self._first)

    def values(self) -> list[V]:
        return list(self._first.values())

    def items(self) -> list[tuple[str, V]]:
        return list(self._first.items())

    def __contains__(self, name: object) -> bool:
        return name in self._first

    def __iter__(self) -> Iterator[str]:
        return iter(self._first)

    def __len__(self) -> int:
        return len(self._first)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._items == other._items  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._items!r})"


class QueryParams(MultiValues[str]):
    """The query string's pairs (``req.query_params``): repeated keys kept in order, decoded as
    ``req.query`` is (``lapwise.query.parse``: ``+`` is a space, ``k`` and ``k=`` give "")."""

    __slots__ = ()

"""What router/native and router/native-linear share: a product router (``lapwise.Router`` or
the same wrapper over the linear core) behind the adapter interface. Lookups go straight to
the native builtins: the adapter's ``match`` and ``match_many`` are the core's own callables,
so the adapter adds no Python frame to what it measures."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

import lapwise
from lapwise import _native_status

from ..adapter import Availability, requires_native
from .base import ALL_FEATURES, Match, NoMatch, Router


class NativeRouterBase(Router):
    """A native router: ``product_class`` is the product wrapper it drives."""

    product_class: ClassVar[type[lapwise.Router]]
    features: ClassVar[frozenset[str]] = ALL_FEATURES

    @classmethod
    def available(cls) -> Availability:
        ok = requires_native()
        core = cls.product_class._core_name
        if ok and not hasattr(_native_status.module(), core):
            return Availability(False, f"lapwise._native has no {core} "
                                       "(built without the router core)")
        return ok

    def __init__(self) -> None:
        self._router = self.product_class()
        # Instance attributes shadow the methods below: a lookup is one native call.
        self.match: Callable[[str, str], Match | NoMatch] = self._router.match
        self.match_many: Callable[[Sequence[tuple[str, str]]], list[Match | NoMatch]] = (
            self._router.match_many)

    def add(self, method: str, pattern: str, value: int) -> None:
        self._router.add(method, pattern, value)

    def match(self, method: str, path: str) -> Match | NoMatch:  # shadowed in __init__
        return self._router.match(method, path)

    def match_many(self, reqs: Sequence[tuple[str, str]]) -> list[Match | NoMatch]:  # ditto
        return self._router.match_many(reqs)

    def __len__(self) -> int:
        return len(self._router)

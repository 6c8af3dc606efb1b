"""What router/native and router/native-linear share: a lapwise._native router wrapped as a
``Router``. Lookups go straight to the native builtins (no Python frame in between): the
instance's ``match`` and ``match_many`` attributes are the core's own bound callables."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from ..adapter import Availability, requires_native
from .base import ALL_FEATURES, Match, NoMatch, RouteError, Router

_MAX_VALUE = 0xFFFFFFFF  # values are uint32 in the core


class NativeRouterBase(Router):
    """A native router: ``core_class`` names the class in lapwise._native."""

    core_class: ClassVar[str]
    features: ClassVar[frozenset[str]] = ALL_FEATURES

    @classmethod
    def available(cls) -> Availability:
        ok = requires_native()
        if ok:
            from lapwise import _native

            if not hasattr(_native, cls.core_class):
                return Availability(False, f"lapwise._native has no {cls.core_class} "
                                           "(built without the router core)")
        return ok

    def __init__(self) -> None:
        from lapwise import _native

        self._core: Any = getattr(_native, self.core_class)(Match, NoMatch)
        # Instance attributes shadow the methods below: a lookup is one native call.
        self.match: Callable[[str, str], Match | NoMatch] = self._core.matcher()
        self.match_many: Callable[[Sequence[tuple[str, str]]], list[Match | NoMatch]] = (
            self._core.many_matcher())

    def add(self, method: str, pattern: str, value: int) -> None:
        if not isinstance(value, int) or not 0 <= value <= _MAX_VALUE:
            raise RouteError(f"value {value!r} of {method} {pattern} is not a uint32")
        err = self._core.add(method, pattern, value)
        if err is not None:
            raise RouteError(err[1])

    def match(self, method: str, path: str) -> Match | NoMatch:  # shadowed in __init__
        return self._core.matcher()(method, path)

    def match_many(self, reqs: Sequence[tuple[str, str]]) -> list[Match | NoMatch]:  # ditto
        return self._core.many_matcher()(reqs)

    def __len__(self) -> int:
        return len(self._core)

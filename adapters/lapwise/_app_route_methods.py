"""The one-method decorators (``get``, ``post``, ``put``, ``patch``, ``delete``) that
``lapwise.App`` and ``lapwise.Blueprint`` share: each is ``route(pattern, (METHOD,), ...)``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

Handler = Callable[[Any], Any]


class RouteMethods:
    """``get``/``post``/``put``/``patch``/``delete`` over the class's own ``route``."""

    def route(self, pattern: str, methods: Iterable[str] = ("GET",), *, blocking: bool = False,
              stream: bool = False, name: str | None = None,
              max_body: int | None = None) -> Callable[[Handler], Handler]:
        raise NotImplementedError

    def get(self, pattern: str, *, blocking: bool = False,
            name: str | None = None) -> Callable[[Handler], Handler]:
        return self.route(pattern, ("GET",), blocking=blocking, name=name)

    def post(self, pattern: str, *, blocking: bool = False, stream: bool = False,
             name: str | None = None, max_body: int | None = None) -> Callable[[Handler], Handler]:
        return self.route(pattern, ("POST",), blocking=blocking, stream=stream, name=name, max_body=max_body)

    def put(self, pattern: str, *, blocking: bool = False, stream: bool = False,
            name: str | None = None, max_body: int | None = None) -> Callable[[Handler], Handler]:
        return self.route(pattern, ("PUT",), blocking=blocking, stream=stream, name=name, max_body=max_body)

    def patch(self, pattern: str, *, blocking: bool = False, stream: bool = False,
              name: str | None = None, max_body: int | None = None) -> Callable[[Handler], Handler]:
        return self.route(pattern, ("PATCH",), blocking=blocking, stream=stream, name=name, max_body=max_body)

    def delete(self, pattern: str, *, blocking: bool = False,
               name: str | None = None) -> Callable[[Handler], Handler]:
        return self.route(pattern, ("DELETE",), blocking=blocking, name=name)

"""parser/native: the C++ core (lapwise::parser::parse_request) through ``lapwise._native``.

A parse returns the native ``Request``: a lazy result holding the input bytes and the core's
views into them, so fields become Python objects only when read. It is registered as a
``ParsedResult``, so it compares ``==`` with ``Parsed`` from any other adapter. ``parse_request``
and ``parse_many`` are bound straight to the native methods on each instance: no Python frame
runs per call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from .. import _native_status
from ..adapter import Availability, requires_native
from .base import PARTIAL, Error, Limits, Parser, ParsedResult, Result


def _module() -> Any:
    return _native_status.module().parser


class NativeParser(Parser):
    name: ClassVar[str] = "native"

    @classmethod
    def available(cls) -> Availability:
        ok = requires_native()
        if ok and not hasattr(_native_status.module(), "parser"):
            return Availability(False, "lapwise._native was built without the parser core")
        return ok

    def __init__(self, limits: Limits = Limits()) -> None:
        super().__init__(limits)
        mod = _module()
        ParsedResult.register(mod.Request)
        self._impl = mod.RequestParser(
            max_request_line=limits.max_request_line, max_header_bytes=limits.max_header_bytes,
            max_headers=limits.max_headers, max_body=limits.max_body,
            max_chunk_line=limits.max_chunk_line, partial=PARTIAL, error=Error)
        # Instance attributes shadow the methods below: callers reach C directly.
        self.parse_request = self._impl.parse  # type: ignore[method-assign]
        self.parse_many = self._impl.parse_many  # type: ignore[method-assign]

    def parse_request(self, buf: bytes) -> Result:
        return self._impl.parse(buf)

    def parse_many(self, bufs: Sequence[bytes]) -> list[Result]:
        return self._impl.parse_many(bufs)

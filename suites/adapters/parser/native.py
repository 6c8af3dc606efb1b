"""parser/native: the C++ core (lapwise::parser::parse_request) through ``lapwise.http``.

A parse returns the native lazy result: it holds the input bytes and the core's views into
them, so fields become Python objects only when read. It is a virtual subclass of
``lapwise.http.ParsedRequest``, so it compares ``==`` with ``Parsed`` from any other adapter.
``parse_request`` and ``parse_many`` are the product parser's builtins, bound on each
instance: no Python frame runs per call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from lapwise import _native_status
from lapwise.http import RequestParser

from ..adapter import Availability, requires_native
from .base import Limits, Parser, ParseResult


class NativeParser(Parser):
    name: ClassVar[str] = "native"
    # One header scanner forced: the micro benchmarks time scalar and avx2, the instruction
    # gate (suites/gate/drivers/parser_instr.cc) every level.
    record_variants: ClassVar[tuple[str, ...]] = ("native-scalar", "native-sse42", "native-avx2",
                                                  "native-avx512")

    @classmethod
    def available(cls) -> Availability:
        ok = requires_native()
        if ok and not hasattr(_native_status.module(), "parser"):
            return Availability(False, "lapwise._native was built without the parser core")
        return ok

    def __init__(self, limits: Limits = Limits()) -> None:
        super().__init__(limits)
        self._impl = RequestParser(limits)
        # Instance attributes shadow the methods below: callers reach C directly.
        self.parse_request = self._impl.parse  # type: ignore[method-assign]
        self.parse_many = self._impl.parse_many  # type: ignore[method-assign]

    def parse_request(self, buf: bytes) -> ParseResult:
        return self._impl.parse(buf)

    def parse_many(self, bufs: Sequence[bytes]) -> list[ParseResult]:
        return self._impl.parse_many(bufs)

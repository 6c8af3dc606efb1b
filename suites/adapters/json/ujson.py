"""json/ujson: UltraJSON 5.x with options that come closest to the stdlib reference:
compact output, UTF-8 (ensure_ascii=False), '/' not escaped.

Known differences (recorded by the conformance cases): floats are written with ujson's own
rules rather than repr ("float_repr"): exponents without zero padding, 1e-5 for repr's 1e-05
(1e+16 keeps its '+', unlike json/native's 1e16); non-string keys and NaN handling differ;
lone surrogates raise.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..adapter import Availability, requires_module
from .base import Json


class UjsonJson(Json):
    name: ClassVar[str] = "ujson"
    differences: ClassVar[frozenset[str]] = frozenset({"float_repr", "nan_literals_rejected",
                                                       "lone_surrogates_rejected",
                                                       "non_str_keys", "big_ints"})

    @classmethod
    def available(cls) -> Availability:
        return requires_module("ujson")

    def __init__(self, ensure_ascii: bool = False, allow_nan: bool = True) -> None:
        import ujson

        self._ujson = ujson
        self._options = {"ensure_ascii": ensure_ascii, "allow_nan": allow_nan,
                         "escape_forward_slashes": False}

    def dumps(self, obj: Any) -> bytes:
        return self._ujson.dumps(obj, **self._options).encode()

    def loads(self, data: bytes | str) -> Any:
        return self._ujson.loads(data)

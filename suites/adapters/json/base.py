"""The JSON adapter interface. Every implementation (native, stdlib, ujson) implements it, so
answers compare with ``==`` across implementations.

``dumps`` returns compact UTF-8 bytes: the reference is
``json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()``. Adapters differ in
known ways (ujson's float spelling and escaping; native's str-only dict keys and its exponent
spelling, 1e16 for 1e+16); ``differences`` names them so conformance cases can record them
instead of failing.

``loads`` accepts ``bytes`` (UTF-8) or ``str`` and returns dicts, lists, str, int, float,
bool and None. Bad input raises ``ValueError`` (``json.JSONDecodeError`` where possible).
"""

from __future__ import annotations

import abc
from typing import Any, ClassVar

from ..adapter import Adapter


class Json(Adapter):
    kind: ClassVar[str] = "json"
    # Known, documented departures from the stdlib reference, e.g. {"float_repr"}; see the
    # conformance case table (suites/conformance/json_cases.py) for what each one means.
    differences: ClassVar[frozenset[str]] = frozenset()

    @abc.abstractmethod
    def dumps(self, obj: Any) -> bytes:
        """Compact UTF-8 JSON for ``obj``; TypeError for unsupported values."""

    @abc.abstractmethod
    def loads(self, data: bytes | str) -> Any:
        """The Python value of the JSON text ``data``; ValueError on bad input."""

"""json/native: lapwise's C++ writer (lapwise/parser/json_writer.h) and simdjson reader,
through ``lapwise._native``. Defaults: compact, UTF-8 (ensure_ascii=False), NaN/Infinity
written like the stdlib (allow_nan=True)."""

from __future__ import annotations

from typing import Any, ClassVar

from ..adapter import Availability, requires_native
from .base import Json


class NativeJson(Json):
    name: ClassVar[str] = "native"
    # Rejects what the stdlib accepts but JSON does not have (NaN/Infinity literals) or what
    # UTF-8 cannot carry (lone surrogates); RecursionError past 1024 levels.
    differences: ClassVar[frozenset[str]] = frozenset({"nan_literals_rejected",
                                                       "lone_surrogates_rejected"})

    @classmethod
    def available(cls) -> Availability:
        return requires_native()

    def __init__(self, ensure_ascii: bool = False, allow_nan: bool = True) -> None:
        from .. import _native_status

        native = _native_status.module()
        self._dumps = native.json_dumps
        self._loads = native.json_loads
        self.ensure_ascii = ensure_ascii
        self.allow_nan = allow_nan
        # The C functions are the methods when no option differs from their defaults: no
        # Python frame per call.
        self.loads = self._loads  # type: ignore[method-assign]
        if not ensure_ascii and allow_nan:
            self.dumps = self._dumps  # type: ignore[method-assign]

    def dumps(self, obj: Any) -> bytes:
        return self._dumps(obj, ensure_ascii=self.ensure_ascii, allow_nan=self.allow_nan)

    def loads(self, data: bytes | str) -> Any:
        return self._loads(data)

"""json/stdlib: the standard library's json (its C accelerator), the reference."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from .base import Json


class StdlibJson(Json):
    name: ClassVar[str] = "stdlib"

    def __init__(self, ensure_ascii: bool = False, allow_nan: bool = True) -> None:
        self._encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=ensure_ascii,
                                         allow_nan=allow_nan)
        self._decode = json.loads

    def dumps(self, obj: Any) -> bytes:
        return self._encoder.encode(obj).encode()

    def loads(self, data: bytes | str) -> Any:
        return self._decode(data)

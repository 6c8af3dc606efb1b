"""Route bookkeeping for lapwise.App: which parameters are ``{name:int}``, how a const body is
rendered, and the JSON functions the native server calls."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from . import _native_status

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+))?\}")


def int_mask(pattern: str) -> int:
    """Bit i set when the i-th parameter of ``pattern`` is ``{name:int}`` (converted to int)."""
    mask = 0
    for i, m in enumerate(_PARAM.finditer(pattern)):
        if m.group(2) == "int":
            mask |= 1 << i
    return mask


def _stdlib_dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def json_functions() -> tuple[Callable[[Any], bytes], Callable[[Any], Any]]:
    """(dumps, loads): the native JSON core when it is built, else the stdlib (compact
    separators, UTF-8). The native dumps is strict about dict keys (a handler returning a
    non-str key gets a 500 whose logged TypeError names the key's path) and writes exponents
    without '+' ("1e16"); the stdlib fallback converts such keys and writes "1e+16"."""
    native = _native_status.module()
    dumps = getattr(native, "json_dumps", None) or _stdlib_dumps
    loads = getattr(native, "json_loads", None) or json.loads
    return dumps, loads


def render_body(body: Any, content_type: str | None) -> tuple[bytes, str]:
    """A const route's body and its media type, rendered once at registration."""
    if isinstance(body, (dict, list)):
        return json_functions()[0](body), content_type or "application/json"
    if isinstance(body, str):
        return body.encode(), content_type or "text/plain; charset=utf-8"
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body), content_type or "application/octet-stream"
    raise TypeError(f"a const body must be dict, list, str or bytes, not {type(body).__name__}")

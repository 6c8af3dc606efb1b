"""``lapwise.json``: JSON from and to Python objects (the parser core's writer, simdjson reader).

    lapwise.json.dumps({"id": 1, "tags": ["a"]})   # b'{"id":1,"tags":["a"]}'
    lapwise.json.loads(b'{"id": 1}')               # {'id': 1}

``dumps`` returns compact UTF-8 bytes, equal to ``json.dumps(obj, separators=(",", ":"),
ensure_ascii=False).encode()`` except in two deliberate ways (orjson's): dict keys must be str
(a TypeError names the path, e.g. ``$.a[3]: keys must be str, not int``) unless
``non_str_keys=True``, which converts int, float, bool and None keys like json.dumps; and float
exponents are written without '+' or zero padding (``1e16``, ``1e-5``), with repr's digits, so
every float reads back equal. Unsupported values raise TypeError naming the path, cycles
ValueError, nesting deeper than ``MAX_DEPTH`` RecursionError.

``loads`` takes bytes (UTF-8) or str and returns dicts, lists, str, int, float, bool and None;
bad input raises ``json.JSONDecodeError`` with the position; lone surrogates are rejected.
``allow_nan`` means the same on both sides, default True as in the stdlib: ``dumps`` writes
NaN, Infinity and -Infinity (not JSON, but what json.dumps writes) and ``loads`` reads them
back, so ``loads(dumps(x))`` holds for every float, an overflowing ``1e400`` (inf) included;
with ``allow_nan=False`` dumps raises ValueError naming the path and loads rejects them.
lapwise.App writes its responses with ``allow_nan=False``.
"""

from __future__ import annotations

from typing import Any

from . import _native_status

MAX_DEPTH = 1024  # the core's nesting limit (lapwise._native.JSON_MAX_DEPTH)


def dumps(obj: Any, *, ensure_ascii: bool = False, allow_nan: bool = True,
          non_str_keys: bool = False) -> bytes:
    """Compact UTF-8 JSON for ``obj`` (see the module docstring for the two departures)."""
    out: bytes = _native_status.module().json_dumps(
        obj, ensure_ascii=ensure_ascii, allow_nan=allow_nan, non_str_keys=non_str_keys)
    return out


def loads(data: bytes | bytearray | memoryview | str, *, allow_nan: bool = True) -> Any:
    """The Python value of the JSON text ``data`` (``allow_nan``: see the module docstring)."""
    return _native_status.module().json_loads(data, allow_nan=allow_nan)


# With the native module present, the names are the core's builtins themselves (same
# signatures and defaults): a small document costs no Python frame.
_native = _native_status.loaded()
if _native is not None:
    dumps = _native.json_dumps  # noqa: F811
    loads = _native.json_loads  # noqa: F811
    MAX_DEPTH = _native.JSON_MAX_DEPTH

__all__ = ["MAX_DEPTH", "dumps", "loads"]

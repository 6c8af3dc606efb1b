"""The JSON conformance table. Each case builds its input fresh (cycles need building), says
what ``dumps`` must return (exact bytes, or an exception type), and records, per adapter id,
why an adapter is known to answer differently.

The reference is json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode(); the
expected bytes are written out by hand so the table also checks the reference.
"""

from __future__ import annotations

import collections
import datetime
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

UJSON_FLOATS = "ujson writes exponents without zero padding (1e-5, not 1e-05)"


class Color(enum.IntEnum):
    RED = 1


class Text(str):
    pass


def _cycle_list() -> Any:
    a: list[Any] = [1]
    a.append({"self": a})
    return a


def _cycle_dict() -> Any:
    d: dict[str, Any] = {"users": [{"name": "x"}]}
    d["users"][0]["friends"] = [d]
    return d


def _reordered() -> Any:
    d = collections.OrderedDict(a=1, b=2)
    d.move_to_end("a")  # items() order now differs from the underlying dict's storage
    return d


def _deep(n: int) -> Any:
    out: Any = []
    for _ in range(n):
        out = [out]
    return out


@dataclass(frozen=True)
class DumpsCase:
    id: str
    make: Callable[[], Any]
    want: bytes | type[BaseException]
    options: dict[str, bool] = field(default_factory=dict)  # ensure_ascii / allow_nan
    message: str | None = None  # substring of the native error message (the path)
    differs: dict[str, str] = field(default_factory=dict)


DUMPS: list[DumpsCase] = [
    DumpsCase("scalars", lambda: [None, True, False, 0, -1, "s"], b'[null,true,false,0,-1,"s"]'),
    DumpsCase("empty-containers", lambda: {"a": [], "b": {}, "c": ()}, b'{"a":[],"b":{},"c":[]}'),
    DumpsCase("tuple-is-array", lambda: (1, (2, 3)), b"[1,[2,3]]"),
    DumpsCase("int64-edges", lambda: [-2**63, 2**63 - 1, 2**64 - 1],
              b"[-9223372036854775808,9223372036854775807,18446744073709551615]"),
    DumpsCase("big-ints", lambda: [10**30, -10**40, 2**64],
              b"[1000000000000000000000000000000,"
              b"-10000000000000000000000000000000000000000,18446744073709551616]"),
    DumpsCase("float-repr", lambda: [0.0, -0.0, 1.0, 0.1, 1e16, 1e15, 1e-05, 0.0001, 1e22,
                                     1.7976931348623157e308, 5e-324, 0.30000000000000004],
              b"[0.0,-0.0,1.0,0.1,1e+16,1000000000000000.0,1e-05,0.0001,1e+22,"
              b"1.7976931348623157e+308,5e-324,0.30000000000000004]",
              differs={"json/ujson": UJSON_FLOATS}),
    DumpsCase("nan-default-like-stdlib", lambda: [float("nan"), float("inf"), -float("inf")],
              b"[NaN,Infinity,-Infinity]"),
    DumpsCase("nan-rejected-with-allow-nan-false", lambda: {"x": [1.5, float("nan")]},
              ValueError, options={"allow_nan": False}, message="$.x[1]: Out of range float",
              differs={"json/ujson": "ujson raises OverflowError, not ValueError"}),
    DumpsCase("escapes", lambda: "\"\\/\n\r\t\b\f\x00\x1f\x7f",
              b'"\\"\\\\/\\n\\r\\t\\b\\f\\u0000\\u001f\x7f"'),
    DumpsCase("utf8-by-default", lambda: "é€😀\u2028", '"é€😀\u2028"'.encode()),
    DumpsCase("ensure-ascii", lambda: "é€😀\x7f", b'"\\u00e9\\u20ac\\ud83d\\ude00\\u007f"',
              options={"ensure_ascii": True},
              differs={"json/ujson": "ujson's ensure_ascii leaves U+007F (DEL) unescaped"}),
    DumpsCase("non-str-keys-converted-like-stdlib",
              lambda: {1: "a", 2.5: "b", False: "c", None: "d"},
              b'{"1":"a","2.5":"b","false":"c","null":"d"}',
              differs={"json/ujson": "ujson converts keys with str(): False -> \"False\""}),
    DumpsCase("dict-subclass-items-order", _reordered, b'{"b":2,"a":1}'),
    DumpsCase("subclasses", lambda: [Color.RED, Text("t"), {"k": Color.RED}], b'[1,"t",{"k":1}]'),
    DumpsCase("unsupported-type-names-path",
              lambda: {"users": [{}, {}, {}, {"created": datetime.datetime(2024, 1, 2)}]},
              TypeError,
              message="$.users[3].created: Object of type datetime is not JSON serializable"),
    DumpsCase("unsupported-key-names-path", lambda: {"a": {(1, 2): 3}}, TypeError,
              message="$.a[(1, 2)]: keys must be str",
              differs={"json/ujson": "ujson converts any key with str()"}),
    DumpsCase("set-is-unsupported", lambda: [{1, 2}], TypeError, message="$[0]: Object of type set"),
    DumpsCase("cycle-in-list", _cycle_list, ValueError,
              message="$[1].self: Circular reference detected",
              differs={"json/ujson": "ujson has no cycle check: OverflowError at its depth limit"}),
    DumpsCase("cycle-through-dict", _cycle_dict, ValueError,
              message="$.users[0].friends[0]: Circular reference detected",
              differs={"json/ujson": "ujson has no cycle check: OverflowError at its depth limit"}),
    DumpsCase("deep-nesting-ok", lambda: _deep(500), b"[" * 501 + b"]" * 501),
    DumpsCase("deep-nesting-limit", lambda: _deep(100_000), RecursionError,
              message="maximum JSON nesting depth",
              differs={"json/ujson": "ujson raises OverflowError at its depth limit"}),
    DumpsCase("lone-surrogate-utf8", lambda: ["ok", "\ud800"], ValueError, message="$[1]"),
    DumpsCase("lone-surrogate-ascii", lambda: "\ud800x", b'"\\ud800x"',
              options={"ensure_ascii": True}),
]


@dataclass(frozen=True)
class LoadsCase:
    id: str
    data: bytes
    want: Any  # a value, or an exception type
    differs: dict[str, str] = field(default_factory=dict)


NAN_LITERALS = "NaN/Infinity are not JSON; lapwise (simdjson) rejects what the stdlib accepts"

LOADS: list[LoadsCase] = [
    LoadsCase("big-int", b"[123456789012345678901234567890,-99999999999999999999]",
              [123456789012345678901234567890, -99999999999999999999]),
    LoadsCase("uint64-max", b"18446744073709551615", 18446744073709551615),
    LoadsCase("float-overflow-is-inf", b"[1e400,-1e400]", [float("inf"), float("-inf")]),
    LoadsCase("scalar-root", b' "s" ', "s"),
    LoadsCase("duplicate-keys-last-wins", b'{"a":1,"a":2}', {"a": 2}),
    LoadsCase("escapes", rb'"\u00e9\ud83d\ude00\n\/"', "é😀\n/"),
    LoadsCase("trailing-comma", b"[1,]", ValueError),
    LoadsCase("trailing-content", b"[1] x", ValueError),
    LoadsCase("empty", b"", ValueError),
    LoadsCase("leading-zero", b"[01]", ValueError,
              differs={"json/ujson": "ujson accepts leading zeros"}),
    LoadsCase("invalid-utf8", b'["\xff"]', ValueError),
    LoadsCase("control-char-in-string", b'["a\tb"]', ValueError,
              differs={"json/ujson": "ujson accepts raw control characters in strings"}),
    LoadsCase("nan-literal", b"[NaN]", [float("nan")],
              differs={"json/native": NAN_LITERALS}),
    LoadsCase("lone-surrogate-escape", rb'"\ud800"', "\ud800",
              differs={"json/native": "a lone surrogate cannot be UTF-8; simdjson rejects it"}),
    LoadsCase("deep-nesting", b"[" * 100_000 + b"]" * 100_000, RecursionError,
              differs={"json/ujson": "ujson raises JSONDecodeError (a ValueError) at depth 1024"}),
]

"""The JSON conformance table. Each case builds its input fresh (cycles need building), says
what ``dumps`` must return (exact bytes, or an exception type), and records, per adapter id,
why an adapter is known to answer differently.

The reference is json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode(); the
expected bytes are written out by hand so the table also checks the reference. json/native
departs from it on purpose in two ways: non-str dict keys raise TypeError unless
non_str_keys=True, and float exponents are spelled 1e16/1e-5 rather than 1e+16/1e-05; cases
with the native answer record the stdlib's as the difference, and the other way round.
"""

from __future__ import annotations

import collections
import datetime
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

UJSON_FLOATS = "ujson writes exponents without zero padding (1e-5, not 1e-05)"
NATIVE_EXPONENTS = ("lapwise writes exponents without '+' or zero padding (1e16, 1e-5, "
                    "1.7976931348623157e308), like orjson and the round-trip files; "
                    "digits are repr's, values parse back identical")
STDLIB_EXPONENTS = "float.__repr__ writes 1e+16, 1e-05, 1.7976931348623157e+308"
NATIVE_STR_KEYS = ("lapwise raises TypeError for non-str keys unless non_str_keys=True, like "
                   "orjson")


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
    options: dict[str, bool] = field(default_factory=dict)  # ensure_ascii / allow_nan / ...
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
              differs={"json/ujson": UJSON_FLOATS, "json/native": NATIVE_EXPONENTS}),
    # The same values as lapwise writes them: repr's digits and switch points (exponent form
    # below 1e-4 and from 1e16 up), exponents without '+' or leading zeros.
    DumpsCase("float-shortest-exponents",
              lambda: [0.0, -0.0, 1.0, 0.1, 1e16, 1e15, 1e-05, 0.0001, 1e22,
                       1.7976931348623157e308, 5e-324, 0.30000000000000004, -1.5e-7, 1e100,
                       9999999999999998.0, 1.2345678901234568e16],
              b"[0.0,-0.0,1.0,0.1,1e16,1000000000000000.0,1e-5,0.0001,1e22,"
              b"1.7976931348623157e308,5e-324,0.30000000000000004,-1.5e-7,1e100,"
              b"9999999999999998.0,1.2345678901234568e16]",
              differs={"json/stdlib": STDLIB_EXPONENTS,
                       "json/ujson": "ujson keeps the '+' (1e+16, 1e+22, e+308)"}),
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
              differs={"json/ujson": "ujson converts keys with str(): False -> \"False\"",
                       "json/native": NATIVE_STR_KEYS}),
    DumpsCase("non-str-key-rejected-names-path",
              lambda: {"users": [{"id": 1, "tags": {"x": 1, 3: "y"}}]}, TypeError,
              message="$.users[0].tags[3]: keys must be str, not int (non_str_keys=True "
                      "converts int, float, bool and None keys like json.dumps)",
              differs={"json/stdlib": "json.dumps converts int, float, bool and None keys",
                       "json/ujson": "ujson converts any key with str()"}),
    DumpsCase("none-key-rejected", lambda: [{None: 1}], TypeError,
              message="$[0][None]: keys must be str, not NoneType",
              differs={"json/stdlib": "json.dumps converts None keys to \"null\"",
                       "json/ujson": "ujson converts any key with str()"}),
    # The opt-in: json.dumps' conversion exactly, float keys by float.__repr__ (the key text
    # is data a Python reader looks up as str(key), so "1e+16" here, not "1e16").
    DumpsCase("non-str-keys-opt-in",
              lambda: {7: "a", 2.5: "b", False: "c", None: "d", 1e16: "e", 10**20: "f",
                       Color.RED: "g", float("nan"): "h"},
              b'{"7":"a","2.5":"b","false":"c","null":"d","1e+16":"e",'
              b'"100000000000000000000":"f","1":"g","NaN":"h"}',
              options={"non_str_keys": True}),
    DumpsCase("non-str-keys-opt-in-nan-key-rejected", lambda: {"a": {float("inf"): 1}},
              ValueError, options={"non_str_keys": True, "allow_nan": False},
              message="$.a[inf]: Out of range float values are not JSON compliant"),
    DumpsCase("dict-subclass-items-order", _reordered, b'{"b":2,"a":1}'),
    DumpsCase("subclasses", lambda: [Color.RED, Text("t"), {"k": Color.RED}], b'[1,"t",{"k":1}]'),
    DumpsCase("unsupported-type-names-path",
              lambda: {"users": [{}, {}, {}, {"created": datetime.datetime(2024, 1, 2)}]},
              TypeError,
              message="$.users[3].created: Object of type datetime is not JSON serializable"),
    DumpsCase("unsupported-key-names-path", lambda: {"a": {(1, 2): 3}}, TypeError,
              message="$.a[(1, 2)]: keys must be str, not tuple",
              differs={"json/ujson": "ujson converts any key with str()"}),
    DumpsCase("unsupported-key-names-path-opt-in", lambda: {"a": {(1, 2): 3}}, TypeError,
              options={"non_str_keys": True},
              message="$.a[(1, 2)]: keys must be str, int, float, bool or None, not tuple"),
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


# The shared round-trip files (datasets/json/roundtrip): loads then dumps must give each file
# back byte for byte. Recorded here: file -> adapter id -> why that adapter answers otherwise.
# json/native has no entry: all 27 files come back identical.
ROUNDTRIP_DIFFERS: dict[str, dict[str, str]] = {
    "roundtrip27": {"json/stdlib": STDLIB_EXPONENTS + ": the file has e308, repr writes e+308",
                    "json/ujson": "ujson writes 1.7976931348623157e+308"},
}


@dataclass(frozen=True)
class LoadsCase:
    id: str
    data: bytes
    want: Any  # a value, or an exception type
    differs: dict[str, str] = field(default_factory=dict)


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
    LoadsCase("nan-literal", b"[NaN]", [float("nan")]),
    LoadsCase("infinity-literals", b"[Infinity,-Infinity]", [float("inf"), float("-inf")]),
    LoadsCase("lone-surrogate-escape", rb'"\ud800"', "\ud800",
              differs={"json/native": "a lone surrogate cannot be UTF-8; simdjson rejects it"}),
    LoadsCase("deep-nesting", b"[" * 100_000 + b"]" * 100_000, RecursionError,
              differs={"json/ujson": "ujson raises JSONDecodeError (a ValueError) at depth 1024"}),
]

"""JSON adapters: discovery, native options (ensure_ascii, allow_nan, non_str_keys), error
messages with paths, and random documents that must agree with the stdlib byte for byte (up
to native's documented exponent spelling, 1e16 for 1e+16)."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from suites.adapters import registry
from suites.adapters.json._exponent import respell_exponents
from suites.adapters.json.base import Json


def test_discovery_finds_the_three_adapters() -> None:
    ids = [e.adapter_id for e in registry.entries("json", selection="")]
    assert ids == ["json/native", "json/stdlib", "json/ujson"]


def _native_cls() -> type[Json]:
    try:
        return registry.get("json/native")
    except LookupError as exc:
        pytest.skip(str(exc))


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    pick = rng.randrange(10 if depth < 4 else 6)
    if pick == 0:
        return rng.choice([None, True, False])
    if pick == 1:
        return rng.choice([0, -1, 2**63 - 1, -2**63, 2**64, -(10**25), rng.randrange(-10**6, 10**6)])
    if pick == 2:
        bits = rng.getrandbits(64)
        value = __import__("struct").unpack("<d", bits.to_bytes(8, "little"))[0]
        return value if value == value and abs(value) != float("inf") else 1.5
    if pick == 3:
        return rng.choice([0.1, 1e16, 1e-5, 123.456, -0.0, 5e-324, 1e300])
    if pick in (4, 5):
        alphabet = ["a", "\"", "\\", "\n", "\x00", "\x1f", "\x7f", "é", "€", "😀", "\u2028", "/"]
        return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 20)))
    if pick in (6, 7):
        return [_random_value(rng, depth + 1) for _ in range(rng.randrange(0, 5))]
    return {rng.choice(["k", "é", "a b", "😀", ""]) + str(i): _random_value(rng, depth + 1)
            for i in range(rng.randrange(0, 5))}


@pytest.mark.parametrize("ensure_ascii", [False, True])
def test_native_random_documents_equal_stdlib(ensure_ascii: bool) -> None:
    native = _native_cls()(ensure_ascii=ensure_ascii)
    rng = random.Random(99)
    for _ in range(1500):
        value = _random_value(rng)
        want = json.dumps(value, separators=(",", ":"), ensure_ascii=ensure_ascii).encode()
        out = native.dumps(value)
        assert out == respell_exponents(want), value
        assert json.loads(out) == json.loads(want)
        assert native.loads(want) == json.loads(want)


def test_native_allow_nan_option() -> None:
    cls = _native_cls()
    assert cls().dumps([float("nan")]) == b"[NaN]"
    with pytest.raises(ValueError, match=r"^\$\[0\]: Out of range float"):
        cls(allow_nan=False).dumps([float("nan")])
    with pytest.raises(ValueError, match=r"^\$\.k: Out of range float"):
        cls(allow_nan=False).dumps({"k": float("-inf")})
    with pytest.raises(ValueError):  # converted float keys follow the same policy
        cls(allow_nan=False, non_str_keys=True).dumps({float("nan"): 1})


def test_native_non_str_keys_rejected_unless_opted_in() -> None:
    cls = _native_cls()
    with pytest.raises(TypeError, match=r"^\$\.a\[3\]: keys must be str, not int \(non_str_keys"):
        cls().dumps({"a": {3: "x"}})
    assert cls(non_str_keys=True).dumps({"a": {3: "x", None: 1}}) == b'{"a":{"3":"x","null":1}}'


def test_native_paths_quote_odd_keys() -> None:
    native = _native_cls()()
    with pytest.raises(TypeError, match=r"^\$\['a b'\]\[2\]\.x: Object of type object"):
        native.dumps({"a b": [1, 2, {"x": object()}]})


def test_native_loads_accepts_str_bytes_bytearray_memoryview() -> None:
    native = _native_cls()()
    for data in ('{"a":[1]}', b'{"a":[1]}', bytearray(b'{"a":[1]}'), memoryview(b'{"a":[1]}')):
        assert native.loads(data) == {"a": [1]}
    with pytest.raises(TypeError):
        native.loads(123)  # type: ignore[arg-type]


def test_native_decode_error_position_and_line() -> None:
    native = _native_cls()()
    with pytest.raises(json.JSONDecodeError) as info:
        native.loads(b'{\n  "a": [1, 2,, 3]\n}')
    assert info.value.lineno == 2


def test_native_results_do_not_alias_the_reused_buffer() -> None:
    """The writer buffer is reused: results must not alias each other."""
    native = _native_cls()()
    a = native.dumps(["x" * 1000])
    b = native.dumps([1])
    assert a == b'["' + b"x" * 1000 + b'"]' and b == b"[1]"

"""lapwise.json: round trips, the stdlib's bytes for the common case, the two departures."""

from __future__ import annotations

import json as stdlib_json

import pytest

import lapwise
from lapwise import json

pytestmark = pytest.mark.skipif(lapwise.native_error() is not None,
                                reason=str(lapwise.native_error()))

DOC = {"id": 1, "name": "é", "tags": ["a", None, True], "ratio": 0.1, "nested": {"x": [1.5e300]}}


def test_round_trip_and_stdlib_bytes() -> None:
    data = json.dumps(DOC)
    assert json.loads(data) == DOC
    assert data == stdlib_json.dumps(DOC, separators=(",", ":"), ensure_ascii=False).encode() \
        .replace(b"e+300", b"e300")


def test_departures_from_json_dumps() -> None:
    with pytest.raises(TypeError, match="keys must be str, not int"):
        json.dumps({1: 0})
    assert json.dumps({1: 0}, non_str_keys=True) == b'{"1":0}'
    assert json.dumps(1e16) == b"1e16"


def test_errors() -> None:
    with pytest.raises(stdlib_json.JSONDecodeError):
        json.loads(b"[1,")
    deep: list = []
    for _ in range(json.MAX_DEPTH + 1):
        deep = [deep]
    with pytest.raises(RecursionError):
        json.dumps(deep)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf"),
                                   {"a": [1.0, float("inf")]}, "Infinity", [1.5, -2.0]])
def test_loads_reads_what_dumps_writes_with_the_same_options(value) -> None:
    data = json.dumps(value)
    assert data == stdlib_json.dumps(value, separators=(",", ":")).encode()
    assert repr(json.loads(data)) == repr(value)  # repr: nan == nan for the comparison
    assert repr(json.loads(data.decode(), allow_nan=True)) == repr(value)


def test_an_overflowing_number_round_trips_as_infinity() -> None:
    inf = json.loads(b"[1e400, -1e400]")
    assert inf == [float("inf"), -float("inf")]
    assert json.dumps(inf) == b"[Infinity,-Infinity]"
    assert json.loads(json.dumps(inf)) == inf


@pytest.mark.parametrize("text,where", [
    (b"[NaN]", 1), (b"NaN", 0), (b'{"a": -Infinity}', 6), (b" Infinity", 1)])
def test_allow_nan_false_is_strict_json_on_both_sides(text, where) -> None:
    with pytest.raises(stdlib_json.JSONDecodeError) as caught:
        json.loads(text, allow_nan=False)
    assert caught.value.pos == where
    with pytest.raises(ValueError, match=r"^\$\[0\]: Out of range float"):
        json.dumps([float("nan")], allow_nan=False)


@pytest.mark.parametrize("text", [b"[Nan]", b"[-NaN]", b"[Infinity1]", b"[NaN,]", b"NaN x",
                                  b"[+Infinity]", b'{"a": NaN'])
def test_only_the_three_literals_are_read(text) -> None:
    with pytest.raises(stdlib_json.JSONDecodeError):
        json.loads(text)
    with pytest.raises(ValueError):
        stdlib_json.loads(text)  # the stdlib agrees


def test_loads_refuses_unknown_options() -> None:
    with pytest.raises(TypeError, match="allow_nans"):
        json.loads(b"1", allow_nans=True)  # type: ignore[call-arg]

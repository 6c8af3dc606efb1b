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

"""lapwise.query: parse_qsl semantics with limits, and path percent-decoding."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

import lapwise
from lapwise import query

pytestmark = pytest.mark.skipif(lapwise.native_error() is not None,
                                reason=str(lapwise.native_error()))


@pytest.mark.parametrize("qs", ["a=1&b=x+y&a=%E2%9C%93", "k&k=&=v&&;x=1", "%zz=%4&%ff=1"])
def test_parse_is_parse_qsl(qs: str) -> None:
    assert query.parse(qs) == parse_qsl(qs, keep_blank_values=True)


def test_limits_raise() -> None:
    with pytest.raises(ValueError):
        query.parse("a=1&" * 3, max_pairs=2)
    with pytest.raises(ValueError):
        query.parse("a" * 11, max_length=10)


def test_percent_decode_path_keeps_plus() -> None:
    assert query.percent_decode_path("/a%20b+c") == b"/a b+c"

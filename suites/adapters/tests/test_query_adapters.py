"""Query adapters: discovery, limits as constructor options, and the native UTF-8 repair
checked against Python's own decoder on random bytes."""

from __future__ import annotations

import random
from urllib.parse import quote_from_bytes

import pytest

from suites.adapters import registry
from suites.adapters.query.base import QueryParser


def test_discovery_finds_the_three_adapters() -> None:
    ids = [e.adapter_id for e in registry.entries("query", selection="")]
    assert ids == ["query/native", "query/starlette", "query/urllib"]


def _native() -> QueryParser:
    try:
        cls = registry.get("query/native")
    except LookupError as exc:
        pytest.skip(str(exc))
    return cls()


def test_native_repairs_utf8_like_python() -> None:
    parser = _native()
    rng = random.Random(7)
    interesting = [0x00, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4,
                   0xF5, 0xFF, 0xA0, 0x9F, 0x90, 0x8F]
    for _ in range(3000):
        raw = bytes(rng.choice(interesting) for _ in range(rng.randrange(1, 12)))
        want = raw.decode("utf-8", errors="replace")
        assert parser.parse("k=" + quote_from_bytes(raw)) == [("k", want)], raw


def test_native_limits_are_constructor_options() -> None:
    cls = type(_native())
    assert cls(max_pairs=1).parse("a=1") == [("a", "1")]
    with pytest.raises(ValueError, match="more pairs than the limit"):
        cls(max_pairs=1).parse("a=1&b=2")
    with pytest.raises(ValueError, match="longer than the limit"):
        cls(max_length=3).parse("a=12")


def test_native_rejects_non_str_and_reports_encoding_errors() -> None:
    parser = _native()
    with pytest.raises(TypeError):
        parser.parse(b"a=1")  # type: ignore[arg-type]
    with pytest.raises(UnicodeEncodeError):
        parser.parse("a=\ud800")


def test_native_reject_mode_through_the_binding() -> None:
    from lapwise import _native_status

    _native()
    parse = _native_status.module().query_parse
    assert parse("k=%C3", 10, 100, True) == [("k", "\ufffd")]
    with pytest.raises(ValueError, match="not valid UTF-8"):
        parse("k=%C3", 10, 100, False)

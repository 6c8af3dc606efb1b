"""Every query adapter x every case: the hand-written table, the shared query string and the
shared percent-decoding samples, and a seeded random agreement check against urllib."""

from __future__ import annotations

import random
from urllib.parse import parse_qsl

import pytest

from suites.adapters.pytest_params import adapter_params
from suites.adapters.query.base import QueryParser
from suites.conformance.query_cases import CASES, QueryCase

ADAPTERS = adapter_params("query")


def _answer(parser: QueryParser, qs: str) -> object:
    try:
        return parser.parse(qs)
    except ValueError as exc:  # limits (and UnicodeEncodeError, a ValueError subclass)
        return type(exc)


@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_table(adapter: type[QueryParser], case: QueryCase) -> None:
    parser = adapter(max_pairs=case.max_pairs, max_length=case.max_length)
    got = _answer(parser, case.qs)
    want = case.want
    agrees = got == want or (isinstance(want, type) and isinstance(got, type)
                             and issubclass(got, want))
    reason = case.differs.get(adapter.adapter_id())
    if reason is not None:
        assert not agrees, f"recorded difference no longer holds, update the table: {reason}"
        pytest.xfail(reason)
    assert agrees, f"{adapter.adapter_id()} on {case.qs!r}: {got!r} != {want!r}"


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_parse_many_matches_parse(adapter: type[QueryParser]) -> None:
    parser = adapter()
    qss = [c.qs for c in CASES if c.want is not ValueError and not c.differs]
    assert parser.parse_many(qss) == [parser.parse(qs) for qs in qss]


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_shared_query_string(adapter: type[QueryParser], datasets) -> None:
    qs = datasets.querystring()
    want = parse_qsl(qs, keep_blank_values=True)
    assert len(want) == 5 and want[-2:] == [("foo", "bar"), ("foo", "baz")]  # repeated key
    assert adapter().parse(qs) == want


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_shared_uri_decoding(adapter: type[QueryParser], datasets) -> None:
    samples = datasets.uri_decoding()
    assert len(samples) == 7
    parser = adapter()
    for encoded, decoded in samples:
        assert parser.parse("k=" + encoded) == [("k", decoded)], encoded
        assert parser.parse(encoded + "=v") == [(decoded, "v")], encoded


def _random_query(rng: random.Random) -> str:
    alphabet = ["a", "b", "=", "&", "+", ";", "%", "%2", "%41", "%C3", "%A9", "%E2%82%AC",
                "%F0%9F", "%ff", "%zz", "é", "😀", " ", "%20", "%3D", "%26"]
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 24)))


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_random_agreement_with_urllib(adapter: type[QueryParser]) -> None:
    rng = random.Random(1234)
    parser = adapter()
    for _ in range(2000):
        qs = _random_query(rng)
        assert parser.parse(qs) == parse_qsl(qs, keep_blank_values=True), qs


def test_native_percent_decode_path(datasets) -> None:
    from lapwise import _native_status

    if _native_status.error() is not None:
        pytest.skip(_native_status.error())
    decode = _native_status.module().percent_decode_path
    for encoded, decoded in datasets.uri_decoding():
        assert decode(encoded) == decoded.encode(), encoded
    assert decode("/a+b%2Fc%zz%4") == b"/a+b/c%zz%4"  # no '+' rule; invalid escapes literal
    assert decode(b"%FF%00") == b"\xff\x00"  # bytes out: the caller decides about them

"""parser/native specifics: the lazy Request, its equality with Parsed, inputs of every buffer
type, parse_many, and errors as values (never exceptions) for any bytes."""

from __future__ import annotations

import random

import pytest

from suites.adapters.parser.base import PARTIAL, Limits, ParseError, to_parsed
from suites.adapters.parser.native import NativeParser
from suites.adapters.parser.py_baseline import PyBaselineParser

pytestmark = pytest.mark.skipif(not NativeParser.available(),
                                reason=f"parser/native unavailable: {NativeParser.available().reason}")

REQ = (b"POST /api/v1/items?id=7&x=%20 HTTP/1.1\r\nHost: example.com\r\nX-Custom: a b\r\n"
       b"Content-Length: 5\r\n\r\nhello")
CHUNKED = (b"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT-One: 1\r\n\r\n")


def test_defaults_match_the_core():
    from lapwise import _native

    assert _native.parser.DEFAULT_LIMITS == {
        f: getattr(Limits(), f) for f in ("max_request_line", "max_header_bytes", "max_headers",
                                          "max_body", "max_chunk_line")}


def test_fields_and_equality_both_ways():
    native = NativeParser().parse_request(REQ)
    want = PyBaselineParser().parse_request(REQ)
    assert native == want and want == native and not (native != want)
    assert (native.method, native.path, native.query) == ("POST", "/api/v1/items", "id=7&x=%20")
    assert native.headers == [("Host", "example.com"), ("X-Custom", "a b"), ("Content-Length", "5")]
    assert native.headers is native.headers  # materialised once, then cached
    assert (native.body, native.consumed, native.framing) == (b"hello", len(REQ), "length")
    assert native.content_length == 5 and native.head_size == len(REQ) - 5
    assert to_parsed(native) == want
    other = NativeParser().parse_request(REQ.replace(b"hello", b"world"))
    assert native != other and other != want
    assert native == NativeParser().parse_request(REQ)
    assert "POST" in repr(native)
    with pytest.raises(TypeError):
        hash(native)


def test_chunked_body_outlives_the_parser_storage():
    parser = NativeParser()
    first = parser.parse_request(CHUNKED)
    parser.parse_request(CHUNKED.replace(b"abc", b"XYZ"))  # reuses the decode buffer
    assert first.body == b"abcde" and first.trailers == [("T-One", "1")]
    assert first == PyBaselineParser().parse_request(CHUNKED)


def test_any_buffer_type_and_views_stay_valid():
    parser = NativeParser()
    data = bytearray(REQ)
    result = parser.parse_request(data)
    data[:4] = b"XXXX"  # the result must not see later changes to a mutable input
    assert result.method == "POST"
    assert parser.parse_request(memoryview(REQ)) == result
    with pytest.raises(TypeError):
        parser.parse_request("GET / HTTP/1.1\r\n\r\n")  # str is not bytes


def test_partial_and_error_are_the_package_values():
    parser = NativeParser()
    assert parser.parse_request(REQ[:10]) is PARTIAL
    err = parser.parse_request(b"GET / HTTP/2.0\r\nHost: a\r\n\r\n")
    assert isinstance(err, ParseError) and err.status == 505 and err.reason


def test_parse_many_loops_natively():
    parser = NativeParser()
    out = parser.parse_many([REQ, REQ[:7], b"BAD\x00 / HTTP/1.1\r\n\r\n", CHUNKED])
    assert out[0] == parser.parse_request(REQ) and out[1] is PARTIAL
    assert out[2] == ParseError(400) and out[3].body == b"abcde"
    assert parser.parse_many(()) == []
    with pytest.raises(TypeError):
        parser.parse_many(5)


def test_limits_reach_the_core():
    tight = NativeParser(Limits(max_headers=3, max_body=4))
    assert tight.parse_request(REQ) == ParseError(413)
    many = b"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"
    assert tight.parse_request(many) == ParseError(431)


def _mutate(rng: random.Random, raw: bytes) -> bytes:
    b = bytearray(raw)
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(4)
        i = rng.randrange(len(b) + 1)
        if op == 0 and b:
            del b[min(i, len(b) - 1)]
        elif op == 1:
            b.insert(i, rng.choice(b"\r\n \t:;,0aZ\x00\x7f\xff\"#?/"))
        elif op == 2 and b:
            b[min(i, len(b) - 1)] = rng.randrange(256)
        else:
            b[i:i] = rng.choice([b"\r\n", b"Host: x\r\n", b"Content-Length: 1\r\n",
                                 b"Transfer-Encoding: chunked\r\n", b"0\r\n\r\n"])
    return bytes(b)


def test_differential_against_the_baseline():
    """Mutated requests: the native core and the pure-Python baseline give the same answer."""
    rng = random.Random(20261122)
    native, baseline = NativeParser(), PyBaselineParser()
    seeds = [REQ, CHUNKED, b"GET / HTTP/1.0\r\n\r\n", b"\r\nOPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"]
    for _ in range(3000):
        raw = _mutate(rng, rng.choice(seeds))
        got, want = native.parse_request(raw), baseline.parse_request(raw)
        assert got == want, f"{raw!r}: native {got!r} vs baseline {want!r}"

"""The strict parsers (native and py-baseline) apply every limit at the same byte: a request
exactly at a limit passes, one byte over fails with the limit's status."""

from __future__ import annotations

import pytest

from suites.adapters.parser.base import PARTIAL, Limits, ParsedRequest, ParseError
from suites.adapters.parser.native import NativeParser
from suites.adapters.parser.py_baseline import PyBaselineParser

STRICT = [PyBaselineParser, pytest.param(NativeParser, marks=pytest.mark.skipif(
    not NativeParser.available(), reason="parser/native unavailable"))]
LIM = Limits(max_request_line=64, max_header_bytes=128, max_headers=4, max_body=32,
             max_chunk_line=16)


def line(target_len: int) -> bytes:
    return b"GET /" + b"a" * (target_len - 1) + b" HTTP/1.1\r\n"


def _at(n_line: int) -> bytes:  # a request line of exactly n_line bytes before its CRLF
    return line(n_line - len(b"GET  HTTP/1.1")) + b"Host: h\r\n\r\n"


@pytest.mark.parametrize("cls", STRICT)
def test_request_line(cls):
    p = cls(LIM)
    assert isinstance(p.parse_request(_at(64)), ParsedRequest)
    assert p.parse_request(_at(65)) == ParseError(414)
    assert p.parse_request(_at(65)[:66]) == PARTIAL  # a CRLF could still arrive
    assert p.parse_request(_at(65)[:67]) == ParseError(414)


@pytest.mark.parametrize("cls", STRICT)
def test_header_section_and_count(cls):
    p = cls(LIM)
    head = b"GET / HTTP/1.1\r\n"
    fill = 128 - len(b"Host: h\r\nX: \r\n\r\n")
    exact = head + b"Host: h\r\nX: " + b"v" * fill + b"\r\n\r\n"
    assert isinstance(p.parse_request(exact), ParsedRequest)
    assert p.parse_request(exact.replace(b"X: ", b"X: v")) == ParseError(431)
    four = head + b"Host: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"
    assert isinstance(p.parse_request(four), ParsedRequest)
    assert p.parse_request(four.replace(b"C: 3", b"C: 3\r\nD: 4")) == ParseError(431)


@pytest.mark.parametrize("cls", STRICT)
def test_body_and_chunk_line(cls):
    p = cls(LIM)
    cl = b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n"
    assert p.parse_request(cl % 32 + b"x" * 32).body == b"x" * 32
    assert p.parse_request(cl % 33) == ParseError(413)
    te = b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert p.parse_request(te + b"20\r\n" + b"y" * 32 + b"\r\n0\r\n\r\n").body == b"y" * 32
    assert p.parse_request(te + b"10\r\n" + b"y" * 16 + b"\r\n11\r\n") == ParseError(413)
    assert isinstance(p.parse_request(te + b"1;" + b"a" * 12 + b"\r\nz\r\n0\r\n\r\n"), ParsedRequest)
    assert p.parse_request(te + b"1;" + b"a" * 13 + b"\r\nz\r\n0\r\n\r\n") == ParseError(400)

"""lapwise.http: the request parser's public surface (results, limits, tokens)."""

from __future__ import annotations

import pytest

import lapwise
from lapwise.http import (PARTIAL, Limits, ParsedRequest, ParseError, RequestParser, is_token,
                          parse_request)

needs_native = pytest.mark.skipif(lapwise.native_error() is not None,
                                  reason=str(lapwise.native_error()))
REQ = b"POST /a?b=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\n"


@needs_native
def test_complete_partial_and_error() -> None:
    r = parse_request(REQ)
    assert isinstance(r, ParsedRequest)
    assert (r.method, r.path, r.query, r.version, r.body) == ("POST", "/a", "b=1", "1.1", b"abc")
    assert r.headers == [("Host", "x"), ("Content-Length", "3")]
    assert r.consumed == REQ.index(b"GET")  # the pipelined request is left for the next call
    assert parse_request(REQ[:20]) is PARTIAL
    assert parse_request(b"GET / HTTP/2.0\r\n\r\n") == ParseError(505)


@needs_native
def test_limits_map_to_statuses() -> None:
    tight = RequestParser(Limits(max_body=2))
    assert tight.parse(REQ) == ParseError(413)
    assert tight.parse_many([REQ, REQ[:20]]) == [ParseError(413), PARTIAL]


def test_tokens() -> None:
    assert is_token("GET") and is_token("X-Custom_1")
    assert not is_token("") and not is_token("A B") and not is_token("é")

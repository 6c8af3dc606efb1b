"""The client package without a network: policy validation, request checks, Retry-After,
backoff and retry decisions (the pure-Python rules the non-native adapters share)."""

from __future__ import annotations

import email.utils
import random

import pytest

from lapwise.client import _policy
from lapwise.client.base import (Cancelled, Error, InvalidRequest, Policy, PolicyError, Request,
                                 Response, check_request)

BAD_POLICIES = [
    (dict(concurrency=0), "concurrency must be 1..100000"),
    (dict(concurrency=1.5), "concurrency must be an int"),
    (dict(per_host=-1), "per_host"),
    (dict(rate=-1.0), "rate must be a finite number"),
    (dict(rate=float("inf")), "rate must be a finite number"),
    (dict(rate=10, burst=0.5), "burst must be 1..1e9"),
    (dict(retries=101), "retries must be 0..100"),
    (dict(backoff_base=2.0, backoff_cap=1.0), "backoff_cap must be >= backoff_base"),
    (dict(backoff_base=float("nan")), "backoff_base"),
    (dict(retry_statuses=(503, 99)), "retry status 99"),
    (dict(connect_timeout=-1), "connect_timeout"),
    (dict(max_redirects=5000), "max_redirects"),
    (dict(max_body_bytes=0), "max_body_bytes"),
    (dict(seed=-1), "seed"),
]


@pytest.mark.parametrize("kwargs,message", BAD_POLICIES, ids=[m for _, m in BAD_POLICIES])
def test_bad_policies_are_refused_with_a_clear_message(kwargs, message):
    with pytest.raises(PolicyError, match=message):
        Policy(**kwargs)


def test_good_policy_round_trips_to_the_native_dict():
    p = Policy(concurrency=8, rate=50, burst=5, total_timeout=None, retry_statuses=[503])
    d = p.to_dict()
    assert d["concurrency"] == 8 and d["rate"] == 50 and d["retry_statuses"] == (503,)
    assert d["total_timeout"] is None


BAD_REQUESTS = [
    (Request("GET", "ftp://h/x"), "unsupported scheme 'ftp'"),
    (Request("GET", "http:///x"), "no host"),
    (Request("GET", "example.com/x"), "not absolute"),
    (Request("GET", "http://h/a b"), "space or control"),
    (Request("GET", "http://h:99999/"), "invalid URL"),
    (Request("G T", "http://h/"), "method"),
    (Request("GET", "http://h/", (("Bad Name", "x"),)), "header name"),
    (Request("GET", "http://h/", (("X", "a\nb"),)), "CR, LF or NUL"),
]


@pytest.mark.parametrize("req,message", BAD_REQUESTS, ids=[m for _, m in BAD_REQUESTS])
def test_bad_requests_are_refused(req, message):
    with pytest.raises(InvalidRequest, match=message) as info:
        check_request(3, req)
    assert info.value.index == 3 and str(info.value).startswith("request 3: ")


def test_request_headers_normalise_to_pairs():
    assert Request("GET", "http://h/", {"A": "1"}).headers == (("A", "1"),)
    assert Request("GET", "http://h/", [["A", "1"]]).headers == (("A", "1"),)
    assert Request.get("http://h/", {"B": "2"}) == Request("GET", "http://h/", (("B", "2"),))


def test_results_compare_without_timings():
    assert Response(200, {}, b"x", "u", 1, elapsed=1.0) == Response(200, {}, b"x", "u", 1, elapsed=2.0)
    assert Error("reset", "one text", 2) == Error("reset", "another", 2)
    assert Error("reset", "", 2) != Error("timeout", "", 2)


RETRY_AFTER = [
    ("120", None, 120.0),
    (" 3 ", None, 3.0),
    ("-1", None, None),
    ("1.5", None, None),
    ("soon", None, None),
    (None, None, None),
    ("Sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:07 GMT", 30.0),
    ("Sun, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:50:37 GMT", 0.0),
]


@pytest.mark.parametrize("value,date,expected", RETRY_AFTER)
def test_retry_after(value, date, expected):
    assert _policy.parse_retry_after(value, date) == expected


def test_retry_after_date_without_date_header_uses_the_clock():
    ahead = email.utils.formatdate(__import__("time").time() + 100, usegmt=True)
    assert 98 <= _policy.parse_retry_after(ahead) <= 100


def test_backoff_is_full_jitter_under_the_ceiling():
    p = Policy(backoff_base=0.1, backoff_cap=1.0)
    rng = random.Random(1)
    for retry, ceiling in [(1, 0.1), (2, 0.2), (3, 0.4), (4, 0.8), (5, 1.0), (60, 1.0)]:
        draws = [_policy.backoff(retry, p, rng) for _ in range(2000)]
        assert 0 <= min(draws) and max(draws) < ceiling
        assert max(draws) > 0.9 * ceiling and min(draws) < 0.1 * ceiling  # spread over [0, c)


def _resp(status, **headers):
    return Response(status, {k.replace("_", "-"): v for k, v in headers.items()}, b"")


DECISIONS = [
    ("GET", _resp(503), 1, Policy(), "backoff"),
    ("GET", _resp(503), 3, Policy(retries=2), None),      # retries spent
    ("GET", _resp(404), 1, Policy(), None),
    ("GET", _resp(429, retry_after="2"), 1, Policy(), 2.0),
    ("GET", _resp(429, retry_after="99"), 1, Policy(retry_after_max=10), None),
    ("POST", _resp(503), 1, Policy(), None),
    ("POST", _resp(503), 1, Policy(retry_non_idempotent=True), "backoff"),
    ("GET", Error("reset"), 1, Policy(), "backoff"),
    ("GET", Error("timeout"), 1, Policy(retry_on_errors=False), None),
    ("GET", Error("tls"), 1, Policy(), None),
]


@pytest.mark.parametrize("method,result,attempts,policy,expected", DECISIONS)
def test_retry_decisions(method, result, attempts, policy, expected):
    got = _policy.retry_delay(Request(method, "http://h/"), result, attempts, policy,
                              random.Random(3))
    if expected == "backoff":
        assert got is not None and 0 <= got < policy.backoff_base * 2 ** (attempts - 1)
    else:
        assert got == expected


def test_cancelled_says_what_was_not_done():
    results = [Response(200, {}, b""), Error("cancelled", "", 0), Error("cancelled", "", 1)]
    exc = Cancelled(results, [1, 2])
    assert isinstance(exc, KeyboardInterrupt)
    assert "2 of 3 requests not done (1 never sent, 1 interrupted after starting)" in str(exc)

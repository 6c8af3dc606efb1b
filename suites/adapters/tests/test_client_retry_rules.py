"""The pure-Python policy the non-native client adapters share: Retry-After, full-jitter
backoff and retry decisions (suites/adapters/client/_policy.py)."""

from __future__ import annotations

import email.utils
import random

import pytest

from lapwise import ClientResponse, FetchError, Policy, Request

from suites.adapters.client import _policy

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
    return ClientResponse(status, {k.replace("_", "-"): v for k, v in headers.items()}, b"")


DECISIONS = [
    ("GET", _resp(503), 1, Policy(), "backoff"),
    ("GET", _resp(503), 3, Policy(retries=2), None),      # retries spent
    ("GET", _resp(404), 1, Policy(), None),
    ("GET", _resp(429, retry_after="2"), 1, Policy(), 2.0),
    ("GET", _resp(429, retry_after="99"), 1, Policy(retry_after_max=10), None),
    ("POST", _resp(503), 1, Policy(), None),
    ("POST", _resp(503), 1, Policy(retry_non_idempotent=True), "backoff"),
    ("GET", FetchError("reset"), 1, Policy(), "backoff"),
    ("GET", FetchError("timeout"), 1, Policy(retry_on_errors=False), None),
    ("GET", FetchError("tls"), 1, Policy(), None),
]


@pytest.mark.parametrize("method,result,attempts,policy,expected", DECISIONS)
def test_retry_decisions(method, result, attempts, policy, expected):
    got = _policy.retry_delay(Request(method, "http://h/"), result, attempts, policy,
                              random.Random(3))
    if expected == "backoff":
        assert got is not None and 0 <= got < policy.backoff_base * 2 ** (attempts - 1)
    else:
        assert got == expected


PAUSES = [
    (_resp(429, retry_after="2"), Policy(), 2.0),
    (_resp(503, retry_after="2"), Policy(), 2.0),
    (_resp(503, retry_after="30"), Policy(retry_after_max=5), 5.0),   # capped, as the native one
    (_resp(502, retry_after="2"), Policy(), None),                    # only 429 and 503 pause
    (_resp(429), Policy(), None),
    (_resp(429, retry_after="soon"), Policy(), None),
    (FetchError("reset"), Policy(), None),
]


@pytest.mark.parametrize("result,policy,expected", PAUSES)
def test_host_pause(result, policy, expected):
    assert _policy.host_pause(result, policy) == expected

"""The client's public types without a network: policy validation, request checks, result
equality and what Cancelled says."""

from __future__ import annotations

import pytest

from lapwise import (Cancelled, ClientResponse, FetchError, InvalidRequest, Policy, PolicyError,
                     Request, check_request)

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
    assert ClientResponse(200, {}, b"x", "u", 1, elapsed=1.0) == ClientResponse(200, {}, b"x", "u", 1, elapsed=2.0)
    assert FetchError("reset", "one text", 2) == FetchError("reset", "another", 2)
    assert FetchError("reset", "", 2) != FetchError("timeout", "", 2)


def test_cancelled_says_what_was_not_done():
    results = [ClientResponse(200, {}, b""), FetchError("cancelled", "", 0), FetchError("cancelled", "", 1)]
    exc = Cancelled(results, [1, 2])
    assert isinstance(exc, KeyboardInterrupt)
    assert "2 of 3 requests not done (1 never sent, 1 interrupted after starting)" in str(exc)

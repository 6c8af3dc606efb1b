"""Every client adapter x every case: the same requests under the same policy give the same
results (status, body, attempts, the headers that matter, or the same error kind) before any
client is timed. Cases that need a policy feature an adapter lacks are skipped for it (its
``features`` say which); every server process is stopped by its pid.

A case may also judge what the fault server saw (``arrivals``: each request's arrival time on
the server's monotonic clock, by the request's name). The Retry-After host pause is judged so:
a bound every correct client meets however slow the machine, never a speed."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from suites.adapters.client.base import ClientResponse, FetchError, InvalidRequest, Policy, Request
from suites.adapters.pytest_params import adapter_params
from suites.e2e.client.servers import FaultServer, free_port

FAST = dict(retries=0, read_timeout=0.3, connect_timeout=2.0)


@dataclass
class Expect:
    status: int | None = None       # a ClientResponse with this status, or
    kind: str | None = None         # a FetchError of this kind
    body: bytes | None = None
    attempts: int | None = 1
    headers: dict[str, str] = field(default_factory=dict)
    check: Callable[[ClientResponse], bool] | None = None


@dataclass
class Case:
    name: str
    requests: Callable[[FaultServer, str], list[Request]]  # (server, unique tag) -> requests
    expect: list[Expect]
    policy: dict = field(default_factory=dict)
    feature: str = "concurrency"
    # {request name: arrival times} -> what is wrong, or None; a request's name is the part of
    # its /f/<tag>-<name> path after the tag.
    arrivals: Callable[[dict[str, list[float]]], str | None] | None = None


def _first_wave_only(times: dict[str, list[float]]) -> str | None:
    """After a 429 with Retry-After: 1, only the requests already in flight (concurrency 4)
    arrive within the second after the first arrival (the pause starts at its answer, later)."""
    first = min(t for ts in times.values() for t in ts)
    early = sorted(n for n, ts in times.items() if any(t < first + 1.0 for t in ts))
    return None if len(early) <= 4 else f"{len(early)} of {len(times)} arrived within 1 s: {early}"


def _waits_the_capped_pause(times: dict[str, list[float]]) -> str | None:
    """The 503's Retry-After: 30 pauses its host for retry_after_max (1 s), and no longer than
    the case takes; another host's request goes ahead meanwhile."""
    paused, other, held = times["paused"][0], times["other-host"][0], times["held"][0]
    if held < paused + 1.0:
        return f"the held request arrived {held - paused:.3f} s after the 503'd one (pause 1 s)"
    if other > held:
        return "the other host's request waited for the paused host"
    return None


def _echo(method: str, body: bytes) -> Callable[[ClientResponse], bool]:
    def check(r: ClientResponse) -> bool:
        got = json.loads(r.body)
        return (got["method"] == method and got["body"] == body.decode("latin-1")
                and ["x-test", "1"] in got["headers"])
    return check


HELLO = b"hello, world\n"
CASES = [
    Case("get", lambda s, t: [Request.get(s.url("/"))],
         [Expect(200, body=HELLO, headers={"content-type": "text/plain", "content-length": "13"})]),
    Case("404 is a response, not retried", lambda s, t: [Request.get(s.url("/status/404"))],
         [Expect(404, body=b"")], dict(retries=2)),
    Case("head", lambda s, t: [Request("HEAD", s.url("/"))], [Expect(200, body=b"")]),
    Case("post body and header", lambda s, t: [Request("POST", s.url("/echo"), (("X-Test", "1"),),
                                                       b"payload\x00\xff")],
         [Expect(200, check=_echo("POST", b"payload\x00\xff"))]),
    Case("put", lambda s, t: [Request("PUT", s.url("/echo"), (("X-Test", "1"),), b"x")],
         [Expect(200, check=_echo("PUT", b"x"))]),
    Case("delete", lambda s, t: [Request("DELETE", s.url("/echo"), (("X-Test", "1"),))],
         [Expect(200, check=_echo("DELETE", b""))]),
    Case("results in input order", lambda s, t: [Request.get(s.url(f"/f/{t}-{i}?p=d{d}"))
                                                 for i, d in enumerate((120, 10, 60, 0))],
         [Expect(200, body=None, check=lambda r, i=i: r.body.endswith(f"-{i}".encode()))
          for i in range(4)]),
    Case("redirect followed", lambda s, t: [Request.get(s.url("/redirect?to=/"))],
         [Expect(200, body=HELLO, check=lambda r: r.url.endswith(":%d/" % int(r.url.split(":")[2].split("/")[0])))],
         feature="redirects"),
    Case("redirect limit", lambda s, t: [Request.get(s.url("/redirect?to=/"))],
         [Expect(kind="redirects")], dict(max_redirects=0), feature="redirects"),
    Case("redirect not followed", lambda s, t: [Request.get(s.url("/redirect?to=/elsewhere"))],
         [Expect(302, headers={"location": "/elsewhere"})], dict(follow_redirects=False),
         feature="redirects"),
    Case("gzip decoded", lambda s, t: [Request.get(s.url("/gzip"))],
         [Expect(200, body=b"compressed hello\n" * 20, headers={"content-encoding": "gzip"})],
         feature="decompression"),
    Case("503 retried", lambda s, t: [Request.get(s.url(f"/f/{t}?p=s503,ok"))],
         [Expect(200, attempts=2)], dict(retries=2, backoff_base=0.01), feature="retries"),
    Case("429 with Retry-After", lambda s, t: [Request.get(s.url(f"/f/{t}?p=s429~ra1,ok"))],
         [Expect(200, attempts=2)], dict(retries=2), feature="retries"),
    Case("Retry-After beyond the limit ends retries",
         lambda s, t: [Request.get(s.url(f"/f/{t}?p=s503~ra30,ok"))],
         [Expect(503, attempts=1, headers={"retry-after": "30"})], dict(retries=2, retry_after_max=5),
         feature="retries"),
    Case("Retry-After pauses the whole host",
         lambda s, t: [Request.get(s.url(f"/f/{t}-{i}?p=s429~ra1")) for i in range(8)],
         [Expect(429, attempts=1, headers={"retry-after": "1"}) for _ in range(8)],
         dict(concurrency=4, retries=0), feature="retries", arrivals=_first_wave_only),
    Case("the host pause is capped by retry_after_max and other hosts go ahead",
         lambda s, t: [Request.get(s.url(f"/f/{t}-paused?p=s503~ra30")),
                       Request.get(s.url(f"/f/{t}-held")),
                       Request.get(s.url(f"/f/{t}-other-host").replace("127.0.0.1", "localhost"))],
         [Expect(503, attempts=1, headers={"retry-after": "30"}), Expect(200), Expect(200)],
         dict(concurrency=1, retries=2, retry_after_max=1), feature="retries",
         arrivals=_waits_the_capped_pause),
    Case("retries spent: last response is the result",
         lambda s, t: [Request.get(s.url(f"/f/{t}?p=s502"))],
         [Expect(502, attempts=3)], dict(retries=2, backoff_base=0.01), feature="retries"),
    Case("POST not retried by default", lambda s, t: [Request("POST", s.url(f"/f/{t}?p=s503,ok"))],
         [Expect(503, attempts=1)], dict(retries=2, backoff_base=0.01), feature="retries"),
    Case("POST retried when asked", lambda s, t: [Request("POST", s.url(f"/f/{t}?p=s503,ok"))],
         [Expect(200, attempts=2)], dict(retries=2, backoff_base=0.01, retry_non_idempotent=True),
         feature="retries"),
    Case("reset retried", lambda s, t: [Request.get(s.url(f"/f/{t}?p=reset,ok"))],
         [Expect(200, attempts=2)], dict(retries=2, backoff_base=0.01), feature="retries"),
    Case("reset is an error", lambda s, t: [Request.get(s.url(f"/f/{t}?p=reset"))],
         [Expect(kind="reset")], FAST),
    Case("stall is a read timeout", lambda s, t: [Request.get(s.url(f"/f/{t}?p=stall"))],
         [Expect(kind="timeout")], FAST, feature="timeouts"),
    Case("refused is a connect error",
         lambda s, t: [Request.get(f"http://127.0.0.1:{free_port()}/")],
         [Expect(kind="connect")], FAST),
    Case("body over the limit", lambda s, t: [Request.get(s.url("/bytes/100"))],
         [Expect(kind="too_large")], dict(max_body_bytes=10), feature="too_large"),
]

BAD_URLS = ["not a url", "ftp://127.0.0.1/x", "http:///nohost", "http://127.0.0.1/a b",
            "/relative/path", "http://127.0.0.1:99999/", "mailto:someone@example.com"]


@pytest.fixture(scope="module")
def server():
    with FaultServer() as s:
        yield s


def _matches(r, e: Expect) -> str | None:
    if e.kind is not None:
        if not isinstance(r, FetchError) or r.kind != e.kind:
            return f"expected error {e.kind}, got {r!r}"[:300]
    else:
        if not isinstance(r, ClientResponse) or r.status != e.status:
            return f"expected status {e.status}, got {r!r}"[:300]
        if e.body is not None and r.body != e.body:
            return f"body {r.body[:80]!r} != {e.body[:80]!r}"
        for k, v in e.headers.items():
            if r.headers.get(k) != v:
                return f"header {k}: {r.headers.get(k)!r} != {v!r}"
        if e.check is not None and not e.check(r):
            return f"check failed for {r!r}"[:300]
    if e.attempts is not None and r.attempts != e.attempts:
        return f"attempts {r.attempts} != {e.attempts}"
    return None


@pytest.mark.parametrize("cls", adapter_params("client"))
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(cls, case: Case, server):
    if case.feature not in cls.features:
        pytest.skip(f"{cls.adapter_id()} does not implement {case.feature!r}")
    tag = f"{cls.name}-{abs(hash(case.name)) % 10**8}-{id(case) % 997}"
    results = cls().fetch_many(case.requests(server, tag), Policy(**case.policy))
    assert len(results) == len(case.expect)
    for i, (r, e) in enumerate(zip(results, case.expect)):
        problem = _matches(r, e)
        assert problem is None, f"{case.name} [{i}]: {problem}"
    if case.arrivals is not None:
        times: dict[str, list[float]] = {}
        for t, path, *_ in server.log():
            if path.startswith(f"/f/{tag}-"):
                times.setdefault(path[len(f"/f/{tag}-"):].split("?", 1)[0], []).append(t)
        problem = case.arrivals(times)
        assert problem is None, f"{case.name}: {problem}"


@pytest.mark.parametrize("cls", adapter_params("client"))
@pytest.mark.parametrize("url", BAD_URLS)
def test_invalid_url_raises_before_sending(cls, url, server):
    server.clear()
    with pytest.raises(InvalidRequest) as info:
        cls().fetch_many([Request.get(server.url("/")), Request.get(url)], Policy())
    assert info.value.index == 1
    assert server.log() == []  # nothing was sent, not even the valid request

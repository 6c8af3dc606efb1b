"""What lapwise.Client promises, judged by what the fault server saw (label e2e): each POST
sent once, the rate limit held across redirect hops, a host slowed by its Retry-After, and
peak memory within the per-request budget under an endless body, a gzip bomb and 2,000 header
fields. Durations appear only as bounds a correct client meets however slow the machine is."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import lapwise
from suites.adapters.adapter import requires_native
from suites.e2e.client.fixtures import fault_server_fixture  # noqa: F401 - the fixture

pytestmark = pytest.mark.skipif(not requires_native(), reason=str(requires_native().reason))

ROOT = Path(__file__).resolve().parents[3]  # the repository root: `suites` imports from there


def _arrivals(server, path: str) -> list[float]:
    return sorted(t for t, p, *_ in server.log() if p == path)


def test_each_post_reaches_the_server_once(fault_server):
    # /first-only answers a connection's first request and drops the connection on the next:
    # libcurl used to resend every such POST on a fresh connection (399 arrivals for 200).
    fault_server.clear()
    reqs = [lapwise.Request("POST", fault_server.url("/first-only"), (), str(i).encode()) for i in range(200)]
    client = lapwise.Client(lapwise.Policy(concurrency=4, retry_non_idempotent=False))
    results = client.fetch_many(reqs)
    seen = len(_arrivals(fault_server, "/first-only"))
    print(f"200 POSTs -> {seen} arrivals, stats {client.last_stats}")
    assert seen == 200
    assert client.last_stats["attempts"] == seen
    assert sum(r.attempts for r in results) == seen
    for r in results:
        assert (isinstance(r, lapwise.ClientResponse) and r.status == 200) or (
            isinstance(r, lapwise.FetchError) and r.kind == "reset" and r.attempts == 1), r


def test_redirect_hops_take_rate_tokens(fault_server):
    # /loop redirects to itself: 3 requests x (1 + 10 hops) = 33 arrivals at rate 20/s.
    fault_server.clear()
    client = lapwise.Client(lapwise.Policy(concurrency=8, rate=20, burst=1, max_redirects=10))
    results = client.fetch_many([lapwise.Request.get(fault_server.url("/loop"))] * 3)
    assert all(isinstance(r, lapwise.FetchError) and r.kind == "redirects" for r in results), results
    times = _arrivals(fault_server, "/loop")
    assert len(times) == 33 == client.last_stats["attempts"]
    assert client.last_stats["redirects"] == 30
    span = times[-1] - times[0]
    print(f"33 hops at rate 20/s took {span:.2f} s on the server's clock ({32 / span:.1f}/s)")
    # A bucket of 20/s cannot pass 33 requests in less than 32 intervals (1.6 s). The bound is
    # 3/4 of that, so that uneven delivery (the first request slowed by its connect) cannot
    # fail a correct client; without the limit on hops the span was a few milliseconds.
    assert span >= 32 / 20 * 3 / 4


def test_retry_after_slows_the_whole_host(fault_server):
    # Every first arrival answers 429 with Retry-After: 1. Only the requests already in flight
    # (concurrency 4) may arrive in the second after the first answer; before, all 16 did.
    fault_server.clear()
    reqs = [lapwise.Request.get(fault_server.url(f"/f/ra{i}?p=s429~ra1")) for i in range(16)]
    results = lapwise.Client(lapwise.Policy(concurrency=4, retries=0)).fetch_many(reqs)
    assert all(isinstance(r, lapwise.ClientResponse) and r.status == 429 for r in results)
    times = sorted(t for t, *_ in fault_server.log())
    early = sum(1 for t in times if t < times[0] + 1.0)
    print(f"arrivals in the first second after a 429 with Retry-After: 1: {early} of 16")
    assert early <= 4


# The documented budget (cores/client/README.md): per request in flight, max_body_bytes plus
# four times max_header_bytes plus 512 KiB for libcurl's own buffers.
MAX_HEADER_BYTES = lapwise.Policy().max_header_bytes


@pytest.mark.parametrize("path,n", [("/endless", 32), ("/gzip-bomb", 32), ("/headers/2000", 1000)])
def test_peak_memory_stays_within_the_budget(fault_server, path, n):
    concurrency, max_body = 16, 8 << 20
    out = subprocess.run([sys.executable, "-m", "suites.e2e.client.rss_probe", fault_server.url(path), str(n),
                          str(concurrency), str(max_body)],
                         capture_output=True, text=True, timeout=300, check=True, cwd=ROOT)
    got = json.loads(out.stdout)
    budget_kb = (max_body + 4 * MAX_HEADER_BYTES + (512 << 10)) // 1024
    grew = got["peak_kb"] - got["base_kb"]
    print(f"{path} x{n} at concurrency {concurrency}: base {got['base_kb'] / 1024:.0f} MiB, "
          f"peak {got['peak_kb'] / 1024:.0f} MiB (+{grew / 1024:.0f} MiB; budget "
          f"{concurrency * budget_kb / 1024:.0f} MiB), results {got['kinds']}")
    assert got["kinds"] == {"too_large": n}
    assert grew <= concurrency * budget_kb


def test_header_limits_come_from_the_policy(fault_server):
    def one(policy: lapwise.Policy, path: str):
        return lapwise.Client(policy).fetch_many([lapwise.Request.get(fault_server.url(path))])[0]

    few = one(lapwise.Policy(max_headers=10, retries=0), "/headers/20")
    small = one(lapwise.Policy(max_header_bytes=1024, retries=0), "/headers/60")  # ~2 KB head
    roomy = one(lapwise.Policy(max_headers=20), "/headers/18")  # + its own 2: exactly 20
    assert isinstance(few, lapwise.FetchError) and few.kind == "too_large", few
    assert "max_headers" in few.message
    assert isinstance(small, lapwise.FetchError) and small.kind == "too_large", small
    assert "max_header_bytes" in small.message
    assert isinstance(roomy, lapwise.ClientResponse) and len(roomy.headers) == 20, roomy
    with pytest.raises(lapwise.PolicyError, match="max_headers"):
        lapwise.Policy(max_headers=0)

"""ClientResponse.http_version on plain HTTP (label e2e): every client adapter reports the version of
the status line it got, "1.1" from a keep-alive HTTP/1.1 server and "1.0" from one speaking
HTTP/1.0, in input order with the two interleaved. (HTTP/2 over TLS: test_client_tls.py.)"""

from __future__ import annotations

import pytest

from lapwise._client import Client as NativeFanout

from suites.adapters.client.base import ClientResponse, Policy, Request
from suites.adapters.pytest_params import adapter_params
from suites.e2e.client.fixtures import fault_server_fixture  # noqa: F401 - the fixture

CLIENTS = adapter_params("client")


@pytest.mark.parametrize("cls", CLIENTS)
def test_http_version_of_each_response(cls, fault_server):
    paths = ["/", "/http10"] * 4
    reqs = [Request.get(fault_server.url(p)) for p in paths]
    policy = Policy(concurrency=4, retries=0, use_proxy=False)
    if cls.name == "native":  # the public API itself, not only its adapter
        results = NativeFanout(policy).fetch_many(reqs)
    else:
        results = cls().fetch_many(reqs, policy)
    assert all(isinstance(r, ClientResponse) and r.status == 200 for r in results), results
    assert [r.body for r in results] == [b"hello, world\n", b"old\n"] * 4
    assert [r.http_version for r in results] == ["1.1", "1.0"] * 4

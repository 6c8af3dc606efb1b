"""Response.http_version on plain HTTP (label e2e): every client adapter reports the version of
the status line it got, "1.1" from a keep-alive HTTP/1.1 server and "1.0" from one speaking
HTTP/1.0, in input order with the two interleaved. (HTTP/2 over TLS: test_client_tls.py.)"""

from __future__ import annotations

import pytest

from conftest import adapter_params  # suites/conftest.py
from fixtures import fault_server_fixture  # noqa: F401 - the fixture

from lapwise._client import Client as NativeFanout
from lapwise.client.base import Policy, Request, Response

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
    assert all(isinstance(r, Response) and r.status == 200 for r in results), results
    assert [r.body for r in results] == [b"hello, world\n", b"old\n"] * 4
    assert [r.http_version for r in results] == ["1.1", "1.0"] * 4

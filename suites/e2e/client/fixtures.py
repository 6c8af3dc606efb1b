"""Fixtures for the client suite (imported by the test modules; not a conftest.py, so that
suites/conftest.py stays the one `conftest` module): nginx (suites.adapters.server.nginx.NginxServer,
serving /plaintext and /json), nginx over TLS (tls_server.TlsNginx) and the fault server, one
process per test module each, started and stopped by pid."""

from __future__ import annotations

import shutil

import pytest

from suites.adapters.server.nginx import NginxServer
from suites.e2e.client.servers import FaultServer


@pytest.fixture(scope="module", name="nginx")
def nginx_fixture():
    """The running nginx's Address (``.url`` is its base URL)."""
    why = NginxServer.available()
    if not why:
        pytest.skip(why.reason)
    with NginxServer() as server:  # stopped by pid on the way out
        yield server.start()


@pytest.fixture(scope="module", name="fault_server")
def fault_server_fixture():
    with FaultServer() as server:
        yield server


@pytest.fixture(scope="module", name="tls_nginx")
def tls_nginx_fixture():
    """nginx over TLS (HTTP/2 by ALPN) with a throwaway CA: a tls_server.TlsNginx."""
    from suites.adapters.server.nginx import nginx_binary
    from suites.e2e.client.tls_server import TlsNginx

    if nginx_binary() is None:
        pytest.skip("nginx is not installed (Debian package nginx-light)")
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    with TlsNginx() as server:
        yield server

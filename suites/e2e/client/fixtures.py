"""Fixtures for the client suite (imported by the test modules; not a conftest.py, so that
suites/conftest.py stays the one `conftest` module): nginx and the fault server, one process
per test module each, started and stopped by pid."""

from __future__ import annotations

import pytest

from servers import FaultServer, Nginx


@pytest.fixture(scope="module", name="nginx")
def nginx_fixture():
    why = Nginx.available()
    if why:
        pytest.skip(why)
    with Nginx() as server:
        yield server


@pytest.fixture(scope="module", name="fault_server")
def fault_server_fixture():
    with FaultServer() as server:
        yield server

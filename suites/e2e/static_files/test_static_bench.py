"""The static benchmark end to end at a small size: every server starts, answers the whole
file correctly (length and SHA-256, checked by the benchmark before timing), serves each
timed download whole, and is stopped by pid. No figure is asserted."""

from __future__ import annotations

import shutil

import pytest

from lapwise import _native_status

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)
if shutil.which("curl") is None:
    pytest.skip("curl is not installed", allow_module_level=True)

from suites.adapters.server import nginx  # noqa: E402
from suites.e2e.static_files import static_bench  # noqa: E402


def test_every_server_serves_the_file_whole():
    only = ["lapwise-wsgi@wsgi-file-wrapper", "lapwise-app@app-static", "lapwise-asgi@asgi-pathsend",
            "lapwise-asgi@starlette-lapwise-fileresponse"]
    if nginx.nginx_binary() is None:
        pytest.skip("nginx is not installed")
    servers, what, _ = static_bench.run(3_000_000, 1, only)
    assert {s.name for s in servers} == {static_bench.BASE, *only}
    for s in servers:
        assert len(s.speeds) == 1 and s.bytes == 3_000_000, s.name
        assert s.proc.poll() is not None, f"{s.name} still running"
    assert all(what[s.name] for s in servers)

"""The hosting benchmark and the long run, small: every server started, answers checked before
and after the load, records written; 50,000 requests to the FastAPI app with zero errors and
the server's RSS within soak's flatness bound. No timing is asserted."""

from __future__ import annotations

import importlib.util
import json

import pytest

from suites.e2e.hostperf import hosting_bench, million
from suites.e2e.hostperf.hosting_servers import missing
from suites.e2e.server_bench import soak
from suites.results import SCHEMA


def _need(*modules: str) -> None:
    for m in modules:
        if importlib.util.find_spec(m) is None:
            pytest.skip(f"python module {m} is not installed")


@pytest.mark.parametrize("app,servers", [
    ("starlette-app-json", "lapwise-asgi,uvicorn"),
    ("flask-json", "lapwise-wsgi,gunicorn-gthread"),
])
def test_hosting_bench_runs_and_writes_the_result_schema(tmp_path, app, servers):
    _need("starlette", "flask")
    for s in servers.split(","):
        if (why := missing(s)) is not None:
            pytest.skip(f"{s}: {why}")
    out = tmp_path / "hosting.json"
    assert hosting_bench.main(["--apps", app, "--servers", servers, "--seconds", "1", "--warmup", "0",
                               "--rounds", "1", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["schema"] == SCHEMA
    cpu = [r for r in data["records"] if r["metric"] == "cpu_per_request"]
    assert {r["adapter"] for r in cpu} == {f"server/{s}" for s in servers.split(",")}
    assert all(r["samples"][0] > 0 for r in cpu)
    assert all(r["samples"] == [0.0] for r in data["records"] if r["metric"] == "errors")


def test_fifty_thousand_requests_to_fastapi_no_errors_flat_memory():
    _need("fastapi", "pydantic")
    run = million.long_run("lapwise-asgi", "fastapi-items", 50_000, 64, max_seconds=240)
    assert run.requests == 50_000 and run.ok == 50_000, run.errors
    assert run.verdict.growth_pct <= soak.FLAT_LIMIT_PCT, run.rss_mb

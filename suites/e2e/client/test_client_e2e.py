"""Client fan-out scenarios at CI size (label e2e): correctness and exact accounting for every
client adapter. Timings are printed and recorded, never asserted; the full-size, timed runs
are bench_client.py."""

from __future__ import annotations

import pytest

from suites.adapters.pytest_params import adapter_params
from suites.e2e.client import client_scenarios
from suites.e2e.client.fixtures import (fault_server_fixture,  # noqa: F401 - the fixtures
                                        nginx_fixture)

CLIENTS = adapter_params("client")


def _needs(cls, feature: str) -> None:
    if feature not in cls.features:
        pytest.skip(f"{cls.adapter_id()} does not implement {feature!r} (features: "
                    f"{', '.join(sorted(cls.features))})")


@pytest.mark.parametrize("cls", CLIENTS)
def test_throughput_small(cls, nginx):
    n = 100 if cls.name == "urllib" else 500
    out = client_scenarios.throughput(cls(), nginx.url + "/plaintext", n=n, concurrency=64)
    print(f"{cls.adapter_id()}: {out.extra['req_per_s']:.0f} req/s (n={n}, not asserted)")


@pytest.mark.parametrize("cls", CLIENTS)
def test_latency_bound_small(cls, fault_server):
    _needs(cls, "concurrency")
    out = client_scenarios.latency_bound(cls(), fault_server, n=200, delay_ms=50, concurrency=100)
    print(f"{cls.adapter_id()}: wall/ideal {out.extra['ratio']:.2f} (not asserted)")


@pytest.mark.parametrize("cls", CLIENTS)
def test_rate_limit_never_exceeded(cls, fault_server):
    _needs(cls, "rate")
    out = client_scenarios.rate_limited(cls(), fault_server, rate=100, burst=1, seconds=1.0)
    # A lower bound that load cannot break: a correct limiter is never faster than this.
    assert out.wall >= out.extra["min_wall_s"] - 0.005, out.extra
    print(f"{cls.adapter_id()}: observed {out.extra['observed_rate']:.1f}/s for 100/s")


@pytest.mark.parametrize("cls", CLIENTS)
def test_fault_mix_exact_accounting(cls, fault_server):
    _needs(cls, "retries")
    out = client_scenarios.faults(cls(), fault_server, n=60)
    assert out.extra["sent"] == out.extra["server_saw"]
    assert out.extra["results"] == 60
    print(f"{cls.adapter_id()}: {out.extra}")

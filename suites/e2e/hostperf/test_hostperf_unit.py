"""Floors and in-process drivers answer right (what the figures are built on); the long run's
slope arithmetic."""

from __future__ import annotations

import importlib.util

import pytest

from suites.e2e.hostperf import floors, million
from suites.e2e.hostperf.hosting_bench import APPS


def _have(*modules: str) -> bool:
    return all(importlib.util.find_spec(m) is not None for m in modules)


@pytest.mark.parametrize("floor", floors.FLOORS, ids=lambda f: f.name)
def test_each_floor_answers_its_expected_body(floor):
    if not _have("starlette", "fastapi", "flask"):
        pytest.skip("the framework apps need starlette, fastapi and flask")
    assert floor.name in APPS  # the benchmark serves every app the floors measure
    samples = floors.measure(floor, calls=20, rounds=1)  # raises on a wrong answer
    assert len(samples) == 1 and samples[0] > 0


@pytest.mark.parametrize("host", ["lapwise-asgi", "uvicorn"])
@pytest.mark.parametrize("name", ["raw-asgi-json", "fastapi-app-items"])
def test_hosted_drivers_answer_like_the_servers(host, name):
    if not _have("uvicorn", "httptools", "uvloop", "fastapi"):
        pytest.skip("needs uvicorn, httptools, uvloop and fastapi")
    from suites.laps import hosted_family

    hosted = APPS[name]
    run = hosted_family.HOSTS[host](floors.load_app(hosted.app), hosted.target)
    assert run(64) == (200, hosted.expect)
    assert floors.cpu_per_call(run, 64, 1)[0] > 0


def test_hosted_family_table_adds_up():
    from suites.laps import hosted_family

    app = "fastapi-app-items"
    fl = {hosted_family.RAW: [3.0], app: [100.0]}
    dr = {("lapwise-asgi", hosted_family.RAW): [7.0], ("lapwise-asgi", app): [104.0],
          ("uvicorn", hosted_family.RAW): [15.0], ("uvicorn", app): [120.0]}
    e2e = {("lapwise-asgi", hosted_family.RAW): [11.0], ("lapwise-asgi", app): [120.0],
           ("uvicorn", hosted_family.RAW): [20.0], ("uvicorn", app): [128.0]}
    rows = hosted_family.table(app, fl, dr, e2e)
    lw = rows["lapwise-asgi"]
    assert lw["host_python"] == 4.0 and lw["framework_x_host"] == 0.0 and lw["server_rest"] == 4.0
    assert lw["predicted"] == 108.0 and lw["residual"] == 12.0
    # The prediction is the app through the driver plus what the server adds to the raw app.
    for host, steps in rows.items():
        assert steps["predicted"] == pytest.approx(dr[(host, app)][0] + e2e[(host, hosted_family.RAW)][0]
                                                   - dr[(host, hosted_family.RAW)][0])


def test_slope_is_per_thousand_requests_over_the_second_half():
    flat = [100] * 10 + [100] * 10
    assert million.slope_per_1k(flat, 20_000) == 0.0
    # 20 samples over 20,000 requests: 1,000 requests a sample; +50 bytes a sample in the
    # second half is +50 bytes per 1,000 requests whatever the first half did.
    rising = [500] * 10 + [1000 + 50 * i for i in range(10)]
    assert million.slope_per_1k(rising, 20_000) == pytest.approx(50.0)

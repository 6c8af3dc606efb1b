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


def _runs(*cpu_us: float) -> list:
    from suites.e2e.hostperf.hosting_bench import Run

    return [Run(c, 1000.0, 0, 0.5) for c in cpu_us]


@pytest.mark.parametrize("lapwise,peer,framework,transport,target,verdict", [
    (12.0, 25.0, 8.0, 3.0, 0.5, "met"),  # 12 <= 12.5
    (14.0, 25.0, 8.0, 3.0, 0.5, "missed: lapwise's own share would have to fall from 3.00 to 1.50 us"),
    (50.0, 60.0, 40.0, 4.0, 0.6, "below the least any server could cost here"),  # 44 > 36
    (50.0, 60.0, 40.0, 4.0, 0.0, ""),  # no target given
])
def test_reachable_verdicts(lapwise, peer, framework, transport, target, verdict):
    from suites.e2e.hostperf import reachable

    row = reachable.Row(APPS["starlette-app-json"], target, [framework],
                        {"lapwise-asgi": _runs(lapwise), "uvicorn": _runs(peer)})
    out = reachable.lines([row], _runs(transport))
    assert out[0].endswith(f"{transport:.2f} us CPU/req")
    assert out[2].rstrip().endswith(verdict)
    assert f"{(framework + transport) / peer:9.2f}x" in out[2]


def test_reachable_refuses_an_unknown_app(capsys):
    from suites.e2e.hostperf import reachable

    with pytest.raises(SystemExit) as stop:
        reachable.main(["--targets", "starlette-json=0.5"])
    assert stop.value.code == 2
    assert "unknown app 'starlette-json'" in capsys.readouterr().err

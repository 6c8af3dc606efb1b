"""e2e smoke (ctest -L e2e): lapwise-load against real servers, correctness only.

Each check asserts what must hold on any machine however loaded: the server conforms, every
response under load was a valid 200 with the spec's body length (zero errors), and the counts
add up (issued == sent == ok + failed). Never a timing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from suites.adapters import registry
from suites.e2e.server_bench import app_requests, loadgen
from suites.e2e.server_bench import run as runner
from suites.results import load as load_results

SERVERS = ["server/py-asyncio", "server/nginx"]


def _server_cls(adapter_id: str):
    try:
        return registry.get(adapter_id)
    except LookupError as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def binary() -> Path:
    try:
        return loadgen.find_binary()
    except loadgen.LoadError as exc:
        pytest.skip(str(exc))


@pytest.mark.parametrize("adapter_id", SERVERS)
@pytest.mark.parametrize("pipeline", [1, 16])
def test_every_response_valid_and_counts_add_up(adapter_id, pipeline, binary, tmp_path):
    cls = _server_cls(adapter_id)
    server = cls()
    address = server.start()
    try:
        assert app_requests.check_conformance(address.host, address.port, cls.routes) == []
        for route in sorted(cls.routes):
            req_file = app_requests.write_request_file(app_requests.ROUTES[route], tmp_path)
            spec = loadgen.LoadSpec(url=address.url, request_file=req_file, connections=8,
                                    pipeline=pipeline, duration_s=0.3)
            report = loadgen.run(binary, spec, tmp_path / f"{route}.json")  # checks accounting
            req = report["requests"]
            where = f"{adapter_id} {route} p{pipeline}: {report['first_errors']}"
            assert req["failed"] == 0, where
            assert req["ok"] > 0, where
            assert req["issued"] == req["sent"] == req["ok"], where
            assert report["connections"]["connect_errors"] == 0, where
    finally:
        server.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(address.pid, 0)


def test_open_loop_against_py_asyncio(binary, tmp_path):
    cls = _server_cls("server/py-asyncio")
    server = cls()
    address = server.start()
    try:
        req_file = app_requests.write_request_file(app_requests.ROUTES["json"], tmp_path)
        spec = loadgen.LoadSpec(url=address.url, request_file=req_file, connections=4,
                                duration_s=0.5, rate=400, max_requests=150, timeout_ms=5000)
        report = loadgen.run(binary, spec, tmp_path / "open.json")
        req = report["requests"]
        assert report["config"]["mode"] == "open"
        assert req["issued"] == 150, "the schedule, not the server, decides what is issued"
        assert req["failed"] == 0, report["first_errors"]
        assert req["ok"] == req["issued"] == req["sent"]
    finally:
        server.stop()


def test_runner_smoke_writes_valid_schema(binary, tmp_path, capsys):
    if not any(e.adapter_id == "server/nginx" and e.cls is not None and e.availability
               for e in registry.entries("server", "")):
        pytest.skip("server/nginx unavailable")
    code = runner.main(["--mode", "smoke", "--servers", "server/nginx", "--out", str(tmp_path),
                        "--load-bin", str(binary), "--strict", "--progress"])
    assert code == 0
    # Progress for ci/bench: a line per closed point, open-loop rate and soak, counted.
    progress = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("PROGRESS ")]
    assert [ln.split()[1:3] for ln in progress] == [["0", "4"], ["1", "4"], ["2", "4"], ["3", "4"]]
    assert "server/nginx (1/1) closed plaintext c16-p1" in progress[0]
    result = load_results(tmp_path / "e2e_server_smoke.json")  # validates the schema
    metrics = {(r.scenario, r.param, r.metric) for r in result.records}
    for needed in [("server.closed_plaintext", "c16-p1", "throughput"),
                   ("server.closed_plaintext", "c16-p16", "cpu_per_request"),
                   ("server.wrk_plaintext", "c16-p16", "throughput"),
                   ("server.load_vs_wrk_plaintext", "c16-p16", "throughput_ratio"),
                   ("server.open_plaintext", "50pct", "latency_p99"),
                   ("server.soak_plaintext", "20000req", "rss"),
                   ("server.cold_start", None, "wall_time")]:
        assert needed in metrics, needed
    errors = [r for r in result.records if r.metric == "errors"]
    assert errors and all(s == 0 for r in errors for s in r.samples)
    raw = json.loads((tmp_path / "e2e_server_smoke.json").read_text())
    assert raw["machine"]["load_bin"] == str(binary)

"""Renamed adapter ids: a result file or a stored run written under an old id reads under the
current one, and no old id is a current adapter's (a name is never reused)."""

from __future__ import annotations

import json

from suites import results
from suites.adapters import registry
from suites.results import Record, ResultFile, history
from suites.results.renamed import PAIRS, RENAMED, SCENARIOS, current


def test_an_old_file_reads_under_the_current_ids(tmp_path):
    rec = {"adapter": "server/uvicorn-starlette", "scenario": "server.closed_users", "param": "c64",
           "metric": "cpu_per_request", "unit": "us", "samples": [35.0],
           "id": "server.closed_users[c64]/uvicorn-starlette"}
    p = tmp_path / "old.json"
    p.write_text(json.dumps({"schema": results.SCHEMA, "suite": "e2e.server", "machine": {}, "records": [rec]}))
    back = results.load(p).records[0]
    assert (back.adapter, back.id) == ("server/uvicorn", "server.closed_users[c64]/uvicorn")


def test_an_old_scenario_reads_under_its_current_name(tmp_path):
    rec = {"adapter": "server/uvicorn-starlette", "scenario": "hosting.starlette-json", "param": "c64",
           "metric": "cpu_per_request", "unit": "us", "samples": [24.6]}
    p = tmp_path / "old.json"
    p.write_text(json.dumps({"schema": results.SCHEMA, "suite": "e2e.hostperf.hosting", "machine": {},
                             "records": [rec]}))
    back = results.load(p).records[0]
    assert back.id == "hosting.starlette-app-json[c64]/uvicorn"


def test_an_old_static_record_reads_as_its_server_and_app(tmp_path):
    rec = {"adapter": "server/static-lapwise-starlette-FileResponse", "scenario": "e2e.static.download",
           "param": "100MB", "metric": "throughput", "unit": "ops/s", "samples": [1900.0]}
    p = tmp_path / "old.json"
    p.write_text(json.dumps({"schema": results.SCHEMA, "suite": "e2e.static", "machine": {}, "records": [rec]}))
    back = results.load(p).records[0]
    assert back.id == "e2e.static.starlette-fileresponse[100MB]/lapwise-asgi"


def test_an_old_sse_record_reads_as_its_server_and_app():
    from suites.results.renamed import current_ids

    assert current_ids("server/lapwise-sse", "e2e.sse.streams") == ("server/lapwise-app", "e2e.sse.app-events")
    assert current_ids("server/uvicorn-sse", "e2e.sse.streams") == ("server/uvicorn", "e2e.sse.starlette-events")


def test_a_run_stored_before_the_rename_reads_under_the_current_ids(tmp_path):
    db = str(tmp_path / "h.sqlite")
    old = ResultFile("laps.hosted", {"cpu_model": "x", "commit": "aaaa1111"},
                     [Record("laps/hosted-uvicorn-starlette", "laps.hosted.fastapi-app-items", "cpu", "us", [60.0],
                             param="e2e")], created="2026-01-01T00:00:00+00:00")
    run = history.append([old], db=db)
    assert [r.adapter for r in history.records(run, db)] == ["laps/hosted-uvicorn"]
    row = history.rows(db, run)[0]
    assert (row["adapter"], row["id"]) == ("laps/hosted-uvicorn", "laps.hosted.fastapi-app-items[e2e]/hosted-uvicorn")


def test_old_ids_name_current_adapters_and_are_never_reused():
    from suites.e2e.hostperf.hosted_apps import APPS

    assert all(new.rsplit(".", 1)[1] in APPS for new in SCENARIOS.values())
    assert not {old.rsplit(".", 1)[1] for old in SCENARIOS} & APPS.keys()
    servers = {e.adapter_id for e in registry.entries("server", "")}
    assert not RENAMED.keys() & servers
    assert not {adapter for adapter, _ in PAIRS} & servers
    assert {adapter for adapter, _ in PAIRS.values()} <= servers
    for old, new in RENAMED.items():
        assert current(old) == new and current(new) == new
        if new.startswith("server/"):
            assert new in servers, new

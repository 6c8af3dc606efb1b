"""The SSE run's schema v1 records: one file per server with events received and lost, server
CPU per event and the RSS slope, valid for the report (no server started)."""

from __future__ import annotations

from suites.e2e.sse.sse_streams import Figures, records
from suites.results import load, new_file, write


def test_records_carry_the_run_and_validate(tmp_path) -> None:
    f = Figures(server="uvicorn", streams=1000, rate=10.0, seconds=30.0, events_expected=300000,
                events_received=299990, lost=10, out_of_order=0, streams_failed=0, wall_s=35.0,
                server_cpu_s=3.0, server_cpu_us_per_event=10.0, client_cpu_s=5.0, rss_mb_idle=30.0,
                rss_mb_first_third=40.0, rss_mb_last_third=42.0, rss_mb_max=43.0, rss_growth_mb=2.0,
                load_average=(1.0, 1.0, 1.0), cpu_model="test", errors=[])
    recs = {r.metric: r for r in records(f, ramp=5.0)}
    assert recs["events_received"].samples == [299990.0] and recs["events_received"].direction == "higher"
    assert recs["events_lost"].samples == [10.0]
    assert recs["cpu_per_event"].samples == [10.0]
    # 2 MB between the thirds' medians, 2/3 of a 25 s hold apart: 7.2 MB a minute.
    assert abs(recs["rss_slope_per_min"].samples[0] - 7.2e6) < 1
    assert {(r.adapter, r.scenario) for r in recs.values()} == {("server/uvicorn", "e2e.sse.starlette-events")}
    out = new_file("e2e.sse", ["test"])
    out.records = list(recs.values())
    write(out, tmp_path / "sse.json")
    assert len(load(tmp_path / "sse.json").records) == 4


def test_the_servers_are_named_as_across_the_harness() -> None:
    from suites.adapters import registry
    from suites.e2e.sse.sse_streams import SSE_SERVERS

    servers = {e.adapter_id for e in registry.entries("server", "")}
    assert {f"server/{s}" for s in SSE_SERVERS} <= servers

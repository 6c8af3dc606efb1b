"""The static-file benchmark's schema v1 records: per case (server and app) throughput, ratio to nginx with
its interval, CPU per GB and peak RSS (no server started)."""

from __future__ import annotations

from suites.e2e.static_files.static_bench import BASE, Launched, records


def test_records_per_server_against_nginx() -> None:
    no_proc = None  # records() reads only the figures
    servers = [Launched(BASE, no_proc, 0, speeds=[4000.0] * 3, cpu=0.2,  # type: ignore[arg-type]
                        bytes=2_000_000_000, peak_rss_mb=8.0),
               Launched("lapwise-app@app-static", no_proc, 0, speeds=[2000.0] * 3, cpu=0.1,  # type: ignore[arg-type]
                        bytes=1_000_000_000, peak_rss_mb=33.0)]
    recs = records(servers, {BASE: "nginx", "lapwise-app@app-static": "App.static"}, 100, (1.0, 1.5))
    by = {(r.adapter, r.metric): r for r in recs}
    ours = "server/lapwise-app"
    assert by[(ours, "throughput")].samples == [2000.0] * 3 and by[(ours, "throughput")].direction == "higher"
    assert by[(ours, "ratio_vs_nginx")].samples == [0.5] and by[(ours, "ratio_vs_nginx")].direction == "higher"
    assert by[(ours, "cpu_per_gb")].samples == [0.1]
    assert by[(ours, "peak_rss")].samples == [33e6]
    assert {r.param for r in recs} == {"100MB"}
    assert {(r.adapter, r.scenario) for r in recs} == {("server/nginx", "e2e.static.location-sendfile"),
                                                       (ours, "e2e.static.app-static")}

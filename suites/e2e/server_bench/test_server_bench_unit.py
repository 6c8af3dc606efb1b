"""The runner's own logic, without servers: request files, lapwise-load's accounting check, the
conversion to schema v1, the wrk script, the RSS verdict, and lapwise-load's CLI contract."""

from __future__ import annotations

import json
import subprocess

import pytest

from suites.e2e.server_bench import app_requests, loadgen
from suites.e2e.server_bench import run as runner
from suites.e2e.server_bench import soak, wrk_run
from suites.e2e.server_bench.records import (LOADGEN_LATE_US, Measured, loadgen_late,
                                             loadgen_utilisation, loadgen_verdict, to_records)
from suites.e2e.server_bench.server_scenarios import PLANS, is_native
from suites.results import load as load_results
from suites.results import new_file, write


def fake_report(ok=1000, failed=0, sent=None, latency_count=None, errors=None, rps=5000.0):
    errors = errors or {k: 0 for k in loadgen.ERROR_KINDS}
    return {
        "config": {"connections": 64, "pipeline": 1, "mode": "closed", "rate": 0, "duration_s": 2,
                   "requests": [{"method": "GET", "target": "/plaintext"}]},
        "requests": {"issued": ok + failed, "sent": ok + failed if sent is None else sent,
                     "ok": ok, "failed": failed},
        "errors": errors, "throughput_rps": rps, "elapsed_s": 0.2,
        "latency_us": {"count": ok if latency_count is None else latency_count, "p50": 50.0,
                       "p90": 90.0, "p99": 99.0, "p99.9": 199.0, "max": 500.0},
        "cpu": {"user_s": 0.1, "system_s": 0.1}, "connections": {"connect_errors": 0},
        "first_errors": []}


@pytest.mark.parametrize("route", sorted(app_requests.ROUTES))
def test_request_files_carry_the_spec_length(route):
    req = app_requests.ROUTES[route]
    text = app_requests.request_file_text(req)
    assert text.splitlines()[0] == f"{req.method} {req.target}"
    assert f"expect 200 {len(req.expect_body)}" in text
    if req.body:
        assert f"body {req.body.decode()}" in text


@pytest.mark.parametrize("report, problem", [
    (fake_report(), None),
    (fake_report(ok=10, failed=2, errors={**{k: 0 for k in loadgen.ERROR_KINDS}, "status": 2}), None),
    (fake_report(ok=10, failed=2), "do not sum"),
    (fake_report(latency_count=3), "latencies"),
    (fake_report(sent=5000), "sent"),
    ({**fake_report(), "requests": {"issued": 5, "sent": 5, "ok": 3, "failed": 1}}, "issued 5"),
])
def test_accounting_problems(report, problem):
    got = loadgen.accounting_problems(report)
    if problem is None:
        assert got == []
    else:
        assert any(problem in p for p in got), got


def test_accounting_of_the_open_loop_block():
    report = open_report(40.0)
    assert loadgen.accounting_problems(report) == []  # 1000 sent, 1000 ok, blocks of 1000
    report["open_loop"]["send_lateness_us"] = {**report["open_loop"]["send_lateness_us"],
                                               "count": 999}
    assert any("send latenesses" in p for p in loadgen.accounting_problems(report))
    report = open_report(40.0)
    report["open_loop"]["response_us"] = {**report["open_loop"]["response_us"], "count": 3}
    assert any("response times" in p for p in loadgen.accounting_problems(report))


def test_records_per_metric_with_runs_as_samples(tmp_path):
    runs = [Measured(fake_report(rps=5000.0), 0.5), Measured(fake_report(rps=6000.0), 0.25)]
    recs = to_records("server/nginx", "server.closed_plaintext", "c64-p1", runs)
    by_metric = {r.metric: r for r in recs}
    assert by_metric["throughput"].samples == [5000.0, 6000.0]
    assert by_metric["throughput"].unit == "req/s"
    assert by_metric["cpu_per_request"].samples == [500.0, 250.0]  # 0.5 s / 1000 requests
    assert by_metric["loadgen_cpu_per_request"].samples == [200.0, 200.0]
    assert by_metric["latency_p99.9"].samples == [199.0, 199.0]
    assert by_metric["errors"].samples == [0.0, 0.0]
    assert by_metric["throughput"].id == "server.closed_plaintext[c64-p1]/nginx"
    result = new_file("e2e.server")
    result.records = recs
    path = write(result, tmp_path / "e2e_server_test.json")
    assert len(load_results(path).records) == len(recs)


@pytest.mark.parametrize("warmup_s, elapsed_s, cpu_s, util", [
    (0, 0.2, 0.2, 1.0),     # saturated: a CPU second per wall second
    (0.5, 1.5, 0.5, 0.25),  # the warmup counts as wall time (its CPU is in the total)
    (0, 0.0, 0.1, 0.0),     # nothing measured: no division by zero
])
def test_loadgen_utilisation(warmup_s, elapsed_s, cpu_s, util):
    report = fake_report()
    report["config"]["warmup_s"] = warmup_s
    report["elapsed_s"] = elapsed_s
    report["cpu"] = {"user_s": cpu_s / 2, "system_s": cpu_s / 2}
    assert loadgen_utilisation(report) == pytest.approx(util)


def test_loadgen_utilisation_prefers_the_reported_wall_time():
    report = fake_report()
    report["cpu"] = {"user_s": 0.5, "system_s": 1.0, "wall_s": 3.0, "utilisation": 0.5}
    assert loadgen_utilisation(report) == pytest.approx(0.5)  # not cpu / elapsed_s (7.5)


def open_report(gen_p999: float, util: float = 0.5, count: int = 1000) -> dict:
    report = fake_report()
    report["config"]["mode"] = "open"
    report["cpu"] = {"user_s": util, "system_s": 0.0, "wall_s": 1.0}
    block = {"count": count, "p50": 10.0, "p90": 20.0, "p99": 30.0, "p99.9": 40.0, "max": 90.0}
    report["open_loop"] = {"send_lateness_us": block,
                           "loadgen_lateness_us": {**block, "p99.9": gen_p999},
                           "response_us": block}
    return report


@pytest.mark.parametrize("gen_p999, util, count, late, bound", [
    (40.0, 0.5, 1000, False, False),
    (LOADGEN_LATE_US, 0.5, 1000, True, True),  # the generator's own lateness
    (40.0, 0.95, 1000, False, True),           # its core saturated
    (9999.0, 0.5, 0, False, False),            # nothing measured: no verdict from an empty block
])
def test_loadgen_verdict(gen_p999, util, count, late, bound):
    report = open_report(gen_p999, util, count)
    assert loadgen_late(report) is late
    calm = fake_report()  # closed loop, half a core: never bound by itself
    calm["cpu"] = {"user_s": 0.05, "system_s": 0.05}
    verdict = loadgen_verdict([calm, report])
    assert verdict["loadgen_bound"] is bound
    assert verdict["loadgen_late"] == [False, late]
    assert verdict["loadgen_cpu_util"][1] == pytest.approx(util)


def test_open_loop_lateness_metrics():
    recs = to_records("server/x", "server.open_plaintext", "80pct",
                      [Measured(open_report(40.0), 0.1), Measured(open_report(60.0), 0.1)])
    by_metric = {r.metric: r for r in recs}
    assert by_metric["loadgen_lateness_p99.9"].samples == [40.0, 60.0]
    assert by_metric["send_lateness_p99"].unit == "us"
    assert by_metric["response_p50"].samples == [10.0, 10.0]
    assert by_metric["loadgen_cpu_util"].samples == [pytest.approx(0.5)] * 2
    closed = {r.metric for r in to_records("server/x", "server.closed_plaintext", "c64-p1",
                                           [Measured(fake_report(), 0.1)])}
    assert "send_lateness_p99" not in closed and "loadgen_cpu_util" in closed


def test_records_without_latencies_when_nothing_succeeded():
    recs = to_records("server/x", "server.closed_plaintext", "c1-p1",
                      [Measured(fake_report(ok=0, failed=0), 0.0)])
    metrics = {r.metric for r in recs}
    assert "latency_p50" not in metrics and "errors" in metrics


def test_wrk_script_pipelines_with_host_from_init():
    script = wrk_run.lua_script(app_requests.ROUTES["echo"], 16)
    assert "init = function(args)" in script  # wrk sets Host just before init
    assert "for k, v in pairs(wrk.headers)" in script
    assert 'headers["Content-Type"] = "application/json"' in script
    assert "string.rep(one, 16)" in script
    assert 'wrk.format("POST", "/echo", headers, "{\\"a\\":[1,2,3]}")' in script


def test_wrk_script_without_pipelining_is_static():
    script = wrk_run.lua_script(app_requests.ROUTES["echo"], 1)
    assert "request" not in script and "init" not in script  # no per-request Lua in wrk
    assert 'wrk.method = "POST"' in script and 'wrk.path = "/echo"' in script
    assert 'wrk.headers["Content-Type"] = "application/json"' in script
    assert 'wrk.body = "{\\"a\\":[1,2,3]}"' in script


@pytest.mark.parametrize("ratio, ours, theirs, pipeline, why", [
    (1.05, 0.8, 0.8, 1, ""),                      # within 10%: nothing to explain
    (1.32, 0.7, 0.98, 1, "wrk bound"),            # wrk slower and its core saturated
    (0.80, 0.95, 0.6, 1, "lapwise-load bound"),
    (1.30, 0.7, 0.5, 1, "unexplained"),           # neither side was the limit
    (0.80, 0.5, 0.95, 1, "unexplained"),          # the faster side's saturation explains nothing
    (1.20, 0.4, 0.5, 16, "wrk batches"),          # pipelined: wrk refills per whole batch
    (0.80, 0.4, 0.5, 16, "unexplained"),          # ... which never makes wrk faster
])
def test_wrk_difference(ratio, ours, theirs, pipeline, why):
    assert runner.wrk_difference(ratio, ours, theirs, pipeline) == why


def test_wrk_report_parse():
    text = ("  10 requests in 1.00s, 1KB read\n"
            "  Socket errors: connect 0, read 2, write 0, timeout 1\n"
            "Requests/sec:   1234.50\n")
    got = wrk_run.parse(text, "t")
    assert got["throughput"] == (1234.5, "req/s")
    assert got["errors"] == (3.0, "count")


@pytest.mark.parametrize("samples, flat", [
    ([50, 100, 100, 101, 100, 100, 102, 101, 100, 103], True),   # start-up ramp ignored
    ([100, 100, 100, 100, 100, 105, 108, 109, 110, 110], True),    # +10% is still flat
    ([100, 100, 100, 100, 100, 110, 115, 118, 120, 125], False),   # a leak
    ([100, 100, 100, 100, 100, 100, 100, 100, 100, 150], False),   # a late spike counts
])
def test_rss_verdict(samples, flat):
    assert soak.verdict(samples).flat is flat


def test_rss_verdict_needs_samples_and_reads_proc():
    with pytest.raises(ValueError):
        soak.verdict([1, 2, 3])
    import os
    assert soak.rss_bytes(os.getpid()) > 1 << 20
    assert soak.rss_bytes(2 ** 22 + 12345) is None


def test_plans_are_bounded_and_complete():
    full = PLANS["full"]
    assert {(c.connections, c.pipeline) for c in full.closed if c.route == "plaintext"} == {
        (c, p) for c in (16, 64, 256) for p in (1, 16)}
    assert full.open_pcts == (50, 80, 95) and full.soak_requests == 1_000_000
    for plan in PLANS.values():
        assert plan.peak.pipeline == 1 and plan.duration_s > 0
        assert all(w in plan.closed for w in plan.wrk), "wrk runs next to a lapwise-load run"
    assert is_native("nginx") and is_native("native-const") and not is_native("py-asyncio")


def test_lapwise_load_cli_contract(tmp_path):
    """Usage errors exit 2 with a message; a run against a closed port exits 0 with a report
    that adds up (connect errors, nothing issued) within its time bound."""
    try:
        binary = loadgen.find_binary()
    except loadgen.LoadError as exc:
        pytest.skip(str(exc))
    bad = subprocess.run([str(binary), "-c", "0", "http://127.0.0.1:1"], capture_output=True,
                         text=True, timeout=30)
    assert bad.returncode == 2 and "connections" in bad.stderr
    from suites.adapters.server._process import free_port
    out = tmp_path / "r.json"
    ok = subprocess.run([str(binary), "-q", "-d", "0.2", "-o", str(out),
                         f"http://127.0.0.1:{free_port()}/plaintext"], capture_output=True,
                        text=True, timeout=30)
    assert ok.returncode == 0, ok.stderr
    report = json.loads(out.read_text())
    assert loadgen.accounting_problems(report) == []
    assert report["connections"]["connect_errors"] > 0
    assert report["requests"]["issued"] == 0


def test_child_progress_is_rescaled_into_the_parents_count(capfd):
    import sys

    from suites.e2e.child_progress import SCALE, relay

    child = ("import sys; print('PROGRESS 0 4 a'); print('a table line');"
             "print('PROGRESS 2 4 b c', flush=True)")
    assert relay([sys.executable, "-c", child], 0.5, 0.25, "e2e client", True) == 0
    out = capfd.readouterr().out.splitlines()
    assert out == [f"PROGRESS {SCALE // 2} {SCALE} e2e client a", "a table line",
                   f"PROGRESS {SCALE * 5 // 8} {SCALE} e2e client b c"]

"""The lap table's arithmetic: pipeline + other (measured on /plaintext) predicts the
end-to-end cost within 10% or fails, interaction is a separate diagnostic, the
boundary and speedup columns, and n/a cells that carry their reason."""

from types import SimpleNamespace

import pytest

from reports import laps
from reports.tests.synth import lap_records
from suites.laps import lap_families, laps_bench
from suites.results import Record


@pytest.mark.parametrize("steps, pipeline, e2e, other, ok", [
    (900.0, 1000.0, 3000.0, 2000.0, True),    # pipeline + other == e2e
    (900.0, 1000.0, 3000.0, 1750.0, True),    # predicts 2750: 8.3% short
    (900.0, 1000.0, 3000.0, 1600.0, False),   # predicts 2600: 13.3% short
    (1000.0, 1000.0, 1000.0, 0.0, True),      # nothing unattributed
    (500.0, 1000.0, 2000.0, 1500.0, False),   # the pipeline overshoots by 25%
])
def test_reconcile_is_a_prediction_checked_against_the_tolerance(steps, pipeline, e2e, other, ok):
    interaction, predicted, error, steps_error, good = laps.reconcile(steps, pipeline, e2e, other)
    assert interaction == pytest.approx(pipeline - steps)
    assert predicted == pytest.approx(pipeline + other)
    assert error == pytest.approx(abs(pipeline + other - e2e) / e2e)
    assert steps_error == pytest.approx(abs(steps + other - e2e) / e2e)
    assert good is ok


def test_reconcile_rejects_a_non_positive_end_to_end():
    with pytest.raises(ValueError):
        laps.reconcile(1.0, 1.0, 0.0, 0.0)


def _e2e(adapter: str, ns: float, route: str = "users") -> Record:
    return Record(adapter=adapter, scenario=f"server.closed_{route}", param="c64-p1",
                  metric=laps.E2E_METRIC, unit="us", samples=[ns / 1e3] * 3)


def test_table_columns_and_reconciliation_rows():
    step = {"native": 10.0, "native-py": 50.0, "py-baseline": 400.0, "peer": 300.0}
    pipe = {f: v * 8 * 1.05 for f, v in step.items()}
    plain = {"peer": 1000.0, "native-py": 200.0}
    recs = lap_records("users", step, pipe, plaintext_ns=plain) + [
        _e2e("server/uvicorn", 10_000.0), _e2e("server/py-asyncio-native", 1_000.0),
        _e2e("server/uvicorn", 8_000.0, "plaintext"),
        _e2e("server/py-asyncio-native", 300.0, "plaintext"),
        _e2e("server/py-asyncio", 5_000.0)]  # no plaintext run: not reconciled
    t = laps.build(recs, "users")
    assert t.step_sum["peer"].est.value == pytest.approx(8 * 300.0)
    assert t.pipeline["peer"].est.value == pytest.approx(8 * 300.0 * 1.05)
    r = t.reconciliation["peer"]
    assert r.e2e.est.value == pytest.approx(10_000.0)
    assert r.other.est.value == pytest.approx(8_000.0 - 1_000.0)  # from /plaintext, not /users
    assert r.predicted == pytest.approx(8 * 300.0 * 1.05 + 7_000.0)
    assert r.error == pytest.approx(abs(r.predicted - 10_000.0) / 10_000.0)
    assert r.ok  # 2520 + 7000 vs 10000: 4.8%
    assert r.interaction == pytest.approx(8 * 300.0 * 0.05)
    bad = t.reconciliation["native-py"]  # 420 + (300 - 200) vs 1000: 48% short
    assert bad.error == pytest.approx(0.48) and not bad.ok
    assert "py-baseline" not in t.reconciliation  # no /plaintext run, no plaintext pipeline
    assert not t.speedup["parse"].ok  # native-py's cell runs no native code: never credited
    assert t.boundary["parse"].ok is False  # impl names no native adapter -> glue
    assert t.share("parse", "peer") == pytest.approx(300.0 / 10_000.0)
    header, rows, notes = laps.rows(t)
    labels = [r[0] for r in rows]
    assert "other / unattributed (from /plaintext)" in labels
    assert "step interaction (pipeline − sum), diagnostic" in labels
    err_row = next(r for r in rows if r[0].startswith("reconciliation error"))
    peer_col, npy_col = 1 + laps.FAMILIES.index("peer"), 1 + laps.FAMILIES.index("native-py")
    assert err_row[peer_col].endswith("ok") and err_row[npy_col].endswith("FAIL")


def test_e2e_record_prefers_the_unpipelined_closed_loop_run():
    recs = [Record(adapter="server/py-asyncio-native", scenario="server.closed_users", param=p,
                   metric=laps.E2E_METRIC, unit="us", samples=[v]) for p, v in
            (("c64-p16", 1.0), ("c64-p1", 4.0))]
    recs.append(Record(adapter="server/py-asyncio-native", scenario="server.closed_plaintext",
                       param="c64-p1", metric=laps.E2E_METRIC, unit="us", samples=[2.0]))
    assert laps.e2e_record(recs, "native-py", "users").samples == [4.0]
    assert laps.e2e_record(recs, "native-py", "plaintext").samples == [2.0]
    assert laps.e2e_record(recs, "peer", "users") is None


def test_boundary_uses_the_native_adapter_steps():
    step = {"native": 10.0, "native-py": 50.0, "py-baseline": 400.0, "peer": 300.0}
    recs = lap_records("api", step, {f: v * 8 for f, v in step.items()})
    for r in recs:
        if r.adapter == "laps/native-py" and r.scenario == "laps.route":
            r.extra["impl"] = "router/native"
    t = laps.build(recs, "api")
    assert t.boundary["route"].est.value == pytest.approx(40.0)
    assert t.boundary["pipeline"].est.value == pytest.approx(8 * 40.0)


def test_missing_cells_are_na_with_their_reason():
    step = {"native": 10.0, "native-py": 50.0, "py-baseline": 400.0, "peer": 300.0}
    recs = lap_records("api", step, {f: v * 8 for f, v in step.items()},
                       missing={("native-py", "query"): "n/a: query/native not implemented yet"})
    t = laps.build(recs, "api")
    assert not t.cells[("query", "native-py")].ok
    assert not t.step_sum["native-py"].ok
    header, rows, notes = laps.rows(t)
    assert "query/native not implemented yet" in notes
    query_row = next(r for r in rows if r[0] == "parse query")
    assert query_row[1 + laps.FAMILIES.index("native-py")].startswith("n/a (")
    assert t.reconciliation == {}


def test_report_predicts_from_the_in_context_records():
    """The records laps_bench.py writes, read by the report: other = e2e(/plaintext) - (pipeline +
    write in context on /plaintext), predicted = pipeline + write in context on /users + other;
    without the in-context records the report falls back to the tight-loop pipelines."""
    runner = SimpleNamespace(processes=3, batches=3, min_batch_us=5.0)
    values = {**{s: 100.0 for s in lap_families.STEPS}, "pipeline": 1000.0,
              "pipeline_plaintext": 500.0, "pipeline_ctx": 1400.0, "write_ctx": 900.0,
              "pipeline_plaintext_ctx": 600.0, "write_plaintext_ctx": 800.0}
    cells = {("users", "py-baseline", k): {"samples": [v, v, v], "impl": "x", "batch": 1}
             for k, v in values.items()}

    def e2e(route, us):
        return Record(adapter="server/py-asyncio", scenario=f"server.closed_{route}",
                      param="c64-p1", metric=laps.E2E_METRIC, unit="us", samples=[us] * 3)

    recs = laps_bench.to_records(cells, runner) + [e2e("users", 4.0), e2e("plaintext", 2.5)]
    r = laps.build(recs, "users").reconciliation["py-baseline"]
    assert r.basis == "in context"
    assert r.other.est.value == pytest.approx(2500.0 - (600.0 + 800.0))
    assert r.predicted == pytest.approx(1400.0 + 900.0 + 1100.0)
    assert r.error == pytest.approx(abs(3400.0 - 4000.0) / 4000.0) and not r.ok
    assert r.isolated_error == pytest.approx(abs(1000.0 + 2000.0 - 4000.0) / 4000.0)
    tight = [x for x in recs if not x.scenario.endswith("_ctx")]
    r = laps.build(tight, "users").reconciliation["py-baseline"]
    assert r.basis == "isolated" and r.predicted == pytest.approx(1000.0 + 2000.0)
    header, rows, _ = laps.rows(laps.build(recs, "users"))
    col = 1 + laps.FAMILIES.index("py-baseline")
    assert next(x for x in rows if x[0].startswith("**predicted"))[col].endswith("(in context)")

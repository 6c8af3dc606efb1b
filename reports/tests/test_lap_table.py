"""The lap table's arithmetic: steps + interaction + other == end-to-end, the 10% check, the
boundary and speedup columns, and n/a cells that carry their reason."""

import pytest

from lapwise.results import Record
from lapwise_reports import laps

from synth import lap_records


@pytest.mark.parametrize("steps, pipeline, e2e, ok", [
    (900.0, 1000.0, 3000.0, True),     # interaction 100 = 3.3% of e2e
    (1000.0, 1000.0, 1000.0, True),    # nothing unattributed
    (500.0, 1000.0, 2000.0, False),    # steps miss half the pipeline: 25%
    (1300.0, 1000.0, 2000.0, False),   # steps overcount by 15%
    (1190.0, 1000.0, 2000.0, True),    # 9.5%
])
def test_reconcile_sums_exactly_and_checks_the_tolerance(steps, pipeline, e2e, ok):
    other, interaction, error, good = laps.reconcile(steps, pipeline, e2e)
    assert steps + interaction + other == pytest.approx(e2e)
    assert other == pytest.approx(e2e - pipeline)
    assert error == pytest.approx(abs(pipeline - steps) / e2e)
    assert good is ok


def test_reconcile_rejects_a_non_positive_end_to_end():
    with pytest.raises(ValueError):
        laps.reconcile(1.0, 1.0, 0.0)


def _e2e(adapter: str, ns: float) -> Record:
    return Record(adapter=adapter, scenario="e2e.users", metric=laps.E2E_METRIC, unit="us",
                  samples=[ns / 1e3] * 3)


def test_table_columns_and_reconciliation_rows():
    step = {"native": 10.0, "native-py": 50.0, "py-baseline": 400.0, "peer": 300.0}
    pipe = {f: v * 8 * 1.05 for f, v in step.items()}
    recs = lap_records("users", step, pipe) + [_e2e("server/uvicorn-starlette", 10_000.0),
                                                _e2e("server/native-py", 1_000.0)]
    t = laps.build(recs, "users")
    assert t.step_sum["peer"].est.value == pytest.approx(8 * 300.0)
    assert t.pipeline["peer"].est.value == pytest.approx(8 * 300.0 * 1.05)
    r = t.reconciliation["peer"]
    assert r.e2e.est.value == pytest.approx(10_000.0)
    assert r.other.est.value == pytest.approx(10_000.0 - 8 * 300.0 * 1.05)
    total = t.step_sum["peer"].est.value + r.interaction + r.other.est.value
    assert total == pytest.approx(r.e2e.est.value)
    assert r.ok
    assert "py-baseline" not in t.reconciliation  # no server/py-asyncio record
    assert t.speedup["parse"].est.value == pytest.approx(300.0 / 50.0)
    assert t.boundary["parse"].ok is False  # impl names no native adapter -> glue
    assert t.share("parse", "peer") == pytest.approx(300.0 / 10_000.0)
    header, rows, notes = laps.rows(t)
    labels = [r[0] for r in rows]
    assert "other / unattributed (e2e − pipeline)" in labels
    assert any("ok" in c for c in rows[-1][1:])


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

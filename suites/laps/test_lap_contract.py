"""Equal work in every lap cell: each step's contract is enforced before timing. Every Python
family's "parse request" yields the same fully materialised RequestHead; a lazy result that
read nothing, or a head holding bytes, fails the check with the family and step named."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from suites.laps import lap_child, lap_collectors, lap_contract, lap_families, test_laps_unit

inputs = test_laps_unit.inputs  # the same per-scenario inputs fixture


def test_every_step_has_a_contract_and_boundaries_name_real_cells():
    assert set(lap_contract.CONTRACTS) == set(lap_families.STEPS)
    for family, step in lap_contract.BOUNDARIES:
        assert family in lap_families.FAMILIES and step in lap_families.STEPS


@pytest.mark.parametrize("family", lap_families.PY_FAMILIES)
def test_every_family_produces_the_same_verified_outputs(inputs, family):
    steps = lap_families.build(family, inputs)
    if steps["parse"].fn is None:
        pytest.skip(steps["parse"].na)
    head = steps["parse"].fn(inputs.request)
    assert lap_contract.materialised(head) is None
    assert (head.method, head.path, head.query, tuple(head.headers)) == (
        inputs.method, inputs.path, inputs.query, inputs.headers)
    _, errors = lap_child._inputs_of(steps, inputs)
    assert errors == {}


def test_httptools_is_driven_by_the_minimal_collector(inputs):
    pytest.importorskip("httptools")
    steps = lap_families.build("peer", inputs)
    assert steps["parse"].impl == "parser/httptools (minimal callback collector)"
    head = lap_collectors.httptools_head()(inputs.request)
    assert lap_families.check("parse", head, inputs) is None


@pytest.mark.parametrize("wrong", [
    SimpleNamespace(method="GET", target="/", path="/", query="", version="1.1", headers=[]),
    lap_contract.RequestHead("GET", "/", "/", "", "1.1", [(b"Host", b"x")]),
    lap_contract.RequestHead(b"GET", "/", "/", "", "1.1", []),
])
def test_unmaterialised_heads_fail_the_parse_check(inputs, wrong):
    assert "not a materialised request head" in lap_families.check("parse", wrong, inputs)


def test_a_lazy_parse_step_is_a_wrong_answer_naming_family_and_step(inputs):
    steps = lap_families.build("py-baseline", inputs)
    if steps["parse"].fn is None:
        pytest.skip(steps["parse"].na)
    parser = lap_families.pick("py-baseline", "parser")()
    steps["parse"] = lap_families.Step("parse", parser.parse_request, "raw adapter result")
    _, errors = lap_child._inputs_of(steps, inputs)
    assert errors["parse"].startswith("wrong answer: not a materialised request head")


def test_records_carry_contract_and_boundary():
    from suites.laps import laps_bench

    runner = SimpleNamespace(processes=1, batches=1, min_batch_us=1.0)
    cells = {("api", "native", "parse"): {"samples": [1.0], "impl": "c++", "batch": 1},
             ("api", "peer", "parse"): {"samples": [2.0], "impl": "httptools", "batch": 1}}
    recs = {r.adapter: r for r in laps_bench.to_records(cells, runner)}
    assert recs["laps/peer"].extra["contract"] == lap_contract.CONTRACTS["parse"]
    assert "boundary" not in recs["laps/peer"].extra
    assert recs["laps/native"].extra["boundary"] == lap_contract.boundary("native", "parse")

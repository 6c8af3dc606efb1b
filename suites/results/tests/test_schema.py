"""Result schema v2 (and v1 files read back): round trip, the load, and broken files named by
file and field."""

import json

import pytest

from suites import results
from suites.results import SchemaError
from suites.results.importers import gbench, pytest_benchmark


def _record(**over):
    rec = {"adapter": "router/native", "scenario": "router.github_all", "param": None,
           "metric": "time_per_op", "unit": "ns", "samples": [40.0, 41.0, 39.5]}
    rec.update(over)
    return rec


def _file(tmp_path, records, **over):
    data = {"schema": results.SCHEMA, "suite": "micro.router", "machine": {"cpu_model": "x"},
            "records": records}
    data.update(over)
    p = tmp_path / "r.json"
    p.write_text(json.dumps(data))
    return p


def test_round_trip(tmp_path):
    f = results.new_file("micro.router", ["ci/bench --quick"])
    f.records.append(results.Record(**_record(param="1000")))
    p = results.write(f, tmp_path / "out.json")
    back = results.load(p)
    assert back.records[0].id == "router.github_all[1000]/native"
    assert back.records[0].samples == [40.0, 41.0, 39.5]
    assert back.machine["cpu_model"] and back.machine["python"]


@pytest.mark.parametrize("mutate, message", [
    (lambda r: r.pop("unit"), "records[0]: missing field 'unit'"),
    (lambda r: r.update(samples=[]), "records[0].samples: empty"),
    (lambda r: r.update(samples=[1, "x"]), "records[0].samples[1]: expected a finite number"),
    (lambda r: r.update(adapter="native"), "records[0].adapter: 'native' is not of the form"),
    (lambda r: r.update(unit="furlongs"), "records[0].unit: 'furlongs' is not one of"),
    (lambda r: r.update(id="router.x/native"), "records[0].id:"),
])
def test_broken_record_names_file_and_field(tmp_path, mutate, message):
    rec = _record()
    mutate(rec)
    p = _file(tmp_path, [rec])
    with pytest.raises(SchemaError) as err:
        results.load(p)
    assert str(p) in str(err.value) and message in str(err.value)


def test_wrong_schema_and_not_json(tmp_path):
    p = _file(tmp_path, [], schema="v0")
    with pytest.raises(SchemaError, match=r"\.schema: 'v0'"):
        results.load(p)
    p.write_text("{nope")
    with pytest.raises(SchemaError, match="not JSON"):
        results.load(p)
    with pytest.raises(SchemaError, match="no such result file"):
        results.load(tmp_path / "missing.json")


def test_gbench_import(tmp_path):
    data = {"context": {}, "benchmarks": [
        {"name": "router.github_all/native/repeats:2", "run_name": "router.github_all/native",
         "run_type": "iteration", "iterations": 100, "real_time": 50.0, "cpu_time": 40.0,
         "time_unit": "ns"},
        {"name": "router.github_all/native/repeats:2", "run_name": "router.github_all/native",
         "run_type": "iteration", "iterations": 100, "real_time": 52.0, "cpu_time": 0.042,
         "time_unit": "us"},
        {"name": "router.github_all/native_mean", "run_type": "aggregate", "cpu_time": 1,
         "real_time": 1, "time_unit": "ns"},
        {"name": "router.growth[1000]/native-linear", "run_type": "iteration", "iterations": 1,
         "real_time": 9.0, "cpu_time": 8.0, "time_unit": "ns"},
    ]}
    p = tmp_path / "g.json"
    p.write_text(json.dumps(data))
    recs = {r.id: r for r in gbench.load(p)}
    assert recs["router.github_all/native"].samples == pytest.approx([40.0, 42.0])
    assert recs["router.growth[1000]/native-linear"].adapter == "router/native-linear"


def test_gbench_failed_benchmark_is_an_error(tmp_path):
    p = tmp_path / "g.json"
    p.write_text(json.dumps({"benchmarks": [{"name": "router.x/native", "error_occurred": True,
                                             "error_message": "wrong answer"}]}))
    with pytest.raises(SchemaError, match="wrong answer"):
        gbench.load(p)


def test_pytest_benchmark_import(tmp_path):
    data = {"benchmarks": [{"fullname": "t::x", "extra_info": {
        "adapter": "router/py-trie", "scenario": "router.github_all", "ops": 203},
        "stats": {"data": [203e-6, 406e-6], "rounds": 2}}]}
    p = tmp_path / "p.json"
    p.write_text(json.dumps(data))
    (rec,) = pytest_benchmark.load(p)
    assert rec.samples == pytest.approx([1000.0, 2000.0])
    data["benchmarks"][0]["extra_info"] = {}
    p.write_text(json.dumps(data))
    with pytest.raises(SchemaError, match="extra_info: missing field 'adapter'"):
        pytest_benchmark.load(p)


def test_v2_records_the_load_at_start_and_end(tmp_path):
    from suites.results import machine

    f = results.new_file("micro.router")
    assert f.load == {"start": machine.start_load()}  # read when suites.results was imported
    f.records.append(results.Record(**_record()))
    back = results.load(results.write(f, tmp_path / "out.json"))
    assert set(back.load) == {"start", "end"}
    assert all(len(v) == 3 and min(v) >= 0 for v in back.load.values())
    results.stamp_load(tmp_path / "out.json", start=[9.0, 8.0, 7.0], run_end=[1.0, 2.0, 3.0])
    back = results.load(tmp_path / "out.json")
    assert back.load["start"] == [9.0, 8.0, 7.0] and back.load["run_end"] == [1.0, 2.0, 3.0]
    assert back.records[0].samples == [40.0, 41.0, 39.5]  # the rest left as it was


def test_v1_file_still_reads_with_no_load(tmp_path):
    p = _file(tmp_path, [_record()], schema="lapwise.results/v1")
    back = results.load(p)
    assert back.load == {} and back.records[0].id == "router.github_all/native"


@pytest.mark.parametrize("load, message", [
    ([1, 2, 3], r"\.load: expected an object"),
    ({"middle": [1, 2, 3]}, r"\.load: unknown field 'middle'"),
    ({"start": [1, 2]}, r"\.load\.start: expected \[1 min, 5 min, 15 min\]"),
    ({"end": [1, -2, 3]}, r"\.load\.end: expected"),
])
def test_bad_load_names_the_field(tmp_path, load, message):
    p = _file(tmp_path, [_record()], load=load)
    with pytest.raises(SchemaError, match=message):
        results.load(p)

"""The hyperfine and wrk importers (suites.results.importers) on their tools' real formats."""

import json

import pytest

from suites.results import SchemaError
from suites.results.importers import hyperfine, wrk

HF = {"results": [{"command": "e2e.startup[10]/native", "mean": 0.0076, "stddev": 0.0019,
                   "median": 0.0075, "user": 0.0008, "system": 0.0, "min": 0.0058, "max": 0.0096,
                   "times": [0.0075, 0.0058, 0.0096], "exit_codes": [0, 0, 0]}]}

WRK = """Running 3s test @ http://127.0.0.1:18081/json
  1 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   150.12us   40.00us   2.10ms   90.00%
    Req/Sec    65.10k     2.00k   70.00k    80.00%
  Latency Distribution
     50%  140.00us
     75%  160.00us
     90%  190.00us
     99%    1.20ms
  195300 requests in 3.00s, 28.12MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
Requests/sec:  65100.00
Transfer/sec:      9.37MB
"""


def test_hyperfine_samples_in_ms_with_the_id(tmp_path):
    p = tmp_path / "hf.json"
    p.write_text(json.dumps(HF))
    (r,) = hyperfine.load(p)
    assert (r.adapter, r.scenario, r.param, r.unit) == ("e2e/native", "e2e.startup", "10", "ms")
    assert r.samples == pytest.approx([7.5, 5.8, 9.6])


@pytest.mark.parametrize("mutate, needle", [
    (lambda d: d.pop("results"), "'results'"),
    (lambda d: d["results"][0].update(times=[]), "times"),
    (lambda d: d["results"][0].update(exit_codes=[0, 1, 0]), "exit_codes"),
    (lambda d: d["results"][0].update(command="sleep 1"), "not a lapwise id"),
])
def test_hyperfine_bad_input_names_file_and_field(tmp_path, mutate, needle):
    data = json.loads(json.dumps(HF))
    mutate(data)
    p = tmp_path / "hf.json"
    p.write_text(json.dumps(data))
    with pytest.raises(SchemaError, match=needle) as exc:
        hyperfine.load(p)
    assert "hf.json" in str(exc.value)


def test_hyperfine_names_mapping(tmp_path):
    data = json.loads(json.dumps(HF))
    data["results"][0]["command"] = "python -c pass"
    p = tmp_path / "hf.json"
    p.write_text(json.dumps(data))
    (r,) = hyperfine.load(p, names={"python -c pass": "e2e.startup/python"})
    assert r.adapter == "e2e/python"


def test_wrk_report_metrics(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(WRK)
    b.write_text(WRK.replace("65100.00", "64000.00"))
    recs = {r.metric: r for r in wrk.load([a, b], "server/uvicorn", "e2e.json", "10")}
    assert recs["throughput"].samples == [65100.0, 64000.0]
    assert recs["throughput"].unit == "req/s"
    assert recs["latency_p50"].samples == [140.0, 140.0]
    assert recs["latency_p99"].samples == [1200.0, 1200.0]
    assert recs["errors"].samples == [3.0, 3.0]
    assert recs["requests"].samples == [195300.0, 195300.0]
    assert recs["throughput"].param == "10"


def test_wrk_rejects_other_text_and_mixed_options(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("hello")
    with pytest.raises(SchemaError, match="x.txt.*Requests/sec"):
        wrk.load(p, "server/x", "e2e.json")
    no_lat = tmp_path / "nolat.txt"
    no_lat.write_text(WRK.split("  Latency Distribution")[0] + "Requests/sec:  1.0\n")
    full = tmp_path / "full.txt"
    full.write_text(WRK)
    with pytest.raises(SchemaError, match=r"nolat.txt: no (requests|latency_p\d+)"):
        wrk.load([full, no_lat], "server/x", "e2e.json")

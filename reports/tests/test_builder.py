"""The report builder on small synthetic result files: it writes Markdown, HTML and plots,
and a broken file stops it with one line naming the file and the field."""

import json

import pytest

from reports.build import build, main
from reports.tests.synth import lap_records, write_file
from suites.results import Record


@pytest.fixture
def results(tmp_path):
    d = tmp_path / "results"
    step = {"native": 10.0, "native-py": 60.0, "py-baseline": 500.0, "peer": 350.0}
    write_file(d / "laps.json", "laps", lap_records("api", step, {f: v * 8 for f, v in step.items()}))
    growth = [Record(adapter=f"router/{impl}", scenario="router.table_size", param=str(n),
                     metric="time_per_op", unit="ns", samples=[k * n ** 0.5, k * n ** 0.5 * 1.02])
              for impl, k in (("native", 1.0), ("py-trie", 20.0)) for n in (10, 100, 1000, 10000)]
    point = [Record(adapter="parser/native", scenario="parser.picohttpparser", metric="cpu_time_per_op",
                    unit="ns", samples=[140.0, 141.0, 139.0], source="gbench")]
    e2e = [Record(adapter="server/uvicorn", scenario="e2e.json", metric=m, unit=u,
                  samples=v, source="wrk")
           for m, u, v in (("throughput", "req/s", [60000.0, 61000.0]),
                           ("latency_p50", "us", [100.0, 110.0]), ("latency_p99", "us", [900.0, 950.0]))]
    write_file(d / "micro.json", "micro", growth + point)
    write_file(d / "e2e.json", "e2e", e2e)
    (d / "raw").mkdir()
    (d / "raw" / "not-schema.json").write_text("{}")  # subfolders are never read
    return d


def test_builds_markdown_html_and_plots(results, tmp_path):
    out = tmp_path / "report"
    written = build(results, out)
    md = written["report.md"].read_text()
    assert "Lap table — scenario `api`" in md
    assert "| parse request |" in md
    assert "Cost growth" in md and "growth_router_table_size_time_per_op.svg" in md
    assert "End-to-end" in md and "e2e_throughput.svg" in md
    assert "parser.picohttpparser" in md
    assert "test cpu" in md and "`test micro`" in md
    html = written["report.html"].read_text()
    assert html.startswith("<!doctype html>") and "<table class='sortable'>" in html and "laps_api.svg" in html
    laps_md = written["laps.md"].read_text()
    assert "| step |" in laps_md and "Cost growth" not in laps_md
    for stem in ("laps_api", "growth_router_table_size_time_per_op", "e2e_throughput", "e2e_latency"):
        for ext in ("png", "svg"):
            assert (out / "plots" / f"{stem}.{ext}").stat().st_size > 0


def test_a_wrong_field_is_one_line_naming_file_and_field(results, tmp_path, capsys):
    bad = json.loads((results / "micro.json").read_text())
    bad["records"][2]["samples"] = "fast"
    (results / "micro.json").write_text(json.dumps(bad))
    code = main(["--results", str(results), "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1
    assert "micro.json" in err and "records[2].samples" in err


@pytest.mark.parametrize("content, needle", [
    ("{not json", "not JSON"),
    ('{"schema": "other/v9", "suite": "x", "machine": {}, "records": []}', "schema"),
    ('{"schema": "lapwise.results/v1", "suite": "x", "machine": {}}', "'records'"),
])
def test_other_bad_files(tmp_path, capsys, content, needle):
    d = tmp_path / "res"
    d.mkdir()
    (d / "broken.json").write_text(content)
    assert main(["--results", str(d), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "broken.json" in err and needle in err


def test_missing_or_empty_results_directory(tmp_path, capsys):
    assert main(["--results", str(tmp_path / "nope"), "--out", str(tmp_path / "r")]) == 2
    assert "results directory not found" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["--results", str(tmp_path / "empty"), "--out", str(tmp_path / "r")]) == 2
    assert "no result files" in capsys.readouterr().err


def test_e2e_pivot_one_row_per_server_with_the_headline_figures():
    from reports.build import PIVOT, e2e_pivot

    recs = [Record(adapter=srv, scenario="server.closed_plaintext", param="c64-p1", metric=m,
                   unit=u, samples=[v]) for srv in ("server/a", "server/b")
            for m, u, v in (("throughput", "req/s", 1000.0), ("cpu_per_request", "us", 12.5))]
    recs.append(Record(adapter="server/a", scenario="server.cold_start", metric="wall_time",
                       unit="ms", samples=[30.0, 31.0, 29.0], source="hyperfine"))
    header, rows = e2e_pivot(recs)
    assert header[0] == "server" and len(header) == 1 + len(PIVOT)
    assert [r[0] for r in rows] == ["server/a", "server/b"]
    a = dict(zip(header, rows[0]))
    assert a["plaintext c64 req/s"] == "1,000" and a["plaintext c64 µs CPU/req"] == "12.50"
    assert a["cold start ms"] == "30.0" and a["json c64 req/s"] == "—"
    assert dict(zip(header, rows[1]))["cold start ms"] == "—"
    assert e2e_pivot([]) is None

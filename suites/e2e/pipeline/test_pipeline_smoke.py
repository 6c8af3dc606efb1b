"""The pipeline suite at smoke size: the page server maps URLs as documented, every pipeline's
answers equal html5lib's on 50 pages, and the run writes valid schema v1 records. Timings are
recorded, never asserted."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from suites.adapters.server.nginx import NginxServer
from suites.results import load

from . import pipeline_bench
from .page_server import PageNginx, page_files
from .pipeline_registry import PIPELINES
from .pipeline_spec import mismatches

PAGES = 50


@pytest.fixture(autouse=True)
def _needs_nginx() -> None:
    why = NginxServer.available()
    if not why:
        pytest.skip(why.reason)


def test_page_server_serves_n_mod_23_and_nothing_past_the_count() -> None:
    files = page_files()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with PageNginx(30) as server:  # stopped by pid on the way out
        base = server.start().url
        for n in (0, 5, 22, 23, 29):
            with opener.open(f"{base}/page/{n}", timeout=10) as res:
                assert res.read() == files[n % len(files)].read_bytes()
        for missing in ("/page/30", "/page/x", "/page/"):
            with pytest.raises(urllib.error.HTTPError) as err:
                opener.open(base + missing, timeout=10)
            assert err.value.code == 404


def test_mismatches_names_the_page_and_the_fields() -> None:
    want = [{"title": "a", "links": ["x"]}, {"title": "b", "links": []}]
    assert mismatches([dict(w) for w in want], want) == []
    assert mismatches([want[0], {"title": "b", "links": ["y"]}], want) == ["/page/1: fields links differ"]
    assert mismatches([want[0], "status 404"], want) == ["/page/1: 'status 404'"]
    assert mismatches(want[:1], want) == ["1 answers for 2 pages"]


def test_every_pipeline_agrees_with_the_reference_and_records_are_valid(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = pipeline_bench.main(["--out", str(tmp_path), "--pages", str(PAGES), "--rounds", "1",
                              "--concurrency", "8", "--step-pages", "10"])
    out = capsys.readouterr()
    assert rc == 0, out.err
    result = load(tmp_path / "pipeline.json")
    walls = {r.adapter for r in result.records if r.scenario == "pipeline.wall"}
    assert walls == {p.adapter for p in PIPELINES.values()}
    for p in PIPELINES.values():
        steps = {r.extra["step"] for r in result.records
                 if r.adapter == p.adapter and r.scenario != "pipeline.speedup"}
        assert steps == {"wall", "cpu", "fetch", "parse", "select", "to_python"}, p.name
    speedups = {r.param for r in result.records if r.scenario == "pipeline.speedup"}
    assert speedups == set(PIPELINES) - {"lapwise"}
    assert all(r.extra.get("answers_checked") for r in result.records
               if r.scenario == "pipeline.wall")

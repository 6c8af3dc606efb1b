"""The trend page from a small history store: one row per figure, plots for figures with more
than one run, runs from another CPU model left out, no matplotlib warning."""

from __future__ import annotations

import warnings

from reports import trend
from suites.results import Record, ResultFile, history


def _run(db: str, commit: str, v: float, cpu: str = "cpu A") -> None:
    recs = [Record("router/native", "router.a", "time_per_op", "ns", [v, v * 1.01, v * 0.99]),
            Record("server/x", "server.b", "throughput", "req/s", [1000.0, 1010.0])]
    history.append([ResultFile("m", {"cpu_model": cpu, "commit": commit}, recs)], db=db)


def test_trend_page(tmp_path) -> None:
    db = str(tmp_path / "h.sqlite")
    for i, v in enumerate((10.0, 10.0, 12.0)):
        _run(db, f"{i}" * 40, v)
    _run(db, "f" * 40, 99.0, cpu="cpu B")
    _run(db, "e" * 40, 11.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        page = trend.build(db, tmp_path / "out")
    html = page.read_text()
    assert "4 run(s) on <code>cpu A</code>" in html and "1 run(s) on other machines" in html
    assert "trend_router_a_time_per_op.svg" in html and "trend_server_b_throughput.svg" in html
    assert (tmp_path / "out" / "plots" / "trend_router_a_time_per_op.png").stat().st_size > 0
    assert "0.917x" in html  # 11 after 12 ns: better, below 1
    assert "<th>machine load</th>" in html and "load not recorded" in html  # files without a load


def test_empty_store_is_an_error(tmp_path, capsys) -> None:
    assert trend.main(["--db", str(tmp_path / "none.sqlite"), "--out", str(tmp_path)]) == 2
    assert "no stored runs" in capsys.readouterr().err

"""The static-file, Server-Sent Events and WebSocket suites reach the report as compact tables
in the end-to-end section (and not in the micro table), from synthetic records."""

from __future__ import annotations

from reports.build import main
from reports.tests.synth import write_file
from suites.results import Record


def _records() -> list[Record]:
    out = []
    for server, app, mbs in (("nginx", "location-sendfile", 3600.0), ("lapwise-app", "app-static", 1800.0),
                             ("lapwise-asgi", "asgi-pathsend", 1800.0)):
        common = dict(adapter=f"server/{server}", scenario=f"e2e.static.{app}", param="100MB")
        out += [Record(metric="throughput", unit="ops/s", samples=[mbs, mbs], **common),
                Record(metric="ratio_vs_nginx", unit="ratio", samples=[mbs / 3600.0],
                       **{**common, "extra": {"ci95": [0.4, 0.6]}}),
                Record(metric="cpu_per_gb", unit="s", samples=[0.1], **common),
                Record(metric="peak_rss", unit="bytes", samples=[33e6], **common)]
    for server, app in (("lapwise-app", "app-events"), ("uvicorn", "starlette-events")):
        common = dict(adapter=f"server/{server}", scenario=f"e2e.sse.{app}", param="1000x10/s")
        out += [Record(metric="events_received", unit="count", samples=[300000.0], direction="higher", **common),
                Record(metric="events_lost", unit="count", samples=[0.0], **common),
                Record(metric="cpu_per_event", unit="us", samples=[12.5], **common),
                Record(metric="rss_slope_per_min", unit="bytes", samples=[1.5e6], **common)]
    for server, cpu in {"lapwise-core": 3.6, "uvicorn-websockets": 23.6}.items():
        common = dict(adapter=f"websocket/{server}", scenario="websocket.echo", param="32")
        out += [Record(metric="throughput", unit="ops/s", samples=[1e6 / cpu], **common),
                Record(metric="cpu_per_message", unit="us", samples=[cpu], **common),
                Record(metric="client_cpu_per_message", unit="us", samples=[3.5], **common)]
        out += [Record(adapter=f"websocket/{server}", scenario="websocket.conformance", metric=m, unit="count",
                       samples=[v]) for m, v in (("cases_passed", 120.0), ("cases_failed", 3.0))]
    out.append(Record("websocket/lapwise-core", "websocket.echo", "ratio_vs_uvicorn-websockets", "ratio", [6.5],
                      param="32", extra={"lo": 6.0, "hi": 7.0}))
    return out


def test_stream_suites_have_their_own_tables(tmp_path) -> None:
    d = tmp_path / "results"
    write_file(d / "streams.json", "e2e.streams", _records())
    assert main(["--results", str(d), "--out", str(tmp_path / "r")]) == 0
    md = (tmp_path / "r" / "report.md").read_text()
    e2e = md.split("## End-to-end")[1].split("\n## ")[0]
    static = e2e.split("### Static file download")[1].split("\n### ")[0]
    assert "| lapwise-app | app-static | 100MB | 1,800 | 0.50 [0.40, 0.60] | 0.100 | 33 |" in static
    assert "| lapwise-asgi | asgi-pathsend | 100MB | 1,800 | 0.50 [0.40, 0.60] | 0.100 | 33 |" in static
    sse = e2e.split("### Server-Sent Events")[1].split("\n### ")[0]
    assert "| lapwise-app | app-events | 1000x10/s | 300,000 | 0 | 12.5 | 1.50 |" in sse
    echo = e2e.split("### WebSocket echo")[1].split("\n### ")[0]
    assert "| lapwise-core | 32 | 277,778 | 3.60 | 3.50 |" in echo
    assert "| lapwise-core | 32 | uvicorn-websockets | 6.50 [6.00, 7.00] |" in echo
    conformance = e2e.split("### WebSocket conformance")[1]
    assert "| uvicorn-websockets |  | 120 | 3 |" in conformance
    micro = md.split("## Micro benchmarks")[1].split("\n## ")[0]
    assert "websocket." not in micro and "e2e.sse" not in micro

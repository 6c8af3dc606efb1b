"""Compact tables for the end-to-end suites that are not request/response loads: the static
file download against nginx, Server-Sent Events streams, and WebSocket echo and conformance.
One row per server (and app, where the suite runs several apps on one server: the rest of the
scenario after the table's prefix) and parameter, one column per figure, medians; the flat
records stay in the appendix."""

from __future__ import annotations

from collections.abc import Callable

from suites.results import Record

from .render import Block

Column = tuple[str, str, Callable[[Record], str]]  # header, metric, format


def _num(fmt: str, scale: float = 1.0) -> Callable[[Record], str]:
    return lambda r: format(r.median * scale, fmt)


def _ratio(r: Record) -> str:
    ci = r.extra.get("ci95")
    return f"{r.median:.2f}" + (f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else "")


TABLES: tuple[tuple[str, str, str, tuple[Column, ...]], ...] = (
    ("e2e.static.", "Static file download",
     "One large file over loopback, curl into /dev/null, rounds alternating the servers; "
     "throughput in MB/s (wall), its ratio to nginx's (sendfile) with a 95% interval, server "
     "CPU seconds per GB, and the server's peak RSS (the file must never be held in memory).",
     (("MB/s", "throughput", _num(",.0f")), ("vs nginx", "ratio_vs_nginx", _ratio),
      ("CPU s/GB", "cpu_per_gb", _num(".3f")), ("peak RSS MB", "peak_rss", _num(".0f", 1e-6)))),
    ("e2e.sse.", "Server-Sent Events",
     "Concurrent event streams held open (parameter: streams x events per second each), every "
     "event's order checked by the client; server CPU per event delivered and the RSS slope over "
     "the hold (all streams open), which stays near zero when nothing leaks.",
     (("events received", "events_received", _num(",.0f")), ("lost", "events_lost", _num(".0f")),
      ("CPU us/event", "cpu_per_event", _num(".1f")),
      ("RSS MB/min", "rss_slope_per_min", _num(".2f", 1e-6)))),
    ("websocket.echo", "WebSocket echo",
     "Echo of text messages (parameter: message bytes) over 64 connections; messages per second "
     "(wall), server and client CPU per message.",
     (("messages/s", "throughput", _num(",.0f")), ("server CPU us/msg", "cpu_per_message", _num(".2f")),
      ("client CPU us/msg", "client_cpu_per_message", _num(".2f")))),
    ("websocket.conformance", "WebSocket conformance",
     "Cases in the spirit of Autobahn (RFC 6455 and 7692) against every WebSocket server; the "
     "per-case table is written beside the result file.",
     (("cases passed", "cases_passed", _num(".0f")), ("cases failed", "cases_failed", _num(".0f")))),
)


# Tables whose scenario names the app (``e2e.static.<app>``, ``e2e.sse.<app>``): their rows
# carry an app column.
BY_APP = frozenset({"e2e.static.", "e2e.sse."})


def records_of(records: list[Record]) -> list[Record]:
    return [r for r in records if r.metric != "missing" and r.scenario.startswith(
        tuple(prefix for prefix, *_ in TABLES))]


def section(records: list[Record], level: int = 3) -> list[Block]:
    blocks: list[Block] = []
    for prefix, title, what, columns in TABLES:
        recs = [r for r in records if r.scenario.startswith(prefix) and r.metric != "missing"]
        if not recs:
            continue
        by_app = prefix in BY_APP
        app_of: Callable[[Record], str] = (lambda r: r.scenario.removeprefix(prefix)) if by_app else (lambda r: "")
        index = {(r.adapter, app_of(r), r.param or "", r.metric): r for r in recs}
        keys = sorted({(r.adapter, app_of(r), r.param or "") for r in recs},
                      key=lambda k: (k[2], "lapwise" not in k[0], k[0], k[1]))
        rows = []
        for adapter, app, param in keys:
            cells = [fmt(index[(adapter, app, param, metric)]) if (adapter, app, param, metric) in index else "—"
                     for _, metric, fmt in columns]
            if any(c != "—" for c in cells):
                rows.append([adapter.split("/", 1)[-1], *([app] if by_app else []), param, *cells])
        blocks += [("h", level, title), ("p", what),
                   ("table", ["server", *(["app"] if by_app else []), "parameter", *(c[0] for c in columns)], rows)]
        shown = {c[1] for c in columns}
        ratios = [r for r in recs if r.metric.startswith("ratio_vs_") and r.metric not in shown]
        if ratios:
            blocks.append(("p", "lapwise against each peer: messages per server CPU-second, "
                                "lapwise's over the peer's (above 1: lapwise costs less), 95% interval:"))
            blocks.append(("table", ["server", "parameter", "peer", "ratio"], [
                [r.adapter.split("/", 1)[-1], r.param or "", r.metric.removeprefix("ratio_vs_"),
                 f"{r.median:.2f} [{r.extra.get('lo', r.median):.2f}, {r.extra.get('hi', r.median):.2f}]"]
                for r in sorted(ratios, key=lambda r: (r.param or "", r.adapter, r.metric))]))
    return blocks

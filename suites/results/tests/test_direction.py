"""Every record knows which way is better: stored explicitly, defaulted for old files."""

from __future__ import annotations

import json

import pytest

from suites.results import Record, ResultFile, SchemaError, default_direction, load, write


@pytest.mark.parametrize("metric,unit,want", [
    ("time_per_op", "ns", "lower"), ("latency_p99", "us", "lower"),
    ("throughput", "req/s", "higher"), ("items", "ops/s", "higher"),
    ("throughput_ratio", "ratio", "higher"), ("observed_rate", "req/s", "higher"),
    ("wall_over_ideal", "ratio", "lower"), ("errors", "count", "lower"),
    ("rss", "bytes", "lower")])
def test_default_direction(metric: str, unit: str, want: str) -> None:
    assert default_direction(metric, unit) == want
    assert Record("x/y", "x.s", metric, unit, [1.0]).direction == want


def test_written_explicitly_and_read_back(tmp_path) -> None:
    rec = Record("client/a", "client.t", "score", "count", [1.0], direction="higher")
    p = write(ResultFile("s", {}, [rec]), tmp_path / "r.json")
    assert json.loads(p.read_text())["records"][0]["direction"] == "higher"
    assert load(p).records[0].higher_is_better


def test_old_file_without_the_field_gets_the_default(tmp_path) -> None:
    p = tmp_path / "old.json"
    p.write_text(json.dumps({"schema": "lapwise.results/v1", "suite": "s", "machine": {}, "records": [
        {"adapter": "server/a", "scenario": "server.x", "metric": "throughput", "unit": "req/s",
         "samples": [5.0]}]}))
    assert load(p).records[0].direction == "higher"


def test_bad_direction_names_the_field(tmp_path) -> None:
    p = tmp_path / "bad.json"
    p.write_text(json.dumps({"schema": "lapwise.results/v1", "suite": "s", "machine": {}, "records": [
        {"adapter": "server/a", "scenario": "server.x", "metric": "t", "unit": "ns",
         "samples": [5.0], "direction": "up"}]}))
    with pytest.raises(SchemaError, match=r"records\[0\]\.direction"):
        load(p)

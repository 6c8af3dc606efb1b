"""pytest-benchmark through every query adapter: query.parse over the shared query string.
Each adapter's answer is checked against urllib.parse.parse_qsl's before it is timed."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from suites.adapters.pytest_params import adapter_params
from suites.adapters.query.base import QueryParser

ADAPTERS = adapter_params("query")


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_parse_shared(benchmark, adapter: type[QueryParser], datasets) -> None:
    qs = datasets.querystring()
    impl = adapter()
    want = parse_qsl(qs, keep_blank_values=True)
    assert impl.parse(qs) == want, f"{adapter.adapter_id()} differs from parse_qsl"
    benchmark.group = "query.parse[shared]"
    benchmark.extra_info.update(adapter=adapter.adapter_id(), scenario="query.parse",
                                param="shared", ops=1)
    benchmark(impl.parse, qs)

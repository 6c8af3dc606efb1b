"""pytest-benchmark through every JSON adapter: json.dumps and json.loads over the four shared
documents. Each adapter's answer is checked against the stdlib's before it is timed (for
json/native with the exponents respelled, 1e16 for 1e+16: its documented difference)."""

from __future__ import annotations

import functools
import json

import pytest

from suites.adapters.json._exponent import respell_exponents
from suites.adapters.json.base import Json
from suites.adapters.pytest_params import adapter_params

ADAPTERS = adapter_params("json")
DOCS = ("twitter", "citm_catalog", "canada", "github")


@functools.cache
def _load(name: str) -> tuple[bytes, object, bytes]:
    import datasets

    data = datasets.json_doc(name)
    value = json.loads(data)
    return data, value, json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


@pytest.fixture
def documents(datasets):
    """name -> (file bytes, stdlib value, stdlib compact UTF-8 dumps), loaded once."""
    return _load


@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize("doc", DOCS)
def test_dumps(benchmark, adapter: type[Json], doc: str, documents) -> None:
    _, value, want = documents(doc)
    impl = adapter()
    if "float_exponent" in adapter.differences:
        want = respell_exponents(want)
    assert impl.dumps(value) == want, f"{adapter.adapter_id()} dumps[{doc}] differs from stdlib"
    benchmark.group = f"json.dumps[{doc}]"
    benchmark.extra_info.update(adapter=adapter.adapter_id(), scenario="json.dumps", param=doc,
                                ops=1)
    benchmark(impl.dumps, value)


@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize("doc", DOCS)
def test_loads(benchmark, adapter: type[Json], doc: str, documents) -> None:
    data, value, _ = documents(doc)
    impl = adapter()
    assert impl.loads(data) == value, f"{adapter.adapter_id()} loads[{doc}] differs from stdlib"
    benchmark.group = f"json.loads[{doc}]"
    benchmark.extra_info.update(adapter=adapter.adapter_id(), scenario="json.loads", param=doc,
                                ops=1)
    benchmark(impl.loads, data)

"""pytest-benchmark through every html adapter over the 23 shared real pages (about 4 MB):

- ``html.parse_extract[all]/<impl>``: for each page, parse and answer the extraction tasks
  (suites/conformance/html_cases.TASKS) through Python, one page at a time; the sample is per
  page (ops = 23), and ``extra_info["bytes"]`` is the set's size, so MB/s = bytes / (23 x time).
- ``html.parse[all]/<impl>``: the parse alone (the library's tree), same unit.
- ``html.gumbo_alone[all]/gumbo``: gumbo's parse without the copy into the core's arena.
- ``html.extract_many[threads=N]/native``: lapwise.html.extract_many over the set four times
  (92 pages) on N native threads, GIL released; the 2/1 ratio comes from the same run.

Answers are verified before timing: every adapter's tasks equal html/native's on every page
(html/native is held to html5lib's answers by suites/conformance/test_html.py), apart from the
differences that table records.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any

import pytest

from suites.adapters.html.base import HtmlEngine
from suites.adapters.pytest_params import adapter_params
from suites.conformance.html_cases import DIFFERENCES, TASKS

ADAPTERS = adapter_params("html")
REPEAT = 4  # extract_many's input: the set this many times, enough pages to share out


@functools.cache
def _pages() -> tuple[tuple[str, bytes], ...]:
    import datasets

    return tuple(datasets.html_pages().items())


@functools.cache
def _native_answers() -> tuple[dict[str, Any], ...]:
    from lapwise import html

    return tuple(html.extract_many([p for _, p in _pages()], TASKS, threads=1))


@pytest.fixture
def pages(datasets) -> tuple[tuple[str, bytes], ...]:
    return _pages()


def _verified(adapter: type[HtmlEngine], pages) -> HtmlEngine:
    engine = adapter(TASKS)
    aid = adapter.adapter_id()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for (name, page), want in zip(pages, _native_answers()):
            got = engine.parse_extract(page)
            for task in TASKS:
                if (aid, name, task) not in DIFFERENCES:
                    assert got[task] == want[task], f"{aid} {name}/{task} differs from html/native"
    return engine


def _info(benchmark, adapter: str, scenario: str, param: str, pages, ops: int) -> None:
    benchmark.group = f"{scenario}[{param}]"
    benchmark.extra_info.update(adapter=adapter, scenario=scenario, param=param, ops=ops,
                                bytes=sum(len(p) for _, p in pages) * ops // len(pages))


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_parse_extract(benchmark, adapter: type[HtmlEngine], pages) -> None:
    engine = _verified(adapter, pages)
    run = engine.parse_extract
    data = [p for _, p in pages]

    def all_pages() -> list[dict[str, Any]]:
        return [run(p) for p in data]

    _info(benchmark, adapter.adapter_id(), "html.parse_extract", "all", pages, len(data))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        benchmark(all_pages)


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_parse(benchmark, adapter: type[HtmlEngine], pages) -> None:
    engine = adapter(TASKS)
    parse = engine.parse
    data = [p for _, p in pages]
    _info(benchmark, adapter.adapter_id(), "html.parse", "all", pages, len(data))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        benchmark(lambda: [parse(p) for p in data])


def test_gumbo_alone(benchmark, pages) -> None:
    from suites.adapters import registry

    try:
        engine = registry.get("html/gumbo")(TASKS)
    except LookupError as exc:
        pytest.skip(str(exc))
    parse_only = engine.parse_only  # type: ignore[attr-defined]
    data = [p for _, p in pages]
    assert all(parse_only(p) > 0 for p in data)
    _info(benchmark, "html/gumbo", "html.gumbo_alone", "all", pages, len(data))
    benchmark(lambda: [parse_only(p) for p in data])


@pytest.mark.parametrize("threads", [1, 2], ids=["threads=1", "threads=2"])
def test_extract_many(benchmark, threads: int, pages) -> None:
    from suites.adapters import registry

    try:
        registry.get("html/native")
    except LookupError as exc:
        pytest.skip(str(exc))
    from lapwise import html

    extractor = html.Extractor(TASKS)
    data = [p for _, p in pages] * REPEAT
    assert extractor.extract_many(data, threads) == list(_native_answers()) * REPEAT
    _info(benchmark, "html/native", "html.extract_many", f"threads={threads}", pages * REPEAT,
          len(data))
    benchmark(extractor.extract_many, data, threads)

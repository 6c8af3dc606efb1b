"""Every html adapter x every shared real page x every extraction task, against html5lib (the
reference that follows the WHATWG specification), before anything is timed.

The tasks are html_cases.TASKS (title, every link's href, headings' text, table cells, meta
tags' attributes, and the text of paragraphs, list links and <pre> blocks) over the 23 pages of
../shared/datasets/html/pages/. A difference is either listed in html_cases.DIFFERENCES with
its reason (and must still differ) or a failure.

The tokenizer beneath html/native is checked separately by the core's gtest on the html5lib
tokenizer suite (cores/html/tests/tokenizer_conformance_test.cc): 7,032 of 7,032 runs give the
expected token stream (100%), and the error codes of all 1,799 runs that list errors match.
test_core_tokenizer_pass_rate reads that table from the built test binary.
"""

from __future__ import annotations

import os
import re
import subprocess
import warnings
from pathlib import Path
from typing import Any

import pytest

from suites.adapters import registry
from suites.adapters.html.base import HtmlEngine
from suites.adapters.pytest_params import adapter_params
from suites.conformance.html_cases import DIFFERENCES, TASKS

ADAPTERS = adapter_params("html")


@pytest.fixture(scope="module")
def pages() -> dict[str, bytes]:
    import datasets as loader

    try:
        return loader.html_pages()
    except loader.DatasetMissing as exc:
        pytest.skip(str(exc))


def _quiet_run(engine: HtmlEngine, page: bytes) -> dict[str, Any]:
    with warnings.catch_warnings():  # bs4's "XML parsed as HTML", html5lib's name coercion
        warnings.simplefilter("ignore")
        return engine.parse_extract(page)


@pytest.fixture(scope="module")
def reference(pages: dict[str, bytes]) -> dict[str, dict[str, Any]]:
    try:
        ref = registry.get("html/html5lib")(TASKS)
    except LookupError as exc:
        pytest.skip(f"the reference is unavailable: {exc}")
    return {name: _quiet_run(ref, page) for name, page in pages.items()}


def test_the_page_set_is_whole(pages: dict[str, bytes]) -> None:
    assert len(pages) == 23


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_agrees_with_html5lib(adapter: type[HtmlEngine], pages: dict[str, bytes],
                              reference: dict[str, dict[str, Any]]) -> None:
    engine = adapter(TASKS)
    aid = adapter.adapter_id()
    unexpected, stale = [], []
    for name, page in pages.items():
        got = _quiet_run(engine, page)
        assert list(got) == list(TASKS)
        for task in TASKS:
            differs = got[task] != reference[name][task]
            listed = (aid, name, task) in DIFFERENCES
            if differs and not listed:
                unexpected.append(f"{name}/{task}: {str(got[task])[:200]} != {str(reference[name][task])[:200]}")
            if listed and not differs:
                stale.append(f"{name}/{task}")
    assert not unexpected, f"{aid} differs from html5lib:\n" + "\n".join(unexpected)
    assert not stale, f"{aid}: recorded differences no longer hold, update the table: {stale}"


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_extract_pages_matches_one_by_one(adapter: type[HtmlEngine], pages: dict[str, bytes]) -> None:
    engine = adapter(TASKS)
    some = [pages[n] for n in sorted(pages)[:6]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert engine.extract_pages(some) == [engine.parse_extract(p) for p in some]


def test_native_threads_agree(pages: dict[str, bytes]) -> None:
    try:
        native = registry.get("html/native")(TASKS)
    except LookupError as exc:
        pytest.skip(str(exc))
    one = native.extractor.extract_many(list(pages.values()), threads=1)
    assert native.extractor.extract_many(list(pages.values()), threads=2) == one


def test_core_tokenizer_pass_rate() -> None:
    build = os.environ.get("LAPWISE_BUILD_DIR")
    exe = Path(build or "build") / "cores" / "html" / "html_test"
    if not exe.is_file():
        pytest.skip(f"{exe} is not built")
    out = subprocess.run([str(exe), "--gtest_filter=HtmlTokenizerConformance.*"],
                         capture_output=True, text=True, timeout=300, check=False).stdout
    m = re.search(r"^overall\s+(\d+)\s+(\d+)\s+([\d.]+)%", out, re.M)
    if m is None and ("Skipped" in out or "SKIPPED" in out):
        pytest.skip("the core's conformance test skipped (datasets absent)")
    assert m, out[-2000:]
    runs, passed = int(m[1]), int(m[2])
    assert runs >= 7000 and passed / runs >= 0.99, f"{passed}/{runs}"

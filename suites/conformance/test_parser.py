"""Every parser adapter x every labelled case of parser_cases.py, plus the shared requests.

Strict parsers (native, py-baseline) must give exactly the expected answer. A peer must give it
too unless the case lists the peer in ``differs``; then it must really answer otherwise, so
the table's claims stay true as peers change.
"""

from __future__ import annotations

import pytest

from suites.adapters.parser.base import (ERROR_STATUSES, PARTIAL, Parsed, ParsedRequest, ParseError,
                                         to_parsed)
from suites.adapters.pytest_params import adapter_params
from suites.conformance.parser_cases import CASES, VALID, Case

STRICT = ("parser/native", "parser/py-baseline")
ADAPTERS = adapter_params("parser")


def _show(result: object) -> object:
    return to_parsed(result) if isinstance(result, ParsedRequest) else result


@pytest.fixture(scope="module")
def instances() -> dict:
    return {}


def _parser(cls, instances):
    if cls not in instances:
        instances[cls] = cls()
    return instances[cls]


def test_table_is_well_formed():
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    for c in CASES:
        assert not set(c.differs) & set(STRICT), f"{c.name}: strict parsers may not differ"
        assert all(reason for reason in c.differs.values()), f"{c.name}: a difference needs a reason"
        if isinstance(c.expect, ParseError):
            assert c.expect.status in ERROR_STATUSES


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@pytest.mark.parametrize("cls", ADAPTERS)
def test_case(cls, case: Case, instances):
    parser = _parser(cls, instances)
    got = parser.parse_request(case.raw)
    if isinstance(got, ParseError):
        assert got.status in ERROR_STATUSES, got
    reason = case.differs.get(cls.adapter_id())
    if reason is None:
        assert got == case.expect, f"{case.name}: got {_show(got)!r}"
        if isinstance(case.expect, Parsed):
            assert isinstance(got, ParsedRequest)
    else:
        assert got != case.expect, (f"{case.name}: {cls.adapter_id()} is recorded as differing "
                                    f"({reason}) but now answers as expected: update the table")


@pytest.mark.parametrize("case", VALID, ids=lambda c: c.name)
@pytest.mark.parametrize("cls", ADAPTERS)
def test_every_prefix_is_partial(cls, case: Case, instances):
    if cls.adapter_id() in case.differs:
        pytest.skip(f"{cls.adapter_id()} differs on this case: {case.differs[cls.adapter_id()]}")
    parser = _parser(cls, instances)
    for n in range(case.expect.consumed):
        got = parser.parse_request(case.raw[:n])
        assert got == PARTIAL, f"{case.name}: prefix of {n} bytes gave {_show(got)!r}"


@pytest.mark.parametrize("cls", ADAPTERS)
def test_shared_requests_agree(cls, datasets, instances):
    from suites.adapters.parser.py_baseline import PyBaselineParser

    reference = PyBaselineParser()
    parser = _parser(cls, instances)
    requests = datasets.http_requests()
    assert requests, "no *.http files in the shared datasets"
    for stem, raw in requests.items():
        want = reference.parse_request(raw)
        assert isinstance(want, Parsed) and want.consumed == len(raw), stem
        got = parser.parse_request(raw)
        assert got == want, f"{stem}: {_show(got)!r} != {want!r}"
        assert parser.parse_many([raw, raw[:-1]]) == [want, PARTIAL], stem

"""Every router adapter x every hand-written case of router_cases.py, compared with ``==``."""

from __future__ import annotations

import pytest

from suites.adapters.pytest_params import adapter_params
from suites.adapters.router.base import RouteError, Router
from suites.conformance.router_cases import CASES, Case


def run(router: Router, case: Case) -> list[str]:
    """What the router got wrong on ``case`` (empty when it answers as expected)."""
    problems = []
    routes = case.routes[:-1] if case.error is not None else case.routes
    for method, pattern, value in routes:
        try:
            router.add(method, pattern, value)
        except RouteError as exc:
            return [f"add({method!r}, {pattern!r}) raised RouteError: {exc}"]
    if case.error is not None:
        method, pattern, value = case.routes[-1]
        try:
            router.add(method, pattern, value)
        except RouteError as exc:
            if case.error not in str(exc):
                problems.append(f"add({method!r}, {pattern!r}): message {str(exc)!r} does not "
                                f"contain {case.error!r}")
        else:
            problems.append(f"add({method!r}, {pattern!r}) accepted; expected RouteError "
                            f"containing {case.error!r}")
    for method, path, expected in case.requests:
        got = router.match(method, path)
        if got != expected:
            problems.append(f"match({method!r}, {path!r}) = {got!r}, expected {expected!r}")
    reqs = [(m, p) for m, p, _ in case.requests]
    if router.match_many(reqs) != [router.match(m, p) for m, p in reqs]:
        problems.append("match_many() disagrees with match()")
    return problems


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
@pytest.mark.parametrize("router_cls", adapter_params("router"))
def test_router_case(router_cls: type[Router], case: Case) -> None:
    adapter = router_cls.adapter_id()
    problems = run(router_cls(), case)
    if adapter in case.differs:
        if not problems:
            pytest.fail(f"{adapter} is recorded as differing on {case.id} "
                        f"({case.differs[adapter]}) but now agrees: remove the entry")
        pytest.xfail(f"differs by design: {case.differs[adapter]}; {problems[0]}")
    missing = sorted(case.needs - router_cls.features)
    if missing:
        if not problems:
            pytest.fail(f"{adapter} passes {case.id} without declaring {missing}: "
                        "declare the feature(s) in its `features`")
        pytest.xfail(f"{adapter} lacks {missing}: {problems[0]}")
    assert not problems, "\n".join(problems)


def test_case_ids_are_unique() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))

"""pytest parametrization by adapter id: every suite's tests run once per adapter of a kind."""

from __future__ import annotations

import pytest

from . import registry


def adapter_params(kind: str) -> list:
    """pytest params for every adapter of ``kind``: id = adapter id; unavailable ones are kept
    and skipped with their reason, so a report shows what did not run and why."""
    params = []
    for e in registry.entries(kind):
        marks = () if (e.cls is not None and e.availability) else (
            pytest.mark.skip(reason=f"{e.adapter_id} unavailable: {e.availability.reason}"),)
        params.append(pytest.param(e.cls, id=e.adapter_id, marks=marks))
    return params

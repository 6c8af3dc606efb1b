"""Fixtures shared by every suite: dataset access that skips (with the path) when
../shared/datasets is absent. Adapter parametrization is suites.adapters.pytest_params."""

from __future__ import annotations

import pytest


@pytest.fixture
def datasets():
    import datasets as loader

    try:
        loader.root()
    except loader.DatasetMissing as exc:
        pytest.skip(str(exc))
    return loader

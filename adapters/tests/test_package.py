"""The package's surface: every public name resolves, one name is one class, and importing
the product pulls in none of the harness and no numpy or pandas."""

from __future__ import annotations

import subprocess
import sys

import lapwise


def test_every_public_name_resolves() -> None:
    for name in lapwise.__all__:
        assert getattr(lapwise, name) is not None, name


def test_no_two_public_classes_share_a_name() -> None:
    classes = [getattr(lapwise, n) for n in lapwise.__all__ if isinstance(getattr(lapwise, n), type)]
    for module in (lapwise.http, lapwise.query, lapwise.json, lapwise.router, lapwise.testing):
        classes += [getattr(module, n) for n in module.__all__
                    if isinstance(getattr(module, n), type)]
    by_name: dict[str, set[type]] = {}
    for c in classes:
        by_name.setdefault(c.__name__, set()).add(c)
    assert {n: cs for n, cs in by_name.items() if len(cs) > 1} == {}


def test_importing_the_product_loads_no_harness() -> None:
    code = ("import sys, lapwise; lapwise.App; lapwise.Client; lapwise.Router; lapwise.http; "
            "lapwise.json; lapwise.query; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('numpy', 'pandas', 'suites', 'reports', 'datasets', 'pytest')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_all_lists_exactly_the_lazy_names() -> None:
    assert set(lapwise.__all__) == {*lapwise._HOMES, *lapwise._SUBMODULES, "native_error"}

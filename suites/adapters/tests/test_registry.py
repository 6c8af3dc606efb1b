"""Discovery: every adapter file is found, filters apply, a broken module never breaks it."""

import sys
import types

import pytest

from suites.adapters import registry
from suites.adapters.adapter import Availability
from suites.adapters.router.base import Router


def test_unknown_kind_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown adapter kind 'routr'"):
        registry.entries("routr")


def test_filter_accepts_ids_and_globs(monkeypatch):
    assert registry._selected("router/native", "router/native")
    assert registry._selected("router/py-trie", "router/native, router/py-*")
    assert not registry._selected("router/starlette", "router/native,router/py-*")
    assert registry._selected("router/starlette", "")


def test_env_filter_narrows_discovery(monkeypatch):
    every = [e.adapter_id for e in registry.entries("router", selection="")]
    monkeypatch.setenv("LAPWISE_ADAPTERS", every[0])
    assert [e.adapter_id for e in registry.entries("router")] == every[:1]


def test_broken_module_is_reported_not_raised(monkeypatch, tmp_path):
    pkg = tmp_path / "lapwise_fake_kind"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "broken_peer.py").write_text("import no_such_module_anywhere\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import lapwise_fake_kind

    monkeypatch.setattr(registry, "KINDS", registry.KINDS + ("fake",))
    monkeypatch.setitem(sys.modules, "suites.adapters.fake", lapwise_fake_kind)
    (entry,) = registry.entries("fake", selection="")
    assert entry.cls is None and not entry.availability
    assert "no_such_module_anywhere" in entry.availability.reason


def test_unavailable_adapter_is_listed_but_not_returned(monkeypatch):
    mod = types.ModuleType("suites.adapters.router.zz_unavailable")

    class GoneRouter(Router):
        name = "zz-gone"

        @classmethod
        def available(cls):
            return Availability(False, "not on this machine")

        def add(self, method, pattern, value): ...

        def match(self, method, path): ...

    GoneRouter.__module__ = mod.__name__
    mod.GoneRouter = GoneRouter
    monkeypatch.setitem(sys.modules, mod.__name__, mod)
    import suites.adapters.router as pkg

    real_iter = registry.pkgutil.iter_modules

    def fake_iter(path):
        yield from real_iter(path)
        yield types.SimpleNamespace(name="zz_unavailable")

    monkeypatch.setattr(registry.pkgutil, "iter_modules", fake_iter)
    entries = {e.adapter_id: e for e in registry.entries("router", selection="")}
    assert entries["router/zz-gone"].availability.reason == "not on this machine"
    assert GoneRouter not in registry.adapters("router", selection="")
    with pytest.raises(LookupError, match="not on this machine"):
        registry.get("router/zz-gone")
    assert pkg  # the real package stays importable


def test_native_module_imports_after_bootstrap():
    from lapwise import native_error

    assert native_error() is None, native_error()

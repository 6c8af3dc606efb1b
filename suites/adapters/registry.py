"""Discovery of adapters: every concrete ``Adapter`` subclass defined in ``suites/adapters/<kind>/*.py``.

Adding an adapter is adding one file. ``LAPWISE_ADAPTERS`` (comma-separated ids or globs, e.g.
``router/native,router/py-*``) narrows the selection for every suite at once.
"""

from __future__ import annotations

import fnmatch
import importlib
import inspect
import os
import pkgutil
from dataclasses import dataclass

from .adapter import Adapter, Availability

KINDS = ("router", "parser", "query", "json", "server", "client", "html", "websocket")


@dataclass(frozen=True)
class Entry:
    """One discovered adapter (``cls``), or a module that failed to import (``cls`` is None)."""

    adapter_id: str
    cls: type[Adapter] | None
    availability: Availability


def _selected(adapter_id: str, selection: str | None) -> bool:
    if not selection:
        return True
    patterns = [p.strip() for p in selection.split(",") if p.strip()]
    return any(fnmatch.fnmatchcase(adapter_id, p) for p in patterns)


def entries(kind: str, selection: str | None = None) -> list[Entry]:
    """Every adapter of ``kind``, available or not, sorted by id. A module that fails to import
    is reported as an unavailable entry named after the module, never raised."""
    if kind not in KINDS:
        raise ValueError(f"unknown adapter kind {kind!r}; kinds are {', '.join(KINDS)}")
    if selection is None:
        selection = os.environ.get("LAPWISE_ADAPTERS")
    package = importlib.import_module(f"{__package__}.{kind}")
    found: dict[str, Entry] = {}
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_") or info.name == "base":
            continue
        modname = f"{package.__name__}.{info.name}"
        try:
            module = importlib.import_module(modname)
        except Exception as exc:  # noqa: BLE001 - a broken peer must not break discovery
            adapter_id = f"{kind}/{info.name.replace('_', '-')}"
            found[adapter_id] = Entry(adapter_id, None, Availability(False, f"import {modname}: {exc}"))
            continue
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if (issubclass(obj, Adapter) and not inspect.isabstract(obj)
                    and obj.__module__ == modname and getattr(obj, "kind", None) == kind):
                found[obj.adapter_id()] = Entry(obj.adapter_id(), obj, obj.available())
    return [e for _, e in sorted(found.items()) if _selected(e.adapter_id, selection)]


def record_names(kind: str) -> list[str]:
    """Every name a result record of ``kind`` may carry for an adapter: the adapters' ids and
    their registered record variants (``html/native-avx2``), available or not, unfiltered."""
    out = []
    for e in entries(kind, ""):
        out.append(e.adapter_id)
        if e.cls is not None:
            out += [f"{kind}/{v}" for v in e.cls.record_variants]
    return sorted(out)


def adapters(kind: str, selection: str | None = None) -> list[type[Adapter]]:
    """The available adapter classes of ``kind`` (after the ``LAPWISE_ADAPTERS`` filter)."""
    return [e.cls for e in entries(kind, selection) if e.cls is not None and e.availability]


def get(adapter_id: str) -> type[Adapter]:
    """The adapter class with this id; raises LookupError (with the reason) if unavailable."""
    kind = adapter_id.split("/", 1)[0]
    for e in entries(kind, selection=""):
        if e.adapter_id == adapter_id:
            if e.cls is None or not e.availability:
                raise LookupError(f"{adapter_id} is unavailable: {e.availability.reason}")
            return e.cls
    raise LookupError(f"no adapter {adapter_id!r}")

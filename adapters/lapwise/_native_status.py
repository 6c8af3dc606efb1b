"""Imports ``lapwise._native`` once and remembers why it failed, so that ``import lapwise`` and
its pure-Python types work without the compiled module, and a call that needs it says why it
is missing instead of a bare ImportError."""

from __future__ import annotations

import functools
from types import ModuleType


@functools.cache
def _load() -> tuple[ModuleType | None, str | None]:
    try:
        from . import _native
    except ImportError as exc:  # not built, wrong ABI, missing symbol: all the same to callers
        return None, f"lapwise._native is not importable ({exc})"
    return _native, None


def module() -> ModuleType:
    """The native module; raises ImportError with the reason when it is unavailable."""
    mod, err = _load()
    if mod is None:
        raise ImportError(err)
    return mod


def loaded() -> ModuleType | None:
    """The native module, or None when it cannot be imported (see ``error``)."""
    return _load()[0]


def error() -> str | None:
    return _load()[1]

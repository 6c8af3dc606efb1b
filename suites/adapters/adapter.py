"""What every adapter shares: its identity and whether it can run here."""

from __future__ import annotations

import abc
from typing import ClassVar, NamedTuple


class Availability(NamedTuple):
    """Truthy when the adapter can run; otherwise ``reason`` says why (it is then skipped)."""

    ok: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.ok


AVAILABLE = Availability(True)


def requires_module(name: str) -> Availability:
    """Availability of an adapter that needs the importable module ``name``."""
    import importlib

    try:
        importlib.import_module(name)
    except ImportError as exc:
        return Availability(False, f"{name} is not importable ({exc})")
    return AVAILABLE


def requires_native() -> Availability:
    import lapwise

    err = lapwise.native_error()
    return AVAILABLE if err is None else Availability(False, err)


class Adapter(abc.ABC):
    """Base of every adapter. Subclasses set ``kind`` (in the kind's base class) and ``name``."""

    kind: ClassVar[str]
    name: ClassVar[str]
    # Other impl names that results give this adapter's engine: the C++ benches time parts of it
    # alone under their own names (a SIMD path forced, the reader or writer half). Registered
    # here so a selection (ci/bench --adapters) may name them and the gbench names test can
    # refuse one that no adapter owns.
    record_variants: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def adapter_id(cls) -> str:
        return f"{cls.kind}/{cls.name}"

    @classmethod
    def available(cls) -> Availability:
        return AVAILABLE

"""router/native: lapwise's radix-tree router (lapwise::router::radix_router)."""

from __future__ import annotations

from typing import ClassVar

from ._native_router import NativeRouterBase


class NativeRouter(NativeRouterBase):
    name: ClassVar[str] = "native"
    core_class: ClassVar[str] = "RadixRouter"

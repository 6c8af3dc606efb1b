"""router/native: lapwise's radix-tree router (``lapwise.Router``, lapwise::router::radix_router)."""

from __future__ import annotations

from typing import ClassVar

import lapwise

from ._native_router import NativeRouterBase


class NativeRouter(NativeRouterBase):
    name: ClassVar[str] = "native"
    product_class: ClassVar[type[lapwise.Router]] = lapwise.Router

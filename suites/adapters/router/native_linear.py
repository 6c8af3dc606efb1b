"""router/native-linear: the Sufast design in C++ (hash map for static routes plus a linear
scan of the patterned ones; lapwise::router::linear_router), the comparison point that shows
why the tree wins as tables grow. Not part of the product: the harness wraps the core the way
``lapwise.Router`` wraps the radix tree."""

from __future__ import annotations

from typing import ClassVar

import lapwise

from ._native_router import NativeRouterBase


class LinearCoreRouter(lapwise.Router):
    """``lapwise.Router``'s wrapper over lapwise::router::linear_router."""

    _core_name: ClassVar[str] = "LinearRouter"


class NativeLinearRouter(NativeRouterBase):
    name: ClassVar[str] = "native-linear"
    product_class: ClassVar[type[lapwise.Router]] = LinearCoreRouter

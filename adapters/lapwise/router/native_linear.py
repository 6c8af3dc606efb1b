"""router/native-linear: the Sufast design in C++ (hash map for static routes plus a linear
scan of the patterned ones; lapwise::router::linear_router), the comparison point that shows
why the tree wins as tables grow."""

from __future__ import annotations

from typing import ClassVar

from ._native_router import NativeRouterBase


class NativeLinearRouter(NativeRouterBase):
    name: ClassVar[str] = "native-linear"
    core_class: ClassVar[str] = "LinearRouter"

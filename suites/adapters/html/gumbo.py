"""html/gumbo: Google's gumbo (Debian's libgumbo 0.10, a C HTML5 parser), the established C
implementation the core is compared with. gumbo has no selectors: its tree is copied into the
core's arena and answered by the core's selector engine and text rules (gumbo_ext.cc), so
parse here = gumbo + the copy; ``parse_only`` times gumbo alone. gumbo 0.10 implements the
2013-era specification, so where the standard changed since, its trees may differ."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from ..adapter import Availability, requires_module
from .base import HtmlEngine


class GumboHtmlEngine(HtmlEngine):
    name: ClassVar[str] = "gumbo"

    @classmethod
    def available(cls) -> Availability:
        return requires_module("_lapwise_gumbo")

    def __init__(self, spec: Mapping[str, Any]) -> None:
        import _lapwise_gumbo

        self._mod = _lapwise_gumbo
        super().__init__(spec)
        self._ex = _lapwise_gumbo.GumboExtractor(
            [(f.css, f.take, f.mode or "normalized", f.attr) for f in self.fields])

    def parse(self, page: bytes) -> Any:
        return self._mod.gumbo_parse(page)

    def parse_only(self, page: bytes) -> int:
        return int(self._mod.gumbo_parse_only(page))

    def extract(self, doc: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f, values in zip(self.fields, self._ex.extract(doc)):
            if f.take == "attrs":
                values = [dict(pairs) for pairs in values]
            out[f.name] = (values[0] if values else None) if f.first else values
        return out

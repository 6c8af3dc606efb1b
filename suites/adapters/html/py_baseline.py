"""html/py-baseline: pure Python on the stdlib's html.parser — a tiny DOM and the selector
subset the extraction tasks need (_py_dom.py). What a dependency-free scraper costs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from . import _py_dom
from .base import HtmlEngine, join_strings, normalize_ws

_SKIP = frozenset(("script", "style", "template"))


class PyBaselineHtmlEngine(HtmlEngine):
    name: ClassVar[str] = "py-baseline"

    def compile(self, css: str) -> Any:
        return _py_dom.compile_selector(css)

    def parse(self, page: bytes) -> Any:
        return _py_dom.parse_dom(page.decode("utf-8", "replace"))

    def select(self, doc: Any, compiled: Any) -> Sequence[Any]:
        return _py_dom.select(doc, compiled)

    def text(self, el: Any, mode: str) -> str:
        if mode == "strings":
            return join_strings(list(_py_dom.text_nodes(el, _SKIP)))
        raw = "".join(_py_dom.text_nodes(el))
        return raw if mode == "raw" else normalize_ws(raw)

    def attributes(self, el: Any) -> Mapping[str, str]:
        return el.attrs  # type: ignore[no-any-return]

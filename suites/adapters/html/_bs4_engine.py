"""What both BeautifulSoup adapters share: soupsieve selectors and DOM-exact text. Not an
adapter itself (the builder is the subclasses' choice)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from .base import HtmlEngine, join_strings, normalize_ws


class Bs4Engine(HtmlEngine):
    builder: ClassVar[str]

    def __init__(self, spec: Mapping[str, Any]) -> None:
        import bs4
        from bs4.element import CData, NavigableString, Script, Stylesheet, TemplateString

        self._soup = bs4.BeautifulSoup
        # textContent keeps script and style text, which get_text() leaves out by default.
        self._all = (NavigableString, CData, Script, Stylesheet, TemplateString)
        self._visible = (NavigableString, CData)
        super().__init__(spec)

    def compile(self, css: str) -> Any:
        import soupsieve

        return soupsieve.compile(css)

    def parse(self, page: bytes) -> Any:
        return self._soup(page.decode("utf-8", "replace"), self.builder)

    def select(self, doc: Any, compiled: Any) -> Sequence[Any]:
        return compiled.select(doc)  # type: ignore[no-any-return]

    def text(self, el: Any, mode: str) -> str:
        if mode == "strings":
            return join_strings(list(el.strings))
        raw = el.get_text(types=self._all)
        return raw if mode == "raw" else normalize_ws(raw)

    def attributes(self, el: Any) -> Mapping[str, str]:
        # Multi-valued attributes (class, rel, ...) come back as lists: join them as written.
        return {k: " ".join(v) if isinstance(v, list) else v for k, v in el.attrs.items()}

    def outer_html(self, el: Any, inner: bool) -> str:
        return str(el.decode_contents() if inner else el.decode())

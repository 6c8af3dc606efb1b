"""html/native: lapwise's C++ core (lapwise/html) through ``lapwise.html``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from ..adapter import Availability, requires_native
from .base import HtmlEngine


class NativeHtmlEngine(HtmlEngine):
    name: ClassVar[str] = "native"
    record_variants: ClassVar[tuple[str, ...]] = ("native-scalar", "native-sse42", "native-avx2")  # tokenizer scans
    threads: ClassVar[int] = 1  # extract_pages: one native thread, like every peer's loop

    @classmethod
    def available(cls) -> Availability:
        return requires_native()

    def __init__(self, spec: Mapping[str, Any]) -> None:
        from lapwise import html

        self._html = html
        self.extractor = html.Extractor(spec)
        super().__init__(spec)

    def compile(self, css: str) -> Any:
        return self._html.Selector(css)

    def parse(self, page: bytes) -> Any:
        return self._html.parse(page)

    def extract(self, doc: Any) -> dict[str, Any]:
        return self.extractor.extract(doc)

    def select(self, doc: Any, compiled: Any) -> Sequence[Any]:
        return doc.select(compiled)

    def text(self, el: Any, mode: str) -> str:
        return str(el.get_text(mode))

    def attributes(self, el: Any) -> Mapping[str, str]:
        return dict(el.attrs)

    def outer_html(self, el: Any, inner: bool) -> str:
        return str(el.inner_html if inner else el.outer_html)

    def extract_pages(self, pages: Sequence[bytes], threads: int | None = None) -> list[dict[str, Any]]:
        return self.extractor.extract_many(pages, threads or self.threads)

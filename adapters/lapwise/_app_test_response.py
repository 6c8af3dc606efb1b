"""What a test client call returns (``lapwise.testing``): the answer read whole, with the
names both Starlette's (httpx's) and Flask's test responses have for it."""

from __future__ import annotations

from email.message import Message
from typing import Any

from . import json as lapwise_json


class TestResponse:
    """One answer: ``status_code``, ``reason``, ``headers`` (case-insensitive; ``get_all(name)``
    for a repeated one such as Set-Cookie), ``content`` (bytes; ``data`` as in Flask), ``text``
    (decoded by the Content-Type's charset, else UTF-8), ``json()``, ``url`` (the URL asked
    for, the last one when redirects were followed), ``history`` (the redirects followed)."""

    __test__ = False  # a class pytest must not collect

    def __init__(self, status_code: int, reason: str, headers: Message, content: bytes, url: str,
                 history: list[TestResponse] | None = None) -> None:
        self.status_code = status_code
        self.reason = reason
        self.headers = headers
        self.content = content
        self.url = url
        self.history = history or []

    @property
    def data(self) -> bytes:
        return self.content

    @property
    def text(self) -> str:
        charset = self.headers.get_content_charset() or "utf-8"
        try:
            return self.content.decode(charset, "replace")
        except LookupError:  # a charset Python does not know
            return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return lapwise_json.loads(self.content)

    @property
    def is_redirect(self) -> bool:
        return self.status_code in (301, 302, 303, 307, 308) and "location" in self.headers

    def __repr__(self) -> str:
        return f"<TestResponse {self.status_code} {self.reason}>"

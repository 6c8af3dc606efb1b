"""``lapwise.Response``: what a lapwise.App handler returns when it needs its own status or
headers (and the head of a streamed response, ``StreamingResponse``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ._app_cookies import set_cookie_header


class Response:
    """A response with its own status and headers; ``body`` is what a handler may return
    (dict/list -> JSON, str, bytes, None). A Content-Type header overrides the body's."""

    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int = 200, headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
                 body: Any = b"") -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def __repr__(self) -> str:
        return f"Response({self.status!r}, {self.headers!r}, {self.body!r})"

    def set_cookie(self, name: str, value: str = "", **attributes: Any) -> Response:
        """Adds a Set-Cookie header (``max_age``, ``expires``, ``path`` (default "/"),
        ``domain``, ``secure``, ``httponly``, ``samesite``; see ``_app_cookies``); returns self."""
        self._add_header("Set-Cookie", set_cookie_header(name, value, **attributes))
        return self

    def delete_cookie(self, name: str, *, path: str | None = "/", domain: str | None = None) -> Response:
        """Tells the browser to drop the cookie (same name, path and domain as it was set)."""
        return self.set_cookie(name, "", max_age=0, expires=0, path=path, domain=domain)

    def add_header(self, name: str, value: str) -> Response:
        """Adds a header (kept beside any of the same name); returns self."""
        self._add_header(name, value)
        return self

    def _add_header(self, name: str, value: str) -> None:
        headers = self.headers
        items = list(headers.items()) if isinstance(headers, Mapping) else list(headers or ())
        items.append((name, value))
        self.headers = items

"""The request's URL parts, as Flask (Werkzeug) defines them: ``req.url`` (the whole URL),
``req.base_url`` (without the query string), ``req.host_url`` (scheme and host, with a
trailing slash), ``req.host`` and ``req.scheme``.

- ``scheme`` is "http": the server core speaks plain HTTP. Behind a TLS proxy, read its
  ``X-Forwarded-Proto`` yourself; like Flask without ProxyFix, the App never trusts it.
- ``host`` is the Host header as the client sent it (so it is the client's word, not a checked
  name), with ``:80`` dropped; without one (HTTP/1.0) it is the address the connection reached.
- The path is the one sent (``req.raw_path``): its percent-escapes are kept as they came, and
  bytes that a URL may not hold (raw UTF-8, spaces) are percent-encoded.
- The App is served at the root, so Starlette's ``request.base_url`` is ``req.host_url`` here;
  Starlette's ``request.url`` is a URL object, ``str(request.url)`` is ``req.url``.

Each is computed when read (a request that never reads one pays nothing) and read again each
time: keep it in a local.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

# RFC 3986's unreserved and sub-delims characters, ':' '@' '/', and '%' (escapes stay as sent).
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"


def _scheme(req: Any) -> str:
    """"http": the server core has no TLS (see the module doc)."""
    return "http"


def _host(req: Any) -> str:
    """The Host header (``:80`` dropped), else the address the connection reached."""
    host = req.headers.get("host")
    if not host:
        server = req.server
        if server is None:
            return ""
        name, port = server
        host = f"[{name}]:{port}" if ":" in name else f"{name}:{port}"
    return host[:-3] if host.endswith(":80") else host


def _host_url(req: Any) -> str:
    """``http://host/``."""
    return f"{_scheme(req)}://{_host(req)}/"


def _base_url(req: Any) -> str:
    """The URL without its query string: ``http://host/path``."""
    return f"{_scheme(req)}://{_host(req)}{quote(req.raw_path, safe=_PATH_SAFE)}"


def _url(req: Any) -> str:
    """The whole URL: ``http://host/path?query``."""
    query = req.query_string
    return _base_url(req) + ("?" + quote(query, safe=_PATH_SAFE + "?", encoding="latin-1") if query else "")


URL_PARTS: dict[str, Callable[[Any], str]] = {
    "url": _url, "base_url": _base_url, "host_url": _host_url, "host": _host, "scheme": _scheme,
}

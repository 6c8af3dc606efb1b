"""lapwise: native cores for Python web stacks.

    app = lapwise.App()                                    # HTTP/1.1 server core
    @app.get("/users/{id:int}")
    def user(req): return {"id": req.params["id"]}

    client = lapwise.Client(lapwise.Policy(concurrency=64))   # parallel client core
    results = client.fetch_many([lapwise.Request.get(u) for u in urls])

    router = lapwise.Router(); router.add("GET", "/a/{x}", 1)  # radix router core
    lapwise.http.parse_request(buf)                        # HTTP/1.1 request parser
    lapwise.query.parse("a=1&b=2")                         # query strings, percent-decoding
    lapwise.json.dumps(obj); lapwise.json.loads(data)      # JSON
    lapwise.html.parse(page).select("a[href]")             # HTML, CSS selectors, extraction
    lapwise.asgi.serve(asgi_app, port=8000)                # an ASGI 3 app on the server core
    python -m lapwise serve module:app --interface asgi    # the command line

Every public name is listed in ``__all__`` and documented in adapters/README.md. Names load on
first use, so ``import lapwise`` is cheap and works without the compiled module (``native_error()``
says why it is missing). The compiled part is the private module ``lapwise._native``; a
development build puts it in ``<build>/python/lapwise/``, which ``extend_path`` joins to this
source package.
"""

from __future__ import annotations

import importlib
from pkgutil import extend_path
from typing import TYPE_CHECKING, Any

__path__ = extend_path(__path__, __name__)

__version__ = "0.1.0"

# public name -> the private module that defines it
_HOMES = {
    "App": "app", "Response": "app", "HTTPError": "_app_errors",
    "StreamingResponse": "_app_stream", "EventSourceResponse": "_app_sse", "ServerSentEvent": "_app_sse",
    "FormData": "_app_form_types", "UploadFile": "_app_form_types", "FormError": "_app_form_types",
    "BodyError": "_app_body", "StaticResponse": "_app_static",
    "redirect": "_app_redirect", "send_file": "_app_send_file",
    "send_from_directory": "_app_send_file", "QueryParams": "_app_multidict",
    "sessions": "_app_session", "Session": "_app_session", "Blueprint": "_app_blueprint",
    "cors": "_app_cors",
    "WebSocket": "_app_websocket", "WebSocketDisconnect": "_app_websocket",
    "Client": "_client", "Progress": "_client",
    "Request": "_client_types", "Policy": "_client_types", "ClientResponse": "_client_types",
    "FetchError": "_client_types", "FetchResult": "_client_types",
    "InvalidRequest": "_client_types", "PolicyError": "_client_types",
    "Cancelled": "_client_types", "ERROR_KINDS": "_client_types", "IDEMPOTENT": "_client_types",
    "check_request": "_client_types",
    "Router": "router", "Match": "router", "NoMatch": "router", "RouteError": "router",
}
_SUBMODULES = ("asgi", "html", "http", "json", "query", "router", "testing", "wsgi")

__all__ = [
    "App", "Response", "HTTPError", "StreamingResponse", "EventSourceResponse", "ServerSentEvent",
    "FormData", "UploadFile", "FormError", "BodyError", "StaticResponse",
    "redirect", "send_file", "send_from_directory", "QueryParams", "sessions", "Session", "Blueprint",
    "cors", "WebSocket", "WebSocketDisconnect",
    "Client", "Progress", "Request", "Policy", "ClientResponse", "FetchError", "FetchResult",
    "InvalidRequest", "PolicyError", "Cancelled", "ERROR_KINDS", "IDEMPOTENT", "check_request",
    "Router", "Match", "NoMatch", "RouteError",
    "asgi", "html", "http", "json", "query", "router", "testing", "wsgi",
    "native_error",
]

if TYPE_CHECKING:
    from . import asgi, html, http, json, query, router, testing, wsgi
    from ._client import Client, Progress
    from ._client_types import (ERROR_KINDS, IDEMPOTENT, Cancelled, ClientResponse, FetchError,
                                FetchResult, InvalidRequest, Policy, PolicyError, Request,
                                check_request)
    from ._app_blueprint import Blueprint
    from ._app_body import BodyError
    from ._app_cors import cors
    from ._app_errors import HTTPError
    from ._app_form_types import FormData, FormError, UploadFile
    from ._app_multidict import QueryParams
    from ._app_redirect import redirect
    from ._app_send_file import send_file, send_from_directory
    from ._app_session import Session, sessions
    from ._app_sse import EventSourceResponse, ServerSentEvent
    from ._app_static import StaticResponse
    from ._app_stream import StreamingResponse
    from ._app_websocket import WebSocket, WebSocketDisconnect
    from .app import App, Response
    from .router import Match, NoMatch, RouteError, Router


def native_error() -> str | None:
    """Why ``lapwise._native`` cannot be imported, or None when it can."""
    from . import _native_status

    return _native_status.error()


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        value = getattr(importlib.import_module(f".{_HOMES[name]}", __name__), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'lapwise' has no attribute {name!r}")
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return __all__

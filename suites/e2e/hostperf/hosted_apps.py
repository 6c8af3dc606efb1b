"""The apps the hosting figures are taken on: each an ASGI or WSGI app (module:attribute), the
request timed, and the exact body a right answer has. The floors, the hosting benchmark, the
long run and the hosted lap family all take their apps from here.

Names: a workload on one of the hosting suite's apps (suites/adapters/server/apps) is that app's
name in the conformance suite plus its route (``starlette-app-json``, ``fastapi-app-items``,
``flask-app-json``); the bare apps of ``apps/`` here and the raw apps have names of their own
(test_hosting_names.py holds this)."""

from __future__ import annotations

from dataclasses import dataclass

JSON = b'{"message":"Hello, World!"}'


@dataclass(frozen=True)
class HostedApp:
    name: str
    interface: str  # "asgi" | "wsgi"
    app: str  # module:attribute
    target: str  # path?query
    expect: bytes  # the exact body


APPS = {a.name: a for a in (
    HostedApp("raw-asgi-json", "asgi", "suites.adapters.server.apps.asgi_app:app", "/json", JSON),
    # The hosting suite's Starlette app (its middleware included).
    HostedApp("starlette-app-json", "asgi", "suites.adapters.server.apps.starlette_app:app", "/json", JSON),
    # Path and query validation alone (apps/fastapi_items.py).
    HostedApp("fastapi-items", "asgi", "suites.e2e.hostperf.apps.fastapi_items:app", "/items/7?q=lapwise",
              b'{"item_id":7,"q":"lapwise"}'),
    # The hosting suite's FastAPI app: also a middleware and a dependency on the timed route.
    HostedApp("fastapi-app-items", "asgi", "suites.adapters.server.apps.fastapi_app:app", "/items/7?q=abc",
              b'{"item_id":7,"q":"abc","token":"NONE"}'),
    HostedApp("raw-wsgi-json", "wsgi", "suites.adapters.server.apps.wsgi_app:app", "/json", JSON),
    # jsonify on a bare Flask app (apps/flask_json.py).
    HostedApp("flask-json", "wsgi", "suites.e2e.hostperf.apps.flask_json:app", "/json", JSON + b"\n"),
    # The hosting suite's Flask app (a blueprint, an after_request hook).
    HostedApp("flask-app-json", "wsgi", "suites.adapters.server.apps.flask_app:app", "/json", JSON),
)}

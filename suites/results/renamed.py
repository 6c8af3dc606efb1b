"""Adapter ids and scenarios that were renamed, old -> current, so a result file or a history
run written under an old name reads under the current one (the report, the trend page and
``history compare`` then line old and new runs up). The loader (schema.load) and the history
store apply it; a name is never reused for something else, so the map holds for files of any age.

The hosted servers took their server's name alone (``server/uvicorn``, not
``server/uvicorn-starlette``): the app is a separate axis, since the hosting suites run any app
on any server of its interface. The hosting suite's Starlette app is ``starlette-app`` in every
suite, like ``fastapi-app`` and ``flask-app``, so its /json workload is ``starlette-app-json``.

The static-file benchmark wrote server and app in one adapter id under one scenario
(``server/static-lapwise-starlette-FileResponse``, ``e2e.static.download``); its records are now
``server/<server>`` under ``e2e.static.<app>``, so such a record is renamed as a pair
(``current_ids``); so are the SSE run's (``server/lapwise-sse`` under ``e2e.sse.streams`` is
``server/lapwise-app`` under ``e2e.sse.app-events``)."""

from __future__ import annotations

_SERVERS = {
    "uvicorn-starlette": "uvicorn",
    "uvicorn-h11-starlette": "uvicorn-h11",
    "uvicorn-asgi": "uvicorn-raw",
    "hypercorn-starlette": "hypercorn",
    "hypercorn-trio-starlette": "hypercorn-trio",
    "daphne-starlette": "daphne",
    "gunicorn-sync-wsgi": "gunicorn-sync",
    "gunicorn-gthread-wsgi": "gunicorn-gthread",
    "werkzeug-wsgi": "werkzeug",
}
_APPS = {"starlette-json": "starlette-app-json"}  # hostperf's workloads

RENAMED = {
    **{f"server/{old}": f"server/{new}" for old, new in _SERVERS.items()},
    # the hosted lap family names its hosts laps/hosted-<server>, the floors hosting/<workload>
    **{f"laps/hosted-{old}": f"laps/hosted-{new}" for old, new in _SERVERS.items()},
    **{f"hosting/{old}": f"hosting/{new}" for old, new in _APPS.items()},
}

# the static benchmark's old labels -> (server, app)
_STATIC = {
    "nginx": ("nginx", "location-sendfile"),
    "lapwise-wsgi-file_wrapper": ("lapwise-wsgi", "wsgi-file-wrapper"),
    "lapwise-app-static": ("lapwise-app", "app-static"),
    "lapwise-asgi-pathsend": ("lapwise-asgi", "asgi-pathsend"),
    "lapwise-starlette-FileResponse": ("lapwise-asgi", "starlette-fileresponse"),
    "lapwise-starlette-lapwise.FileResponse": ("lapwise-asgi", "starlette-lapwise-fileresponse"),
    "lapwise-starlette-FileResponse+pathsend": ("lapwise-asgi", "starlette-fileresponse-pathsend"),
    "uvicorn-starlette-FileResponse": ("uvicorn", "starlette-fileresponse"),
}
# the SSE run's old adapters -> (server, app)
_SSE = {"lapwise-sse": ("lapwise-app", "app-events"), "uvicorn-sse": ("uvicorn", "starlette-events")}
PAIRS = {
    **{(f"server/static-{old}", "e2e.static.download"): (f"server/{server}", f"e2e.static.{app}")
       for old, (server, app) in _STATIC.items()},
    **{(f"server/{old}", "e2e.sse.streams"): (f"server/{server}", f"e2e.sse.{app}")
       for old, (server, app) in _SSE.items()},
}

# the hosting benchmark, the long run and the hosted lap family name scenarios by workload
SCENARIOS = {f"{prefix}.{old}": f"{prefix}.{new}" for old, new in _APPS.items()
             for prefix in ("hosting", "hosting.long", "laps.hosted")}


def current(adapter: str) -> str:
    """The id an adapter goes by now (itself when it was never renamed)."""
    return RENAMED.get(adapter, adapter)


def current_scenario(scenario: str) -> str:
    """The name a scenario goes by now (itself when it was never renamed)."""
    return SCENARIOS.get(scenario, scenario)


def current_ids(adapter: str, scenario: str) -> tuple[str, str]:
    """The (adapter, scenario) a record goes by now: a pair renamed together, else each name
    on its own."""
    return PAIRS.get((adapter, scenario)) or (current(adapter), current_scenario(scenario))

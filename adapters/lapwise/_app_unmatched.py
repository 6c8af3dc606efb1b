"""Error handlers for the requests no route answers: with ``@app.errorhandler(404)`` or
``(405)`` (or one for ``HTTPError`` or a base class of it) registered, the server core hands
such requests to the App (``Server.set_unmatched``) instead of answering its plain 404/405,
and they go through the App's error handling as ``HTTPError(404)`` or ``HTTPError(405)`` with
an ``Allow`` header. Matched routes pay nothing for it: the core takes this path only where
it would have answered 404 or 405. ``before_request``/``after_request`` hooks do not run for
these requests. A 405 answer built from a plain body keeps the Allow header; a ``Response``
returned by the error handler is sent as it is."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ._app_errors import ErrorHandlers, HTTPError
from .router import NoMatch, Router


def wants_unmatched(errors: ErrorHandlers) -> bool:
    """Whether some registered error handler would answer a 404 or 405."""
    return 404 in errors.by_status or 405 in errors.by_status or \
        any(issubclass(HTTPError, cls) for cls in errors.by_class)


def unmatched_handler(routes: Iterable[tuple[str, str]]) -> Callable[[Any], Any]:
    """The handler of unmatched requests for an App whose (method, pattern) pairs are
    ``routes``, in the order the server got them (a 405's Allow lists them in that order)."""
    router = Router()
    for i, (method, pattern) in enumerate(routes):
        router.add(method, pattern, i)

    def unmatched(req: Any) -> Any:
        found = router.match(req.method, req.path)
        if isinstance(found, NoMatch) and found.status == 405:
            allowed = list(found.allowed)
            if "GET" in allowed and "HEAD" not in allowed:  # the core answers HEAD from GET
                allowed.insert(allowed.index("GET") + 1, "HEAD")
            raise HTTPError(405, "Method Not Allowed", headers={"Allow": ", ".join(allowed)})
        raise HTTPError(404, "Not Found")

    return unmatched

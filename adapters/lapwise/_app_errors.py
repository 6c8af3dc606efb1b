"""lapwise.App's error handling: ``HTTPError`` (raise it to answer with a status) and the
handlers registered with ``@app.errorhandler(status_or_exception_class)``.

What answers a handler's exception, first match wins:

1. a handler registered for the exception's class or one of its bases (nearest first);
2. a handler registered for the status the error stands for: an ``HTTPError``'s status, 400
   for a malformed JSON body read through ``req.json()``, else 500;
3. the default: an ``HTTPError``'s status and detail, the 400 with the body's position, or a
   500 (``Internal Server Error``, with the traceback logged on ``lapwise.app``).

An error handler takes the exception and returns what a route handler may return; a plain
body (or a ``(body, headers)`` tuple) is sent with the status of step 2 (return a ``Response``
or a ``(body, status)`` tuple to choose another). An error
handler that raises is logged and the request gets a plain 500. 404 and 405 for requests no
route matches reach these handlers once one is registered for them (``_app_unmatched``);
malformed requests (400, 413 and the like, answered by the server core) do not.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from ._app_routes import JSONBodyError

log = logging.getLogger("lapwise.app")

ErrorHandler = Callable[[BaseException], Any]


class HTTPError(Exception):
    """Raised by a handler to answer ``status`` (``detail``: the plain-text body; default the
    status's reason phrase; ``headers``: sent with it, also when an error handler's plain
    body answers it) instead of a 500."""

    def __init__(self, status: int, detail: str | None = None, headers: dict[str, str] | None = None) -> None:
        if not 400 <= status <= 599:
            raise ValueError(f"an HTTPError status is 400..599, not {status}")
        super().__init__(status, detail)
        self.status = status
        self.detail = detail
        self.headers = headers

    def __str__(self) -> str:
        return f"{self.status} {self.detail or ''}".rstrip()


class ErrorHandlers:
    """The registered handlers, by status and by exception class."""

    def __init__(self) -> None:
        self.by_status: dict[int, ErrorHandler] = {}
        self.by_class: dict[type, ErrorHandler] = {}

    @staticmethod
    def check(key: object) -> None:
        """Raises TypeError or ValueError unless ``key`` is a status 400..599 or an exception
        class."""
        exception_class = isinstance(key, type) and issubclass(key, BaseException)
        if isinstance(key, bool) or not (isinstance(key, int) or exception_class):
            raise TypeError(f"errorhandler takes a status (int) or an exception class, not {key!r}")
        if isinstance(key, int) and not 400 <= key <= 599:
            raise ValueError(f"errorhandler statuses are 400..599, not {key}")

    def add(self, key: int | type, fn: ErrorHandler) -> None:
        self.check(key)
        if isinstance(key, int):
            self.by_status[key] = fn
        else:
            self.by_class[key] = fn

    def find(self, exc: BaseException, status: int) -> ErrorHandler | None:
        for cls in type(exc).__mro__:
            if (fn := self.by_class.get(cls)) is not None:
                return fn
        return self.by_status.get(status)


def _has_status(out: tuple[Any, ...]) -> bool:
    return len(out) == 3 or (len(out) == 2 and isinstance(out[1], int))


def error_hook(handlers: ErrorHandlers, response_type: Any,
               default: Callable[[BaseException], Any]) -> Callable[[BaseException, str, Any, Any], Any]:
    """The native server's error hook for one app: the answer to a request whose handler (or
    its response) raised, per the module doc; None means a plain 500."""

    def on_error(exc: BaseException, where: str, method: str | None, path: str | None) -> Any:
        status = exc.status if isinstance(exc, HTTPError) else 400 if isinstance(exc, JSONBodyError) else 500
        fn = handlers.find(exc, status) if where != "response" else None
        if fn is None:
            if status == 500:
                log.error("%s %s: %s raised %s", method, path, where, type(exc).__name__, exc_info=exc)
            return default(exc)
        try:
            out = fn(exc)
        except Exception as failed:  # noqa: BLE001 - the client gets a 500 either way
            log.error("%s %s: the error handler for %s raised %s", method, path, type(exc).__name__,
                      type(failed).__name__, exc_info=failed)
            return None
        if isinstance(out, response_type) or (isinstance(out, tuple) and _has_status(out)):
            return out  # a tuple with its own status is converted as a route's is
        if isinstance(out, tuple) and len(out) == 2:  # (body, headers)
            return response_type(status, out[1], out[0])
        return response_type(status, exc.headers if isinstance(exc, HTTPError) else None, out)

    return on_error

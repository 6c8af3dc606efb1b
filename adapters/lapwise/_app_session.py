"""Signed-cookie sessions for lapwise.App, as Flask's ``session`` and Starlette's
``SessionMiddleware`` keep them: ``lapwise.sessions(app, secret_key)`` gives every request a
``req.session``, a dict kept in a cookie the client cannot change.

- The cookie holds the session as JSON, signed with HMAC-SHA256 under ``secret_key``
  (``_app_signed``): anyone can read it, no one without the key can change or forge it. A
  cookie that fails the check, or older than ``max_age``, is an empty session. Keep secrets
  out of it; keep the key secret (``secrets.token_hex(32)``) and the session small (a cookie
  over 4 KiB is refused with a ValueError, as browsers drop those).
- ``req.session`` is read (the cookie checked) only when a handler or hook first reads it: a
  route that never does pays one hook call. It is written back (Set-Cookie, ``HttpOnly``,
  ``SameSite`` and ``Secure`` as given, ``Max-Age`` = ``max_age``) only when it changed: set,
  delete, ``pop``, ``update``, ``clear``...; a change inside a value (a list appended to) is
  not seen, so set ``req.session.modified = True`` then, as in Flask. Emptied, the cookie is
  deleted.
- It is there for the before hooks, the handler and the after hooks: the session's own hooks
  run first and last (installed when the app starts serving). Middleware runs outside them and
  cannot read it, and neither can a generator the handler returns (it runs after the hooks,
  once the head with the cookie has gone): change the session before returning one. An answer
  given by an error handler does not write the session, as in Starlette.
"""

from __future__ import annotations

import contextvars
import inspect
from typing import Any

from . import json as lapwise_json
from ._app_cookies import set_cookie_header
from ._app_response import Response
from ._app_signed import sign, unsign
from ._app_stream import StreamingResponse

MAX_COOKIE_BYTES = 4096


class Session(dict):
    """A dict that knows whether it changed (``modified``)."""

    __slots__ = ("modified",)

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        super().__init__(data or {})
        self.modified = False

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self.modified = True

    def __delitem__(self, key: Any) -> None:
        super().__delitem__(key)
        self.modified = True

    def clear(self) -> None:
        self.modified = self.modified or bool(self)
        super().clear()

    def pop(self, key: Any, *default: Any) -> Any:
        self.modified = self.modified or key in self
        return super().pop(key, *default)

    def popitem(self) -> Any:
        out = super().popitem()
        self.modified = True
        return out

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self.modified = True
        return super().setdefault(key, default)

    def update(self, *args: Any, **kw: Any) -> None:
        super().update(*args, **kw)
        self.modified = True


class SessionCookie:
    """One app's session settings: how the cookie is read, checked and written."""

    def __init__(self, secret_key: str | bytes, cookie_name: str, max_age: int | None, path: str,
                 domain: str | None, same_site: str | None, https_only: bool) -> None:
        key = secret_key.encode() if isinstance(secret_key, str) else bytes(secret_key)
        if not key:
            raise ValueError("sessions need a secret key (secrets.token_hex(32) makes one)")
        self.key = key
        self.name = cookie_name
        self.max_age = max_age
        self.attributes: dict[str, Any] = {"path": path, "domain": domain, "samesite": same_site,
                                           "secure": https_only, "httponly": True}
        set_cookie_header(cookie_name, "x", **self.attributes)  # refuses bad settings now

    def load(self, req: Any) -> tuple[Session, bool]:
        """(the request's session, whether it sent a session cookie)."""
        value = req.cookies.get(self.name)
        if value is None:
            return Session(), False
        data = unsign(self.key, value, self.max_age)
        try:
            loaded = lapwise_json.loads(data) if data is not None else None
        except ValueError:
            loaded = None
        return Session(loaded if isinstance(loaded, dict) else None), True

    def header(self, session: Session, had_cookie: bool) -> str | None:
        """The Set-Cookie value that stores ``session``, or None when nothing is to be sent."""
        if not session:
            if not had_cookie:
                return None
            return set_cookie_header(self.name, "", max_age=0, expires=0, **self.attributes)
        value = set_cookie_header(self.name, sign(self.key, lapwise_json.dumps(dict(session))),
                                  max_age=self.max_age, **self.attributes)
        if len(value) > MAX_COOKIE_BYTES:
            raise ValueError(f"the session cookie would be {len(value)} bytes: browsers drop cookies over 4 KiB")
        return value


class _Bound:
    """The session of the request being handled in this context."""

    __slots__ = ("req", "store", "session", "had_cookie")

    def __init__(self, req: Any, store: SessionCookie) -> None:
        self.req = req
        self.store = store
        self.session: Session | None = None
        self.had_cookie = False


# A context, not the request object (which has no room for it): the hooks and the handler of one
# request run in one thread or one asyncio task, each with its own context.
_BOUND: contextvars.ContextVar[_Bound | None] = contextvars.ContextVar("lapwise_session", default=None)


def request_session(req: Any) -> Session:
    """``req.session``: read from the cookie at the first read in this request."""
    bound = _BOUND.get()
    if bound is None or bound.req is not req:
        raise RuntimeError("req.session needs lapwise.sessions(app, secret_key), and is there for the "
                           "hooks and the handler (middleware runs outside them)")
    if bound.session is None:
        bound.session, bound.had_cookie = bound.store.load(req)
    return bound.session


def with_header(out: Any, name: str, value: str) -> Any:
    """What a handler returned, as a ``Response`` carrying one more header."""
    if isinstance(out, Response):
        return out.add_header(name, value)
    if isinstance(out, tuple) and len(out) in (2, 3):
        status, headers = 200, None
        if len(out) == 3:
            status, headers = out[1], out[2]
        elif isinstance(out[1], int):
            status = out[1]
        else:
            headers = out[1]
        return Response(status, headers, out[0]).add_header(name, value)
    if inspect.isgenerator(out) or inspect.isasyncgen(out):
        return StreamingResponse(out).add_header(name, value)
    return Response(200, None, out).add_header(name, value)


def sessions(app: Any, secret_key: str | bytes, *, cookie_name: str = "session",
             max_age: int | None = 14 * 24 * 3600, path: str = "/", domain: str | None = None,
             same_site: str | None = "lax", https_only: bool = False) -> None:
    """Gives ``app``'s requests a signed-cookie ``req.session`` (see the module doc).
    ``max_age`` in seconds (None: a browser-session cookie, and any age accepted)."""
    store = SessionCookie(secret_key, cookie_name, max_age, path, domain, same_site, https_only)

    def bind(req: Any) -> None:
        _BOUND.set(_Bound(req, store))

    def save(req: Any, out: Any) -> Any:
        bound = _BOUND.get()
        if bound is None or bound.req is not req:
            return out
        _BOUND.set(None)
        if bound.session is None or not bound.session.modified:
            return out
        header = store.header(bound.session, bound.had_cookie)
        return out if header is None else with_header(out, "Set-Cookie", header)

    def install() -> None:  # first and last of the hooks, whenever the others were added
        if bind not in app._before:
            app._before.insert(0, bind)
        if save not in app._after:
            app._after.append(save)

    app.on_startup(install)

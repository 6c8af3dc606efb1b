"""A server that hosts a Python web app given by module path (``module:attribute``): lapwise's
ASGI and WSGI servers and the peers people run the same apps on. Each adapter hosts its
``default_app`` (the app spec of base.py) unless given another, so the hosting suite can run any
app of ``apps/`` on any server of the matching interface."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from ..adapter import AVAILABLE, Availability, requires_module
from ._process import ProcessServer, python_module_command
from .native_py import native_server_available

APPS = "suites.adapters.server.apps"
STARLETTE_APP = f"{APPS}.starlette_app:app"
FASTAPI_APP = f"{APPS}.fastapi_app:app"
FLASK_APP = f"{APPS}.flask_app:app"
RAW_ASGI_APP = f"{APPS}.asgi_app:app"
RAW_WSGI_APP = f"{APPS}.wsgi_app:app"
FAILING_LIFESPAN_APP = f"{APPS}.failing_lifespan_app:app"

# Modules each app needs, so availability names what is missing.
APP_MODULES = {STARLETTE_APP: ("starlette",), FASTAPI_APP: ("fastapi", "pydantic", "multipart"),
               FLASK_APP: ("flask",), RAW_ASGI_APP: (), RAW_WSGI_APP: (), FAILING_LIFESPAN_APP: ()}


def modules_available(modules: Sequence[str]) -> Availability:
    for mod in modules:
        if not (ok := requires_module(mod)):
            return ok
    return AVAILABLE


class HostedServer(ProcessServer):
    """Subclasses set ``interface`` ("asgi" or "wsgi"), ``default_app``, ``server_modules`` and
    implement ``serve_command``."""

    interface: ClassVar[str]
    default_app: ClassVar[str]
    server_modules: ClassVar[tuple[str, ...]] = ()

    def __init__(self, app: str | None = None) -> None:
        super().__init__()
        self.app = app or self.default_app

    @classmethod
    def available(cls) -> Availability:
        return modules_available((*cls.server_modules, *APP_MODULES.get(cls.default_app, ())))

    def command(self, host: str, port: int) -> Sequence[str]:
        return self.serve_command(self.app, host, port)

    def serve_command(self, app: str, host: str, port: int) -> Sequence[str]:  # pragma: no cover - abstract
        raise NotImplementedError


class LapwiseHostedServer(HostedServer):
    """lapwise's server core hosting an app through the product's command line
    (``python -m lapwise serve APP --interface <interface>``)."""

    @classmethod
    def available(cls) -> Availability:
        if not (ok := super().available()):
            return ok
        return native_server_available()

    def serve_command(self, app: str, host: str, port: int) -> list[str]:
        return python_module_command("lapwise", "serve", app, "--interface", self.interface,
                                     "--host", host, "--port", str(port))

"""server/uvicorn-asgi: uvicorn (httptools + uvloop) running a raw ASGI app, no framework."""

from ..adapter import requires_module
from ._process import ProcessServer
from .uvicorn_starlette import uvicorn_command


class UvicornAsgiServer(ProcessServer):
    name = "uvicorn-asgi"

    @classmethod
    def available(cls):
        for mod in ("uvicorn", "httptools", "uvloop"):
            if not (ok := requires_module(mod)):
                return ok
        return ok

    def command(self, host: str, port: int) -> list[str]:
        return uvicorn_command("suites.adapters.server.apps.asgi_app:app", host, port)

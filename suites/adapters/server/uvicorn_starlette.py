"""server/uvicorn-starlette: uvicorn (httptools + uvloop, one worker) running the Starlette app."""

from ..adapter import requires_module
from ._process import ProcessServer, python_module_command


def uvicorn_command(app: str, host: str, port: int) -> list[str]:
    return python_module_command("uvicorn", app, "--host", host, "--port", str(port),
                                 "--http", "httptools", "--loop", "uvloop",
                                 "--log-level", "warning", "--no-access-log")


class UvicornStarletteServer(ProcessServer):
    name = "uvicorn-starlette"

    @classmethod
    def available(cls):
        for mod in ("uvicorn", "starlette", "httptools", "uvloop"):
            if not (ok := requires_module(mod)):
                return ok
        return ok

    def command(self, host: str, port: int) -> list[str]:
        return uvicorn_command("suites.adapters.server.apps.starlette_app:app", host, port)

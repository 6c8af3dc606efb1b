"""server/uvicorn-h11-starlette: uvicorn with its pure-Python h11 protocol and asyncio's own
loop (no httptools, no uvloop), running the Starlette app."""

from ..adapter import requires_module
from ._process import ProcessServer, python_module_command


class UvicornH11StarletteServer(ProcessServer):
    name = "uvicorn-h11-starlette"

    @classmethod
    def available(cls):
        for mod in ("uvicorn", "starlette", "h11"):
            if not (ok := requires_module(mod)):
                return ok
        return ok

    def command(self, host: str, port: int) -> list[str]:
        return python_module_command("uvicorn", "suites.adapters.server.apps.starlette_app:app", "--host", host,
                                     "--port", str(port), "--http", "h11", "--loop", "asyncio",
                                     "--log-level", "warning", "--no-access-log")

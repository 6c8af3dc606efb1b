"""server/uvicorn-h11: uvicorn with its pure-Python h11 protocol and asyncio's own
loop (no httptools, no uvloop), running the Starlette app (or any ASGI app it is given)."""

from ._hosted import STARLETTE_APP, HostedServer
from .uvicorn import uvicorn_command


class UvicornH11Server(HostedServer):
    name = "uvicorn-h11"
    interface = "asgi"
    default_app = STARLETTE_APP
    server_modules = ("uvicorn", "h11")

    def serve_command(self, app: str, host: str, port: int) -> list[str]:
        return uvicorn_command(app, host, port, http="h11", loop="asyncio")

"""server/uvicorn-asgi: uvicorn (httptools + uvloop) running a raw ASGI app, no framework."""

from ._hosted import RAW_ASGI_APP, HostedServer
from .uvicorn_starlette import uvicorn_command


class UvicornAsgiServer(HostedServer):
    name = "uvicorn-asgi"
    interface = "asgi"
    default_app = RAW_ASGI_APP
    server_modules = ("uvicorn", "httptools", "uvloop")

    def serve_command(self, app: str, host: str, port: int) -> list[str]:
        return uvicorn_command(app, host, port)

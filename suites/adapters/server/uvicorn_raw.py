"""server/uvicorn-raw: uvicorn (httptools + uvloop) with the raw ASGI app as its default, no
framework: a second uvicorn stack for the end-to-end server benchmark, which runs each adapter
on its default app. The hosting suites name the server ``uvicorn`` and give it the app."""

from ._hosted import RAW_ASGI_APP, HostedServer
from .uvicorn import uvicorn_command


class UvicornRawServer(HostedServer):
    name = "uvicorn-raw"
    interface = "asgi"
    default_app = RAW_ASGI_APP
    server_modules = ("uvicorn", "httptools", "uvloop")

    def serve_command(self, app: str, host: str, port: int) -> list[str]:
        return uvicorn_command(app, host, port)

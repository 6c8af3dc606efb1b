"""server/uvicorn: uvicorn (httptools + uvloop, one worker) running the Starlette app
(or any ASGI app it is given)."""

from ._hosted import STARLETTE_APP, HostedServer
from ._process import python_module_command


def uvicorn_command(app: str, host: str, port: int, http: str = "httptools", loop: str = "uvloop",
                    access_log: bool = False) -> list[str]:
    """``access_log``: uvicorn's own (its logger at level info, on standard output)."""
    logging = ["--log-level", "info"] if access_log else ["--log-level", "warning", "--no-access-log"]
    return python_module_command("uvicorn", app, "--host", host, "--port", str(port), "--http", http, "--loop", loop,
                                 *logging)


class UvicornServer(HostedServer):
    name = "uvicorn"
    interface = "asgi"
    default_app = STARLETTE_APP
    server_modules = ("uvicorn", "httptools", "uvloop")

    def serve_command(self, app: str, host: str, port: int) -> list[str]:
        return uvicorn_command(app, host, port)

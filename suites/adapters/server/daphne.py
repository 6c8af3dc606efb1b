"""server/daphne: daphne 4 (Twisted) running the Starlette app (or any ASGI app it is
given). Daphne runs no lifespan protocol."""

from ._hosted import STARLETTE_APP, HostedServer
from ._process import python_module_command


class DaphneServer(HostedServer):
    name = "daphne"
    interface = "asgi"
    default_app = STARLETTE_APP
    server_modules = ("daphne",)
    bench_by_default = False
    omits_headers = {"date": "daphne 4 writes no Date header (Twisted's response carries only Server)"}

    def serve_command(self, app: str, host: str, port: int) -> list[str]:
        return python_module_command("daphne", "--bind", host, "--port", str(port), "--verbosity", "0", app)

"""server/hypercorn-trio-starlette: hypercorn's trio worker running the Starlette app (Starlette
runs on trio through anyio)."""

from ._hosted import STARLETTE_APP, HostedServer
from .hypercorn_starlette import HYPERCORN_013_KEEP_ALIVE, hypercorn_command


class HypercornTrioStarletteServer(HostedServer):
    name = "hypercorn-trio-starlette"
    interface = "asgi"
    default_app = STARLETTE_APP
    server_modules = ("hypercorn", "trio")
    bench_by_default = False
    drops_keep_alive = HYPERCORN_013_KEEP_ALIVE

    def serve_command(self, app: str, host: str, port: int) -> list[str]:
        return hypercorn_command(app, host, port, worker_class="trio")

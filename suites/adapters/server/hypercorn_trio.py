"""server/hypercorn-trio: hypercorn's trio worker running the Starlette app (Starlette
runs on trio through anyio). Its trio worker keeps connections alive, unlike the asyncio worker
of hypercorn 0.13."""

from ._hosted import STARLETTE_APP, HostedServer
from .hypercorn import hypercorn_command


class HypercornTrioServer(HostedServer):
    name = "hypercorn-trio"
    interface = "asgi"
    default_app = STARLETTE_APP
    server_modules = ("hypercorn", "trio")
    bench_by_default = False

    def serve_command(self, app: str, host: str, port: int) -> list[str]:
        return hypercorn_command(app, host, port, worker_class="trio")

"""server/hypercorn: hypercorn (asyncio worker, h11 for HTTP/1.1, one worker) running
the Starlette app (or any ASGI app it is given)."""

from ._hosted import STARLETTE_APP, HostedServer
from ._process import python_module_command

# Why hypercorn 0.13 failed the keep-alive check: its h11 protocol recycles a connection only if,
# when the response stream closes, h11 has seen the request's end too; an app that answers before
# hypercorn has read that end (any GET) leaves the connection unrecycled, and it is closed
# without a Connection: close. Fixed upstream in later hypercorn releases; Debian 12 ships 0.13.2.
HYPERCORN_013_KEEP_ALIVE = ("hypercorn 0.13.2 closes a keep-alive connection after a response the app sent before "
                            "hypercorn read the request's end (every GET), without Connection: close")


def hypercorn_command(app: str, host: str, port: int, worker_class: str = "asyncio") -> list[str]:
    return python_module_command("hypercorn", "--bind", f"{host}:{port}", "--worker-class", worker_class,
                                 "--workers", "1", "--log-level", "warning", app)


class HypercornServer(HostedServer):
    name = "hypercorn"
    interface = "asgi"
    default_app = STARLETTE_APP
    server_modules = ("hypercorn",)
    bench_by_default = False
    drops_keep_alive = HYPERCORN_013_KEEP_ALIVE

    def serve_command(self, app: str, host: str, port: int) -> list[str]:
        return hypercorn_command(app, host, port)

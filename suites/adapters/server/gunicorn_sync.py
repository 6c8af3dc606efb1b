"""server/gunicorn-sync: gunicorn 20, one sync worker (one request at a time, no keep-alive
by design), running the raw WSGI app (or any WSGI app it is given)."""

from ._hosted import RAW_WSGI_APP, HostedServer
from ._process import python_module_command


def gunicorn_command(app: str, host: str, port: int, worker_class: str, threads: int = 1) -> list[str]:
    return python_module_command("gunicorn", "--bind", f"{host}:{port}", "--workers", "1",
                                 "--worker-class", worker_class, "--threads", str(threads),
                                 "--log-level", "warning", app)


class GunicornSyncServer(HostedServer):
    name = "gunicorn-sync"
    interface = "wsgi"
    default_app = RAW_WSGI_APP
    server_modules = ("gunicorn",)
    bench_by_default = False

    def serve_command(self, app: str, host: str, port: int) -> list[str]:
        return gunicorn_command(app, host, port, "sync")

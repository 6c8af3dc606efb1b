"""server/gunicorn-gthread: gunicorn 20, one gthread worker with 8 threads (keep-alive),
running the raw WSGI app (or any WSGI app it is given)."""

from ._hosted import RAW_WSGI_APP, HostedServer
from .gunicorn_sync import gunicorn_command


class GunicornGthreadServer(HostedServer):
    name = "gunicorn-gthread"
    interface = "wsgi"
    default_app = RAW_WSGI_APP
    server_modules = ("gunicorn",)
    bench_by_default = False

    def serve_command(self, app: str, host: str, port: int) -> list[str]:
        return gunicorn_command(app, host, port, "gthread", threads=8)

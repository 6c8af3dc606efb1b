"""server/werkzeug: Werkzeug's development server (threaded, HTTP/1.1) running the raw WSGI
app (or any WSGI app it is given), the server ``flask run`` starts."""

from ._hosted import RAW_WSGI_APP, HostedServer
from ._process import python_module_command


class WerkzeugServer(HostedServer):
    name = "werkzeug"
    interface = "wsgi"
    default_app = RAW_WSGI_APP
    server_modules = ("werkzeug",)
    bench_by_default = False

    def serve_command(self, app: str, host: str, port: int) -> list[str]:
        return python_module_command("suites.adapters.server._werkzeug_main", app, host, str(port))

"""server/nginx: Debian's nginx, one worker, answering /plaintext and /json from its config.

The native reference point: it cannot run the app's /users or /echo logic, so it declares only
the two static routes and is compared on those.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ..adapter import AVAILABLE, Availability
from ._process import ProcessServer

_CONF = """\
daemon off;
master_process off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 4096; multi_accept on; }}
http {{
  {access_log}
  keepalive_requests 10000000;
  keepalive_timeout 65;
  client_body_temp_path {work}/body;
  proxy_temp_path {work}/proxy;
  fastcgi_temp_path {work}/fastcgi;
  uwsgi_temp_path {work}/uwsgi;
  scgi_temp_path {work}/scgi;
  server {{
    listen {host}:{port}{listen_options};
    {server_extra}
    location = /plaintext {{ default_type text/plain; return 200 "Hello, World!"; }}
    location = /json {{ default_type application/json; return 200 '{{"message":"Hello, World!"}}'; }}
    location / {{ return 404; }}
  }}
}}
"""


def nginx_binary() -> str | None:
    """The nginx executable, or None when it is not installed."""
    return shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def config(work: Path, host: str, port: int, *, listen_options: str = "", server_extra: str = "",
           access_log: str = "access_log off;") -> str:
    """The app's nginx config: one worker in the foreground, every path under ``work``,
    /plaintext and /json. ``listen_options`` (e.g. " ssl http2"), ``server_extra`` (e.g. the
    certificate lines) and ``access_log`` let other suites reuse it."""
    return _CONF.format(work=work, host=host, port=port, listen_options=listen_options,
                        server_extra=server_extra, access_log=access_log)


def command(work: Path, conf: Path) -> list[str]:
    """The command line that runs nginx on ``conf`` with ``work`` as its prefix."""
    return [nginx_binary() or "nginx", "-p", str(work), "-c", str(conf), "-e",
            str(work / "error.log")]


class NginxServer(ProcessServer):
    name = "nginx"
    routes = frozenset({"plaintext", "json"})

    @classmethod
    def available(cls) -> Availability:
        if nginx_binary() is None:
            return Availability(False, "nginx is not installed (Debian package nginx-light)")
        return AVAILABLE

    def command(self, host: str, port: int) -> list[str]:
        assert self.workdir is not None
        conf = self.workdir / "nginx.conf"
        conf.write_text(config(self.workdir, host, port))
        return command(self.workdir, conf)

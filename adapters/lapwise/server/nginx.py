"""server/nginx: Debian's nginx, one worker, answering /plaintext and /json from its config.

The native reference point: it cannot run the app's /users or /echo logic, so it declares only
the two static routes and is compared on those.
"""

from __future__ import annotations

import shutil

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
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 65;
  client_body_temp_path {work}/body;
  proxy_temp_path {work}/proxy;
  fastcgi_temp_path {work}/fastcgi;
  uwsgi_temp_path {work}/uwsgi;
  scgi_temp_path {work}/scgi;
  server {{
    listen {host}:{port};
    location = /plaintext {{ default_type text/plain; return 200 "Hello, World!"; }}
    location = /json {{ default_type application/json; return 200 '{{"message":"Hello, World!"}}'; }}
    location / {{ return 404; }}
  }}
}}
"""


class NginxServer(ProcessServer):
    name = "nginx"
    routes = frozenset({"plaintext", "json"})

    @classmethod
    def available(cls) -> Availability:
        if shutil.which("nginx") is None and not shutil.os.path.exists("/usr/sbin/nginx"):
            return Availability(False, "nginx is not installed (Debian package nginx-light)")
        return AVAILABLE

    def command(self, host: str, port: int) -> list[str]:
        assert self.workdir is not None
        conf = self.workdir / "nginx.conf"
        conf.write_text(_CONF.format(work=self.workdir, host=host, port=port))
        return [shutil.which("nginx") or "/usr/sbin/nginx", "-p", str(self.workdir), "-c", str(conf),
                "-e", str(self.workdir / "error.log")]

"""server/h2o: Debian's h2o 2.2, one thread, serving /plaintext and /json as static files.

A second native reference next to nginx. Like nginx it declares only the two static routes.
"""

from __future__ import annotations

import os
import shutil

from ..adapter import AVAILABLE, Availability
from ._process import ProcessServer

_CONF = """\
num-threads: 1
user: {user}
pid-file: {work}/h2o.pid
error-log: {work}/error.log
listen:
  host: {host}
  port: {port}
hosts:
  default:
    paths:
      /plaintext:
        file.file: {work}/plaintext.txt
      /json:
        file.file: {work}/message.json
"""


class H2oServer(ProcessServer):
    name = "h2o"
    routes = frozenset({"plaintext", "json"})

    @classmethod
    def available(cls) -> Availability:
        if shutil.which("h2o") is None:
            return Availability(False, "h2o is not installed (Debian package h2o)")
        return AVAILABLE

    def command(self, host: str, port: int) -> list[str]:
        assert self.workdir is not None
        (self.workdir / "plaintext.txt").write_bytes(b"Hello, World!")
        (self.workdir / "message.json").write_bytes(b'{"message":"Hello, World!"}')
        conf = self.workdir / "h2o.conf"
        user = "root" if os.geteuid() == 0 else os.environ.get("USER", "nobody")
        conf.write_text(_CONF.format(work=self.workdir, host=host, port=port, user=user))
        return [shutil.which("h2o") or "h2o", "-c", str(conf)]

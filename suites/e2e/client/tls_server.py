"""A local HTTPS target for the client suite: a throwaway CA and a server certificate for
127.0.0.1/localhost made with ``openssl``, and Debian's nginx serving /plaintext over TLS with
HTTP/2 offered by ALPN. One child process, stopped by its pid (never by name).

nginx logs ``<tag> <protocol> <status>`` per request (the tag is the ``t`` query parameter), so a
test can check which HTTP version a client actually spoke without the client reporting it.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from suites.adapters.server import nginx
from suites.adapters.server.nginx import nginx_binary
from suites.e2e.client.servers import free_port, stop_child

# nginx's log line per request: which protocol (HTTP/1.1 or HTTP/2.0) each request came over.
_ACCESS_LOG = ("log_format lapwise_tls '$request_uri $server_protocol $status';\n"
               "  access_log {work}/access.log lapwise_tls;")
_TLS = ("ssl_certificate {work}/server.crt;\n"
        "    ssl_certificate_key {work}/server.key;")


def _openssl(*args: str, cwd: Path) -> None:
    out = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed:\n{out.stderr}")


def make_certificates(work: Path) -> Path:
    """Writes ca.crt, server.crt and server.key into ``work`` and returns the CA's path.
    The server certificate is signed by the CA (not self-signed), so verification has a real
    chain to check, and names both IP:127.0.0.1 and DNS:localhost (hostname checks use SANs)."""
    # EC P-256 keys: fast to generate, unlike RSA.
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
             "-subj", "/CN=lapwise test CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=work)
    _openssl("req", "-new", *ec, "-keyout", "server.key", "-out", "server.csr",
             "-subj", "/CN=localhost", cwd=work)
    (work / "server.ext").write_text(
        "basicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "server.ext",
             cwd=work)
    return work / "ca.crt"


class TlsNginx:
    """``with TlsNginx() as s: s.url("/plaintext")``; ``s.ca_file`` is the CA that signed its
    certificate; ``s.protocols(tag)`` the protocols of the logged requests tagged ``tag``."""

    startup_timeout = 20.0

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.work: Path | None = None
        self.ca_file = ""

    def __enter__(self) -> TlsNginx:
        if nginx_binary() is None:
            raise RuntimeError("nginx is not installed (Debian package nginx-light)")
        self.work = Path(tempfile.mkdtemp(prefix="lapwise-tls-"))
        try:
            self.ca_file = str(make_certificates(self.work))
            self.port = free_port()
            conf = self.work / "nginx.conf"
            conf.write_text(nginx.config(self.work, "127.0.0.1", self.port,
                                         listen_options=" ssl http2",
                                         server_extra=_TLS.format(work=self.work),
                                         access_log=_ACCESS_LOG.format(work=self.work)))
            self.proc = subprocess.Popen(nginx.command(self.work, conf), stdout=subprocess.DEVNULL,
                                         stderr=subprocess.STDOUT, cwd=self.work)
            self._wait_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait_ready(self) -> None:
        assert self.proc is not None and self.work is not None
        ctx = ssl.create_default_context(cafile=self.ca_file)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as raw, \
                        ctx.wrap_socket(raw, server_hostname="127.0.0.1") as s:
                    s.sendall(b"GET /plaintext?t=_ready HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                              b"Connection: close\r\n\r\n")
                    if s.recv(64).startswith(b"HTTP/1.1 200"):
                        return
            except (OSError, ssl.SSLError):
                pass
            time.sleep(0.05)
        log = self.work / "error.log"
        raise RuntimeError(f"nginx (TLS) did not come up on 127.0.0.1:{self.port}:\n"
                           f"{log.read_text()[-4000:] if log.exists() else ''}")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            stop_child(self.proc)
            self.proc = None
        if self.work is not None:
            shutil.rmtree(self.work, ignore_errors=True)
            self.work = None

    def url(self, path: str) -> str:
        return f"https://127.0.0.1:{self.port}{path}"

    def protocols(self, tag: str) -> list[str]:
        """The protocol (``HTTP/2.0``, ``HTTP/1.1``) of each logged request whose ``t`` query
        parameter is ``tag``, in log order. nginx writes each line unbuffered at request end."""
        assert self.work is not None
        out = []
        for line in (self.work / "access.log").read_text().splitlines():
            uri, protocol, _status = line.split(" ")
            if parse_qs(urlsplit(uri).query).get("t") == [tag]:
                out.append(protocol)
        return out

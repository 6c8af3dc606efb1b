"""lapwise._proxy_headers: which hop of X-Forwarded-For is the client, which scheme
X-Forwarded-Proto gives, and that only a trusted peer is believed; through lapwise.asgi and
lapwise.wsgi servers on 127.0.0.1."""

from __future__ import annotations

import http.client
import json

import pytest

from lapwise import _native_status
from lapwise._proxy_headers import Trusted

CLIENT_CASES = [
    # (trusted, X-Forwarded-For, the client)
    ("127.0.0.1", "203.0.113.7", "203.0.113.7"),
    ("127.0.0.1", "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the left hop may be forged
    ("127.0.0.1, 10.0.0.0/8", "198.51.100.1, 203.0.113.7, 10.1.2.3", "203.0.113.7"),  # skips trusted hops
    ("10.0.0.0/8", "10.0.0.2, 10.0.0.1", "10.0.0.2"),  # every hop trusted: the leftmost
    ("*", "198.51.100.1, 203.0.113.7", "198.51.100.1"),
    ("127.0.0.1", "2001:db8::1", "2001:db8::1"),
    ("::1, 127.0.0.1", "unknown, 203.0.113.9", "203.0.113.9"),
    ("127.0.0.1", " , ", None),
]


@pytest.mark.parametrize("trusted,forwarded_for,client", CLIENT_CASES)
def test_the_client_is_the_rightmost_untrusted_hop(trusted, forwarded_for, client):
    assert Trusted(trusted).client(forwarded_for) == client


@pytest.mark.parametrize("spec,host,believed", [
    ("127.0.0.1", "127.0.0.1", True), ("127.0.0.1", "127.0.0.2", False), ("10.0.0.0/8", "10.200.0.1", True),
    ("*", "192.0.2.1", True), ("::1", "::1", True), ("127.0.0.1", "not-an-address", False), ("", "127.0.0.1", False),
])
def test_trusted_peers(spec, host, believed):
    assert (host in Trusted(spec)) is believed


def test_a_bad_network_is_refused_by_name():
    with pytest.raises(ValueError, match="'10.0.0.0/33' is not an address or a network"):
        Trusted("127.0.0.1, 10.0.0.0/33")


if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

from lapwise import asgi, wsgi  # noqa: E402


async def asgi_echo(scope, receive, send):
    if scope["type"] != "http":
        return
    body = json.dumps({"client": scope["client"][0], "port": scope["client"][1], "scheme": scope["scheme"]})
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body.encode()})


def wsgi_echo(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json")])
    port = environ.get("REMOTE_PORT")
    return [json.dumps({"client": environ["REMOTE_ADDR"], "port": int(port) if port else 0,
                        "scheme": environ["wsgi.url_scheme"]}).encode()]


SERVERS = {"asgi": lambda allow: asgi.serve(asgi_echo, port=0, lifespan_timeout=2, proxy_headers=True,
                                            forwarded_allow_ips=allow),
           "wsgi": lambda allow: wsgi.serve(wsgi_echo, port=0, proxy_headers=True, forwarded_allow_ips=allow)}


def seen(srv, headers):
    conn = http.client.HTTPConnection(srv.host, srv.port, timeout=10)
    try:
        conn.putrequest("GET", "/")
        for name, value in headers:
            conn.putheader(name, value)
        conn.endheaders()
        res = conn.getresponse()
        assert res.status == 200
        return json.loads(res.read())
    finally:
        conn.close()


@pytest.mark.parametrize("kind", list(SERVERS))
def test_a_trusted_proxy_is_believed(kind):
    with SERVERS[kind]("127.0.0.1") as srv:
        got = seen(srv, [("X-Forwarded-For", "198.51.100.1"), ("X-Forwarded-For", "203.0.113.7"),
                         ("X-Forwarded-Proto", "https")])
        assert got == {"client": "203.0.113.7", "port": 0, "scheme": "https"}
        got = seen(srv, [("X-Forwarded-Proto", "gopher")])  # not a scheme: the connection's
        assert got["scheme"] == "http" and got["client"] == "127.0.0.1" and got["port"] > 0


@pytest.mark.parametrize("kind", list(SERVERS))
def test_an_untrusted_peer_is_not(kind):
    with SERVERS[kind]("10.0.0.0/8") as srv:
        got = seen(srv, [("X-Forwarded-For", "203.0.113.7"), ("X-Forwarded-Proto", "https")])
        assert got["client"] == "127.0.0.1" and got["scheme"] == "http" and got["port"] > 0


def test_off_by_default():
    with asgi.serve(asgi_echo, port=0, lifespan_timeout=2) as srv:
        got = seen(srv, [("X-Forwarded-For", "203.0.113.7"), ("X-Forwarded-Proto", "https")])
        assert got["client"] == "127.0.0.1" and got["scheme"] == "http"

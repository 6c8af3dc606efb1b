"""HEAD through lapwise.asgi and lapwise.wsgi: the head alone, with the Content-Length a GET
would have had, whichever way the app answers HEAD (the whole body, a declared length and no
body, or neither); a pipelined GET after it is read from the right place."""

from __future__ import annotations


import pytest

from lapwise import _native_status

if _native_status.error() is not None or not hasattr(_native_status.module(), "Server"):
    pytest.skip("lapwise._native with the server core is not built", allow_module_level=True)

from http_fetch import raw_exchange  # noqa: E402
from lapwise import asgi, wsgi  # noqa: E402

BODY = b"seventeen bytes!!"
WAYS = {"/whole": "the body, as for GET", "/declared": "Content-Length, no body",
        "/bare": "no length, no body"}


def _answer(method: str, path: str) -> tuple[list[tuple[str, str]], bytes]:
    if method != "HEAD" or path == "/whole":
        return [("content-type", "text/plain")], BODY
    if path == "/declared":
        return [("content-type", "text/plain"), ("content-length", str(len(BODY)))], b""
    return [("content-type", "text/plain")], b""


async def asgi_app(scope, receive, send):
    if scope["type"] != "http":
        return
    headers, body = _answer(scope["method"], scope["path"])
    await send({"type": "http.response.start", "status": 200,
                "headers": [(n.encode(), v.encode()) for n, v in headers]})
    await send({"type": "http.response.body", "body": body})


def wsgi_app(environ, start_response):
    headers, body = _answer(environ["REQUEST_METHOD"], environ["PATH_INFO"])
    start_response("200 OK", headers)
    return [body]


@pytest.fixture(scope="module", params=["asgi", "wsgi"])
def server(request):
    srv = asgi.serve(asgi_app, port=0) if request.param == "asgi" else wsgi.serve(wsgi_app, port=0)
    yield srv
    srv.stop()


def _length(head: bytes) -> str | None:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return value.strip().decode()
    return None


@pytest.mark.parametrize("path", sorted(WAYS))
def test_head_is_the_head_alone_with_gets_length(server, path):
    data = raw_exchange(server, f"HEAD {path} HTTP/1.1\r\nHost: a\r\n\r\n"
                                f"GET {path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".encode())
    head, _, rest = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), data
    # The GET's answer starts right after the HEAD's head: no body bytes came between.
    assert rest.startswith(b"HTTP/1.1 200"), (WAYS[path], data)
    get_head, _, get_body = rest.partition(b"\r\n\r\n")
    assert get_body == BODY and _length(get_head) == str(len(BODY))
    expected = "0" if path == "/bare" else str(len(BODY))  # an app that says nothing: its empty body
    assert _length(head) == expected, (WAYS[path], head)

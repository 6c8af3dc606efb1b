"""The hosting corpus: raw requests replayed against every server x app of the hosted surface
(suites/adapters/server/apps/hosted_surface.py). lapwise's answer is checked against ``expect``;
every peer's normalised answer must equal lapwise's for the same app unless
hosting_differences.py records why not.

A case is a list of byte chunks and pauses written to one connection, the request methods whose
final answers are read back, and optionally a follow-up request on a fresh connection (what the
server does next, after a client vanished).
"""

from __future__ import annotations

from dataclasses import dataclass, field

HOST = "Host: hosting.test"
BOUNDARY = "lapwiseBoundary7MA4YWxk"
LIMIT = 8 << 20  # lapwise's default max_body


@dataclass(frozen=True)
class HostingCase:
    name: str
    chunks: tuple[bytes | float, ...]
    methods: tuple[str, ...]
    expect: tuple[int, ...]                  # lapwise's statuses, in order (1xx included)
    apps: frozenset[str] = frozenset({"starlette-app", "fastapi-app", "flask-app"})
    by_app: dict[str, tuple[int, ...]] = field(default_factory=dict)  # expect where an app answers otherwise
    server_answer: bool = False              # answered by the server, not the app: compare statuses only
    expect_interim: bool = False             # a pause may end at a 100 Continue
    then: bytes | None = None                # a follow-up request on a new connection (after a hang-up)
    hang_up: str = ""                         # "read": read a little of the answer, then close; "now": close

    def expected(self, app: str) -> tuple[int, ...]:
        return self.by_app.get(app, self.expect)


def req(method: str, target: str, *headers: str, body: bytes = b"", length: bool | None = None,
        version: str = "HTTP/1.1", host: bool = True) -> bytes:
    lines = [f"{method} {target} {version}", *([HOST] if host else []), *headers]
    chunked_framing = any(h.lower().startswith("transfer-encoding:") for h in headers)
    if length or (length is None and body and not chunked_framing):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def chunked(*parts: bytes, tail: bytes = b"0\r\n\r\n") -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + tail


def multipart(fields: dict[str, str], file: tuple[str, bytes] | None) -> bytes:
    out = bytearray()
    for name, value in fields.items():
        out += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").encode()
    if file is not None:
        out += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"{file[0]}\"\r\n"
                "Content-Type: application/octet-stream\r\n\r\n").encode() + file[1] + b"\r\n"
    return bytes(out + f"--{BOUNDARY}--\r\n".encode())


def one(name: str, raw: bytes, *expect: int, method: str = "GET", **kw) -> HostingCase:
    return HostingCase(name, (raw,), (method,), tuple(expect), **kw)


def _g(target: str, *headers: str) -> bytes:
    return req("GET", target, *headers)


_MULTI = f"Content-Type: multipart/form-data; boundary={BOUNDARY}"
_FORM = "Content-Type: application/x-www-form-urlencoded"
_JSON = "Content-Type: application/json"
_BIN = bytes(range(256)) * 8
_BIG = LIMIT + (1 << 20)
_UPLOAD = b"line\n" * 2000

# Apps answering a route with another status than the Starlette app, by design of the framework.
_NOT_INT_FASTAPI = {"fastapi-app": (422,)}    # FastAPI validates path params itself: 422, not 404
_FLASK_OPTIONS = {"flask-app": (200,)}        # Flask answers OPTIONS for every route (Allow)
_FLASK_RANGE = {"flask-app": (206,)}          # send_file answers Range; Starlette 0.26's FileResponse does not
_FLASK_416 = {"flask-app": (416,)}

CASES: list[HostingCase] = [
    # the app's routes
    one("plaintext", _g("/plaintext"), 200),
    one("json", _g("/json"), 200),
    one("users_int", _g("/users/42"), 200),
    one("users_query_utf8", _g("/users/7?q=caf%C3%A9&x=1"), 200),
    one("users_not_int", _g("/users/x"), 404, by_app=_NOT_INT_FASTAPI),
    one("items_query_and_dependency", _g("/items/5?q=abc", "X-Token: t0k"), 200),
    one("items_query_too_long", _g("/items/5?q=toolong"), 422),
    one("items_id_not_int", _g("/items/five"), 404, by_app=_NOT_INT_FASTAPI),
    one("items_body_model", req("POST", "/items", _JSON, body=b'{"name":"pen","price":1.5,"tags":["a","b"]}'),
        200, method="POST"),
    one("items_body_invalid", req("POST", "/items", _JSON, body=b'{"name":1}'), 422, method="POST"),
    one("items_body_not_json", req("POST", "/items", _JSON, body=b'{"name":'), 422, method="POST",
        by_app={"fastapi-app": (422,)}),
    one("echo_binary", req("POST", "/echo", body=_BIN), 200, method="POST"),
    one("echo_json", req("POST", "/echo", _JSON, body=b'{"a":[1,2,3]}'), 200, method="POST"),
    one("echo_empty", req("POST", "/echo", body=b"", length=True), 200, method="POST"),
    one("teapot_error_handler", _g("/teapot"), 418),
    one("not_found", _g("/no/such/route"), 404),
    one("method_not_allowed", req("DELETE", "/json"), 405, method="DELETE"),
    one("options_route", req("OPTIONS", "/json"), 405, method="OPTIONS", by_app=_FLASK_OPTIONS),
    # query strings
    one("query_repeated_keys", _g("/query?k=a&k=b&k=c"), 200),
    one("query_blank_plus_encoded", _g("/query?k=&k=a+b&k=%2B%26"), 200),
    one("query_encoded_key", _g("/query?%6B=x&k=y"), 200),
    one("query_key_without_value", _g("/query?k&x=1"), 200),
    one("query_utf8_value", _g("/query?k=%E2%82%AC%20%F0%9F%98%80"), 200),
    one("query_invalid_percent", _g("/query?k=%zz&k=%e2%82"), 200),
    # paths
    one("path_percent_utf8", _g("/names/caf%C3%A9"), 200),
    one("path_raw_utf8", "GET /names/café HTTP/1.1\r\nHost: hosting.test\r\n\r\n".encode(), 400,
        server_answer=True),
    one("path_percent_space", _g("/names/a%20b"), 200),
    one("path_percent_slash", _g("/names/a%2Fb"), 404),
    one("path_dot_segments", _g("/names/../json"), 404),
    one("path_absolute_form", req("GET", "http://hosting.test/json"), 200),
    # cookies
    one("cookie_none", _g("/cookies"), 200),
    one("cookie_session", _g("/cookies", "Cookie: session=abc"), 200),
    one("cookie_several", _g("/cookies", "Cookie: a=1; session=xyz; b=2"), 200),
    one("cookie_quoted", _g("/cookies", 'Cookie: session="q v"'), 200),
    # forms and uploads
    one("form_urlencoded", req("POST", "/form", _FORM, body=b"title=hello+world&note=caf%C3%A9"), 200, method="POST"),
    one("form_multipart_file", req("POST", "/form", _MULTI, body=multipart({"title": "report"}, ("a.bin", _BIN))),
        200, method="POST"),
    one("form_multipart_text_file", req("POST", "/form", _MULTI, body=multipart({}, ("notes.txt", _UPLOAD))),
        200, method="POST"),
    # request bodies and framing
    one("size_content_length", req("POST", "/size", body=b"x" * 100_000), 200, method="POST"),
    one("chunked_upload", req("POST", "/size", "Transfer-Encoding: chunked",
                              body=chunked(b"a" * 1000, b"b" * 3000, b"c")), 200, method="POST"),
    one("chunked_extensions", req("POST", "/size", "Transfer-Encoding: chunked",
                                  body=b"5;name=v\r\nhello\r\n3;q=\"x y\"\r\nabc\r\n0\r\n\r\n"), 200, method="POST"),
    one("chunked_trailers", req("POST", "/size", "Transfer-Encoding: chunked",
                                body=chunked(b"abc", tail=b"0\r\nX-Checksum: 1\r\n\r\n")), 200, method="POST"),
    one("chunked_one_byte_chunks", req("POST", "/echo", "Transfer-Encoding: chunked",
                                       body=chunked(*[bytes([65 + i % 26]) for i in range(300)])), 200, method="POST"),
    HostingCase("chunked_upload_in_pieces", (req("POST", "/echo", "Transfer-Encoding: chunked"), 0.05,
                                             b"4\r\nwiki\r\n", 0.05, b"5\r\npedia\r\n", 0.05, b"0\r\n\r\n"),
                ("POST",), (200,)),
    HostingCase("expect_100_continue", (req("POST", "/size", "Expect: 100-continue", "Content-Length: 5000"), 1.0,
                                        b"z" * 5000), ("POST",), (100, 200), expect_interim=True),
    one("body_over_limit", req("POST", "/size", body=b"o" * _BIG), 413, method="POST", server_answer=True),
    one("chunked_over_limit", req("POST", "/size", "Transfer-Encoding: chunked",
                                  body=chunked(*[b"p" * (1 << 20)] * 9)), 413, method="POST", server_answer=True),
    # HEAD and streaming
    one("head_plaintext", req("HEAD", "/plaintext"), 200, method="HEAD", by_app={"fastapi-app": (405,)}),
    one("head_static", req("HEAD", "/static/lines.txt"), 200, method="HEAD"),
    one("stream_small", _g("/stream?n=3"), 200),
    one("stream_large", _g("/stream?n=5000"), 200),
    one("stream_empty", _g("/stream?n=0"), 200),
    # static files
    one("static_file", _g("/static/lines.txt"), 200),
    one("static_range", _g("/static/lines.txt", "Range: bytes=32-63"), 200, by_app=_FLASK_RANGE),
    one("static_range_suffix", _g("/static/lines.txt", "Range: bytes=-32"), 200, by_app=_FLASK_RANGE),
    one("static_range_unsatisfiable", _g("/static/lines.txt", "Range: bytes=9000-"), 200, by_app=_FLASK_416),
    one("static_not_modified", _g("/static/lines.txt", "If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT"), 304),
    one("static_missing", _g("/static/none.txt"), 404),
    one("static_encoded_traversal", _g("/static/%2e%2e/flask_app.py"), 404),
    # connections
    HostingCase("keep_alive_sequential", (_g("/plaintext"), 0.05, _g("/json"), 0.05, _g("/users/1")),
                ("GET", "GET", "GET"), (200, 200, 200)),
    HostingCase("pipelined_three", (_g("/plaintext") + _g("/json") + _g("/users/3?q=p"),), ("GET",) * 3, (200,) * 3),
    HostingCase("pipelined_post_then_get", (req("POST", "/echo", body=b"first") + _g("/json"),),
                ("POST", "GET"), (200, 200)),
    HostingCase("pipelined_head_then_get", (req("HEAD", "/static/lines.txt") + _g("/plaintext"),),
                ("HEAD", "GET"), (200, 200)),
    one("http10_request", req("GET", "/json", version="HTTP/1.0", host=False), 200),
    HostingCase("http10_keep_alive", (req("GET", "/json", "Connection: keep-alive", version="HTTP/1.0") * 2,),
                ("GET", "GET"), (200, 200)),
    one("connection_close", _g("/json", "Connection: close"), 200),
    HostingCase("hang_up_mid_stream", (_g("/stream?n=10000"), 0.05), (), (200,), hang_up="read", then=_g("/plaintext")),
    HostingCase("hang_up_mid_upload", (req("POST", "/size", "Content-Length: 100000") + b"u" * 1000, 0.05), (), (200,),
                hang_up="now", then=_g("/plaintext")),
    # bad requests (answered by the server)
    one("bad_header_name", _g("/json", "Bad Header: x"), 400, server_answer=True),
    one("bad_chunk_size", req("POST", "/size", "Transfer-Encoding: chunked", body=b"zz\r\nabc\r\n0\r\n\r\n"), 400,
        method="POST", server_answer=True),
    one("conflicting_content_length", req("POST", "/size", "Content-Length: 1", "Content-Length: 2", body=b"ab",
                                          length=False), 400, method="POST", server_answer=True),
    one("missing_host", req("GET", "/json", host=False), 400, server_answer=True),
    one("unsupported_version", req("GET", "/json", version="HTTP/9.9"), 505, server_answer=True),
    one("header_too_large", _g("/json", "X-Big: " + "h" * 70_000), 431, server_answer=True),
]

# One app only: Flask's signed session cookie (its value is normalised away: it holds a
# timestamp); FastAPI's plain-def dependency, run on a worker thread.
ONE_APP = [
    one("session_new", _g("/session"), 200, apps=frozenset({"flask-app"})),
    one("sync_dependency", _g("/items/7/owner", "X-Token: AbC"), 200, apps=frozenset({"fastapi-app"})),
]

ALL_CASES = CASES + ONE_APP

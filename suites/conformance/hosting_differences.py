"""Where a peer's normalised answer differs from lapwise's for the same app, by design or by a
known quirk of that peer, with the reason. test_hosting.py fails on a difference missing here
and on a record here that no longer differs.

Keys: (case, server, app), app "*" for every app the case runs on.
"""

from __future__ import annotations

ASGI_PEERS = ("uvicorn", "uvicorn-h11", "hypercorn", "hypercorn-trio", "daphne")
WSGI_PEERS = ("gunicorn-sync", "gunicorn-gthread", "werkzeug")
H11_BASED = ("uvicorn-h11", "hypercorn", "hypercorn-trio")

NO_BODY_LIMIT = "no request body limit by default (lapwise: max_body 8 MiB -> 413)"
ANY_VERSION = "accepts any HTTP/d.d version (lapwise: 505 for a version it does not speak)"
NO_HOST_CHECK = "does not require Host in HTTP/1.1 (RFC 9112 3.2: a server must answer 400)"
SPACE_IN_NAME = "accepts a space inside a header name (RFC 9110 5.1: a name is a token)"
ABSOLUTE_FORM = ("h11 leaves an absolute-form target (http://host/path) in scope path, so the app 404s; "
                 "RFC 9112 3.2.2: a server must accept it")
NO_10_KEEP_ALIVE = "no HTTP/1.0 keep-alive: answers the first request and closes"
HYPERCORN_KEEP_ALIVE = "hypercorn 0.13.2 (asyncio) closes after a response sent before it read the request's end"
ONE_PER_CONNECTION = "one request per connection by design (answers with Connection: close)"
NO_PIPELINING = "gthread reads one request per readable event: pipelined requests after the first wait unread"
BIG_HEADER_400 = "answers an over-long header section 400, not 431"
BIG_HEADER_OK = "accepts a 70 KB header section (lapwise: 64 KB limit -> 431)"
BIG_HEADER_DROP = "closes without an answer on a 70 KB header section"
RAW_UTF8 = "accepts raw bytes above 0x7E in the target (RFC 9112: the target is ASCII; lapwise 400)"
BAD_CHUNK_500 = "passes a bad chunk size to the app, whose read fails: 500 instead of 400"


def _each(cases: tuple[str, ...], servers: tuple[str, ...], reason: str, app: str = "*") -> dict:
    return {(c, s, app): reason for c in cases for s in servers}


DIFFERENCES: dict[tuple[str, str, str], str] = {
    **_each(("body_over_limit", "chunked_over_limit"), ASGI_PEERS + WSGI_PEERS, NO_BODY_LIMIT),
    **_each(("unsupported_version",), ASGI_PEERS + WSGI_PEERS, ANY_VERSION),
    **_each(("unsupported_version",), ("werkzeug",), "closes without an answer on HTTP/9.9"),
    **_each(("missing_host",), ("uvicorn", "daphne") + WSGI_PEERS, NO_HOST_CHECK),
    **_each(("bad_header_name",), ("uvicorn", "daphne", "werkzeug"), SPACE_IN_NAME),
    **_each(("path_absolute_form",), H11_BASED, ABSOLUTE_FORM),
    ("path_absolute_form", "daphne", "*"): ABSOLUTE_FORM.replace("h11", "Twisted"),
    **_each(("http10_keep_alive",), ("uvicorn", "hypercorn", "daphne"), NO_10_KEEP_ALIVE),
    ("http10_keep_alive", "uvicorn-h11", "*"): "h11 answers a pipelined pair of HTTP/1.0 keep-alive requests with 400",
    ("http10_keep_alive", "hypercorn-trio", "*"): "closes without an answer on a pipelined pair of HTTP/1.0 "
                                                  "keep-alive requests",
    **_each(("keep_alive_sequential", "pipelined_three"), ("hypercorn",), HYPERCORN_KEEP_ALIVE),
    **_each(("keep_alive_sequential", "pipelined_three", "pipelined_post_then_get", "pipelined_head_then_get",
             "http10_keep_alive"), ("gunicorn-sync", "werkzeug"), ONE_PER_CONNECTION),
    **_each(("pipelined_three", "pipelined_post_then_get", "pipelined_head_then_get", "http10_keep_alive"),
            ("gunicorn-gthread",), NO_PIPELINING),
    **_each(("header_too_large",), ("hypercorn", "hypercorn-trio", "gunicorn-sync", "gunicorn-gthread"),
            BIG_HEADER_400),
    **_each(("header_too_large",), ("uvicorn", "uvicorn-h11"), BIG_HEADER_OK),
    **_each(("header_too_large",), ("daphne",), BIG_HEADER_DROP),
    **_each(("path_raw_utf8",), WSGI_PEERS, RAW_UTF8),
    **_each(("bad_chunk_size",), WSGI_PEERS, BAD_CHUNK_500),
    ("chunked_extensions", "werkzeug", "flask-app"): "Werkzeug's dechunker fails on chunk extensions: 500",
    ("chunked_trailers", "werkzeug", "flask-app"): "Werkzeug's dechunker fails on trailer fields: 500",
    ("expect_100_continue", "werkzeug", "flask-app"): "sends 100 Continue twice (server and request reader)",
    ("conflicting_content_length", "werkzeug", "flask-app"): "takes one of two differing Content-Length values "
                                                             "(RFC 9112 6.3: must be rejected)",
}

# Cases where lapwise's own answer is not yet the one intended (a feature another part of the
# product is adding): peers are not compared on them until it lands. (case, app) -> (reason, a
# peer that answers as intended: the record is stale once lapwise answers like it).
PENDING: dict[tuple[str, str], tuple[str, str]] = {}

# What each ASGI server does when the app's lifespan startup fails, when not "exits with the
# app's error"; the text before ":" is the behaviour, after it the reason.
LIFESPAN: dict[str, str] = {
    "daphne": "keeps serving: daphne 4 does not run the lifespan protocol, so the app is never started",
}

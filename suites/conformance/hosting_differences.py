"""Where a peer's normalised answer differs from lapwise's for the same app, by design or by a
known quirk of that peer, with the reason. test_hosting.py fails on a difference missing here
and on a record here that no longer differs.

Keys: (case, server, app), app "*" for every app the case runs on.
"""

from __future__ import annotations

DIFFERENCES: dict[tuple[str, str, str], str] = {
}

# Cases where lapwise's own answer is not yet the one intended (a feature another part of the
# product is adding): peers are not compared on them until it lands. (case, app) -> reason.
PENDING: dict[tuple[str, str], str] = {
    ("http10_keep_alive", "flask"): "lapwise-wsgi drops the app's Content-Length when the iterable is not a list "
                                    "(Flask's never is) and streams the body, so an HTTP/1.0 keep-alive answer must "
                                    "close; the peers keep the connection (pending Content-Length pass-through)",
}

# What each ASGI server does when the app's lifespan startup fails, when not "exits with the
# app's error"; the text before ":" is the behaviour, after it the reason.
LIFESPAN: dict[str, str] = {
}

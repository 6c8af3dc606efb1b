"""``lapwise.redirect(location, status=302)``: the answer that sends the client elsewhere, as
Flask's ``redirect`` (Werkzeug's) makes it.

- ``status``: 301, 302 (the default, as Flask's), 303, 307 or 308 (Starlette's
  ``RedirectResponse`` defaults to 307: pass ``status=307`` for its behaviour). 307 and 308
  tell the client to repeat the method and body; 301 and 302 let it turn a POST into a GET;
  303 asks for a GET.
- ``location`` is sent as given, relative or absolute, as Flask (since Werkzeug 2.1) and
  Starlette send it: RFC 9110 section 10.2.2 lets the client resolve a relative reference
  against the URL it asked for, and every browser and HTTP client does. Characters a URL
  may not hold (non-ASCII, spaces, ...) are percent-encoded; escapes already there are kept.
- The body is a short HTML page with a link to the location (Flask's), for clients that do not
  follow redirects.
"""

from __future__ import annotations

import html
from urllib.parse import quote

from ._app_response import Response

REDIRECT_STATUSES = (301, 302, 303, 307, 308)

# RFC 3986's reserved and unreserved characters and '%': only what a URL may not hold is encoded.
_URL_SAFE = ":/?#[]@!$&'()*+,;=-._~%"


def redirect(location: str, status: int = 302) -> Response:
    """A ``Response`` that redirects to ``location`` with ``status`` (see the module doc);
    ValueError for another status. Headers may be added to it (``add_header``, cookies)."""
    if status not in REDIRECT_STATUSES:
        raise ValueError(f"a redirect status is one of {REDIRECT_STATUSES}, not {status!r}")
    target = quote(location, safe=_URL_SAFE)
    link = html.escape(target)
    page = ("<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n"
            f'<p>You should be redirected to <a href="{link}">{link}</a>.</p>\n')
    return Response(status, [("Location", target), ("Content-Type", "text/html; charset=utf-8")], page)

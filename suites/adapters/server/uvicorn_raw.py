"""server/uvicorn-raw: uvicorn (httptools + uvloop) with the raw ASGI app as its default, no
framework: a second uvicorn stack for the end-to-end server benchmark, which runs each adapter
on its default app. The hosting suites name the server ``uvicorn`` and give it the app."""

from ._hosted import RAW_ASGI_APP
from .uvicorn import UvicornServer


class UvicornRawServer(UvicornServer):
    name = "uvicorn-raw"
    default_app = RAW_ASGI_APP

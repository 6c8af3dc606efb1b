"""websocket/uvicorn-wsproto: uvicorn with the `wsproto` protocol implementation."""

from ._uvicorn_ws import UvicornEcho


class UvicornWsproto(UvicornEcho):
    name = "uvicorn-wsproto"
    ws_impl = "wsproto"

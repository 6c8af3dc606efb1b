"""websocket/uvicorn-websockets: uvicorn with the `websockets` protocol implementation."""

from ._uvicorn_ws import UvicornEcho


class UvicornWebsockets(UvicornEcho):
    name = "uvicorn-websockets"
    ws_impl = "websockets"

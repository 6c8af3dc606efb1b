"""websocket/lapwise-asgi: the raw ASGI echo served by lapwise.asgi (``websocket`` scope)."""

from ._lapwise_python import LapwisePythonEcho


class LapwiseAsgiEcho(LapwisePythonEcho):
    name = "lapwise-asgi"
    app_module = "ws_lapwise_asgi"
    needs = "lapwise._asgi_websocket"

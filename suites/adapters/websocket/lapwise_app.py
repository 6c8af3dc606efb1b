"""websocket/lapwise-app: ``@app.websocket`` on lapwise.App (the App's asyncio loop)."""

from ._lapwise_python import LapwisePythonEcho


class LapwiseAppEcho(LapwisePythonEcho):
    name = "lapwise-app"
    app_module = "ws_lapwise_app"
    needs = "lapwise._app_websocket"

"""websocket/lapwise-core: the server core's own echo (lapwise-ws-echo, epoll transport)."""

from __future__ import annotations

from ..adapter import AVAILABLE, Availability
from ._ws_process import WebSocketProcess, built_tool
from .base import MAX_MESSAGE


class LapwiseCoreEcho(WebSocketProcess):
    name = "lapwise-core"
    io = "epoll"

    @classmethod
    def available(cls) -> Availability:
        if built_tool("lapwise-ws-echo", "LAPWISE_WS_ECHO_BIN") is None:
            return Availability(False, "lapwise-ws-echo is not built "
                                "(cmake --build <build> --target lapwise-ws-echo)")
        return AVAILABLE

    def command(self, host: str, port: int) -> list[str]:
        tool = built_tool("lapwise-ws-echo", "LAPWISE_WS_ECHO_BIN")
        assert tool is not None
        ping = ([] if self.keepalive is None else
                ["--ping-interval", str(int(self.keepalive[0] * 1000)),
                 "--ping-timeout", str(int(self.keepalive[1] * 1000))])
        return [str(tool), "--port", str(port), "--io", self.io, "--max-message", str(MAX_MESSAGE), *ping]

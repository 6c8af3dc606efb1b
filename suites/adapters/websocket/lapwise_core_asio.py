"""websocket/lapwise-core-asio: the server core's echo on the Asio transport (conformance only:
the timed figures are the epoll transport's)."""

from typing import ClassVar

from .lapwise_core import LapwiseCoreEcho


class LapwiseCoreAsioEcho(LapwiseCoreEcho):
    name = "lapwise-core-asio"
    io = "asio"
    timed: ClassVar[bool] = False

"""server/native-const: lapwise's server core with /plaintext and /json pre-rendered in C++
(apps/native_const.py); /users and /echo run Python handlers. The server process inherits
$LAPWISE_SERVER_IO (epoll, the default, or asio): the transport under test."""

from __future__ import annotations

from ..adapter import Availability
from ._process import ProcessServer, python_module_command
from .native_py import native_server_available


class NativeConstServer(ProcessServer):
    name = "native-const"
    # The server core's sans-IO session alone, fed a pipelined stream in-process with no socket
    # (the instruction gate, suites/gate/drivers/server_instr.cc): the part of this adapter that
    # is all C++, as the other kinds' native adapters are.
    record_variants = ("native",)

    @classmethod
    def available(cls) -> Availability:
        return native_server_available()

    def command(self, host: str, port: int) -> list[str]:
        return python_module_command("suites.adapters.server.apps.native_const", host, str(port))

"""server/native-py: lapwise's server core with a Python handler for every route of the app
spec (apps/native_py.py), JSON serialized per request by the native JSON core. The server
process inherits $LAPWISE_SERVER_IO (epoll, the default, or asio): the transport under test."""

from __future__ import annotations

from ..adapter import AVAILABLE, Availability, requires_native
from ._process import ProcessServer, python_module_command


def native_server_available() -> Availability:
    """Available when lapwise._native is built with the server core (shared with
    server/native-const)."""
    if not (ok := requires_native()):
        return ok
    from lapwise import _native_status

    if not hasattr(_native_status.module(), "Server"):
        return Availability(False, "lapwise._native was built without the server core")
    return AVAILABLE


class NativePyServer(ProcessServer):
    name = "native-py"

    @classmethod
    def available(cls) -> Availability:
        return native_server_available()

    def command(self, host: str, port: int) -> list[str]:
        return python_module_command("suites.adapters.server.apps.native_py", host, str(port))

"""server/py-asyncio-native: the same asyncio server as server/py-asyncio with each step swapped
for lapwise's C++ core through its Python adapter (parser/native, router/native, query/native,
json/native): the end-to-end counterpart of the lap table's native-py family. Compare it with
server/native-py (lapwise.App), where the whole request path is C++ and only the handler is
Python."""

from ..adapter import requires_native
from ._process import ProcessServer, python_module_command


class PyAsyncioNativeServer(ProcessServer):
    name = "py-asyncio-native"

    @classmethod
    def available(cls):
        return requires_native()

    def command(self, host: str, port: int) -> list[str]:
        return python_module_command("suites.adapters.server.apps.pyasync_server", host, str(port),
                                     "--steps", "native")

"""server/py-asyncio: the pure-Python asyncio server of apps/pyasync_server.py."""

from ._process import ProcessServer, python_module_command


class PyAsyncioServer(ProcessServer):
    name = "py-asyncio"

    def command(self, host: str, port: int) -> list[str]:
        return python_module_command("lapwise.server.apps.pyasync_server", host, str(port))

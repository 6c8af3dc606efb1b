"""server/py-asyncio: the pure-Python asyncio server of apps/pyasync_server.py, which runs the
py-baseline lap family's steps (parser/py-baseline, router/py-trie, query/urllib, json/stdlib),
so it is that family's end-to-end counterpart in the report's reconciliation."""

from ._process import ProcessServer, python_module_command


class PyAsyncioServer(ProcessServer):
    name = "py-asyncio"

    def command(self, host: str, port: int) -> list[str]:
        return python_module_command("suites.adapters.server.apps.pyasync_server", host, str(port))

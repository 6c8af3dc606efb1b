"""server/aiohttp: aiohttp.web's own server (its C HTTP parser) on asyncio."""

from ..adapter import requires_module
from ._process import ProcessServer, python_module_command


class AiohttpServer(ProcessServer):
    name = "aiohttp"

    @classmethod
    def available(cls):
        return requires_module("aiohttp")

    def command(self, host: str, port: int) -> list[str]:
        return python_module_command("suites.adapters.server.apps.aiohttp_app", host, str(port))

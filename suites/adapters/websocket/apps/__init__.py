"""The echo apps the peer WebSocket servers run (one per interface: raw ASGI, aiohttp)."""

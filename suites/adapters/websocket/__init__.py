"""WebSocket echo servers (kind ``websocket``): one module per server, base.py the interface."""

"""The WebSocket suite: conformance table (ws_conformance) and echo benchmark (ws_echo_bench)."""

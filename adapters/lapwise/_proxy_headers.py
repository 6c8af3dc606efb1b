"""Behind a reverse proxy: the client's address and scheme from ``X-Forwarded-For`` and
``X-Forwarded-Proto``, believed only when the connection comes from a trusted proxy.

    trusted = Trusted("127.0.0.1, 10.0.0.0/8")       # or "*": every peer
    app = asgi_proxy_headers(app, trusted)            # scope["client"], scope["scheme"]
    app = wsgi_proxy_headers(app, trusted)            # REMOTE_ADDR, wsgi.url_scheme

The client is the rightmost address of ``X-Forwarded-For`` that is not a trusted proxy (each
proxy appends the address it saw, so what lies left of the first untrusted hop may be forged
by the client), or the leftmost when every hop is trusted; its port is unknown (0). The scheme
is the rightmost ``X-Forwarded-Proto`` value, taken when it is http or https (ws or wss for
a WebSocket). A request from an untrusted peer keeps its connection's values, headers and all.
Opt-in (``proxy_headers=True`` on ``lapwise.asgi.serve`` / ``lapwise.wsgi.serve``, or
``--proxy-headers`` on the command line): a server reached directly must not believe them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Trusted:
    """The proxies whose forwarded headers are believed: addresses and networks, or "*"."""

    def __init__(self, spec: str | Iterable[str]) -> None:
        items = [s.strip() for s in (spec.split(",") if isinstance(spec, str) else spec)]
        items = [s for s in items if s]
        self.everyone = "*" in items
        self._networks: list[_Network] = []
        for item in items:
            if item == "*":
                continue
            try:
                self._networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(f"forwarded_allow_ips: {item!r} is not an address or a network") from None
        self._known: dict[str, bool] = {}  # host -> trusted, for the peers seen

    def __contains__(self, host: str) -> bool:
        if self.everyone:
            return True
        known = self._known.get(host)
        if known is None:
            try:
                addr = ipaddress.ip_address(host)
            except ValueError:  # a name or garbage in a header: never a trusted proxy
                known = False
            else:
                known = any(addr in net for net in self._networks)
            if len(self._known) < 4096:  # bounded: forged headers must not grow it
                self._known[host] = known
        return known

    def client(self, forwarded_for: str) -> str | None:
        """The client's address from an ``X-Forwarded-For`` value, or None when it has none."""
        hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
        for hop in reversed(hops):
            if hop not in self:
                return hop
        return hops[0] if hops else None


def _scheme(proto: str, websocket: bool) -> str | None:
    last = proto.rsplit(",", 1)[-1].strip().lower()
    if last not in ("http", "https"):
        return None
    if websocket:
        return "wss" if last == "https" else "ws"
    return last


def asgi_proxy_headers(app: Any, trusted: Trusted) -> Callable[..., Any]:
    """``app`` with the ``http`` and ``websocket`` scopes' ``client`` and ``scheme`` taken from
    a trusted proxy's headers."""

    async def behind_proxy(scope: dict[str, Any], receive: Any, send: Any) -> None:
        client = scope.get("client")
        if scope["type"] in ("http", "websocket") and client is not None and client[0] in trusted:
            forwarded_for = proto = None
            for name, value in scope["headers"]:  # repeated lines read as one, comma-joined
                if name == b"x-forwarded-for":
                    text = value.decode("latin-1")
                    forwarded_for = text if forwarded_for is None else f"{forwarded_for},{text}"
                elif name == b"x-forwarded-proto":
                    text = value.decode("latin-1")
                    proto = text if proto is None else f"{proto},{text}"
            if proto is not None and (scheme := _scheme(proto, scope["type"] == "websocket")) is not None:
                scope["scheme"] = scheme
            if forwarded_for is not None and (host := trusted.client(forwarded_for)) is not None:
                scope["client"] = (host, 0)
        await app(scope, receive, send)

    return behind_proxy


def wsgi_proxy_headers(app: Any, trusted: Trusted) -> Callable[..., Any]:
    """``app`` with ``REMOTE_ADDR`` and ``wsgi.url_scheme`` taken from a trusted proxy's
    headers (``REMOTE_PORT`` dropped with a replaced address: it was the proxy's)."""

    def behind_proxy(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("REMOTE_ADDR", "") in trusted:
            proto = environ.get("HTTP_X_FORWARDED_PROTO")
            if proto is not None and (scheme := _scheme(proto, False)) is not None:
                environ["wsgi.url_scheme"] = scheme
            forwarded_for = environ.get("HTTP_X_FORWARDED_FOR")
            if forwarded_for is not None and (host := trusted.client(forwarded_for)) is not None:
                environ["REMOTE_ADDR"] = host
                environ.pop("REMOTE_PORT", None)
        return app(environ, start_response)

    return behind_proxy


def take_options(options: dict[str, Any]) -> Trusted | None:
    """Pops ``proxy_headers`` (default False) and ``forwarded_allow_ips`` (default
    "127.0.0.1") from a server's options: the proxies to trust, or None when off."""
    on = options.pop("proxy_headers", False)
    allow = options.pop("forwarded_allow_ips", "127.0.0.1")
    return Trusted(allow) if on else None

"""lapwise: native cores for Python web stacks, and the harness that measures them.

The compiled part lives in the private module ``lapwise._native`` (pybind11 glue over the C++
cores). It is built into ``<build>/python/lapwise/``; ``extend_path`` lets that directory and
this source package act as one package, so a development build needs no copying.
"""

from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)

__version__ = "0.1.0"


def native_error() -> str | None:
    """Why ``lapwise._native`` cannot be imported, or None when it can."""
    from . import _native_status

    return _native_status.error()


def __getattr__(name: str):
    # The server and client APIs need the native module; import them on first use so that
    # `import lapwise` (registry, result schema, pure-Python adapters) works without it.
    # lapwise.Response is the server's; the client's result types live in lapwise.client.base.
    if name in ("App", "Response"):
        from . import app

        return getattr(app, name)
    if name in ("Client", "Policy", "Request", "Progress", "Cancelled", "InvalidRequest",
                "PolicyError"):
        from . import _client

        return getattr(_client, name)
    raise AttributeError(f"module 'lapwise' has no attribute {name!r}")

"""``python -m suites.adapters.server._werkzeug_main module:app HOST PORT``: Werkzeug's threaded
server for a WSGI app by module path (Werkzeug has no command line of its own)."""

from __future__ import annotations

import importlib
import sys

from werkzeug.serving import run_simple


def main(argv: list[str]) -> None:
    target, host, port = argv
    module, _, attribute = target.partition(":")
    app = getattr(importlib.import_module(module), attribute or "app")
    run_simple(host, int(port), app, threaded=True)


if __name__ == "__main__":
    main(sys.argv[1:])

"""Names given on a harness command line (servers, apps, adapters, kinds), checked against the
names the harness knows before anything starts: an unknown one ends the command with
``unknown server 'x' (known: a, b, ...)`` on stderr and exit status 2 (argparse's usage error),
never with a traceback from deep inside a run.

    refuse_unknown(ap, "--servers", "server", args.servers, SERVERS)

``given`` is a comma-separated string or a list of names. With ``globs=True`` a part holding
``*``, ``?`` or ``[`` is a pattern (fnmatch) and is refused only when it matches no known name;
a plain part must be a known name. With ``kind`` (adapter ids ``<kind>/<impl>``), a part whose
kind is another one, or a pattern, is left alone: ci/bench hands one selection such as
``router/*,websocket/lapwise-core`` to every suite, and each suite takes its own kind's part.
"""

from __future__ import annotations

import argparse
import fnmatch
from collections.abc import Iterable

_GLOB_CHARS = frozenset("*?[")


def split_names(given: str | Iterable[str] | None) -> list[str]:
    """The names of a comma-separated string or a list (whose items may hold commas too)."""
    if given is None:
        return []
    parts = [given] if isinstance(given, str) else list(given)
    return [n.strip() for p in parts for n in p.split(",") if n.strip()]


def unknown_name(word: str, given: str | Iterable[str] | None, known: Iterable[str],
                 globs: bool = False, kind: str | None = None) -> str | None:
    """The message for the first unknown name in ``given``, or None when every one is known."""
    names = sorted(set(known))
    for name in split_names(given):
        if kind is not None and "/" in name and name.split("/", 1)[0] != kind:
            continue
        if globs and _GLOB_CHARS & set(name):
            if any(fnmatch.fnmatchcase(k, name) for k in names):
                continue
            return f"{word} pattern {name!r} matches nothing (known: {', '.join(names)})"
        if name not in names:
            return f"unknown {word} {name!r} (known: {', '.join(names)})"
    return None


def refuse_unknown(ap: argparse.ArgumentParser, option: str, word: str,
                   given: str | Iterable[str] | None, known: Iterable[str],
                   globs: bool = False, kind: str | None = None) -> None:
    """Exits through ``ap.error`` (status 2, the usage line, then ``argument OPTION: unknown
    WORD 'x' (known: ...)``) when ``given`` names something not in ``known``."""
    problem = unknown_name(word, given, known, globs, kind)
    if problem is not None:
        ap.error(f"argument {option}: {problem}")

"""The history store (SQLite): runs with their commit, machine and options, and their records.
store.py keeps them, comparison.py compares two runs, export.py writes them out; ``python -m
suites.results.history`` is the command line."""

from .comparison import DEFAULT_THRESHOLD, Comparison, OtherMachine, compare, render  # noqa: F401
from .store import (DEFAULT, ENV, Run, append, import_dir, load_of, machine,  # noqa: F401
                    path_of, records, resolve, rows, runs)

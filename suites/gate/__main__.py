"""``python -m suites.gate``: the gates' command line (see cli.py)."""

import sys

from .cli import main

sys.exit(main())

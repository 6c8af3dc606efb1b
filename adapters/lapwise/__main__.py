"""``python -m lapwise``: the command line (see ``lapwise._cli``)."""

import sys

from ._cli import main

sys.exit(main())

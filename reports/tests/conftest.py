"""The report builder is imported from the source tree (reports/ is not a package path)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

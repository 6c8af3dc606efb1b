"""Makes ``ci.gate`` importable when pytest runs from anywhere (the repository root is the
package root; ci/ itself is not a package)."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

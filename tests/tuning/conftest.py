"""The tuning tests reuse the trainer tests' tiny configs and subprocess helpers (tests/trainer/tiny_runs.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "trainer"))

"""Shared pytest set-up: import this checkout's scalekit and the notebook helpers."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import scalekit  # noqa: E402,F401  (sets TF_USE_LEGACY_KERAS before any test imports TF)

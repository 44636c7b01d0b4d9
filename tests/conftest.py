"""Shared pytest set-up: import this checkout's scalekit and the notebook helpers."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import scalekit  # noqa: E402,F401  (sets TF_USE_LEGACY_KERAS before any test imports TF)

# The notebook modules that take longest run first, so that the parallel workers
# (pytest-xdist, one module per worker at a time) finish together instead of one worker
# running the last long module alone. Measured sums of their notebook runs, longest first.
SLOWEST_FIRST = ["test_ch06", "test_ch05_compression", "test_ch12", "test_ch02",
                 "test_ch05_distributed", "test_ch03", "test_ch11", "test_ch14", "test_ch13",
                 "test_ch01", "test_ch04", "test_ch05a", "test_documented_commands",
                 "test_ch07"]


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(rank)))

"""Shared pytest set-up: import this checkout's scalekit and the notebook helpers."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import pytest  # noqa: E402

import scalekit  # noqa: E402,F401  (sets TF_USE_LEGACY_KERAS before any test imports TF)

# The notebook modules that take longest run first, so that the parallel workers
# (pytest-xdist, one module per worker at a time) finish together instead of one worker
# running the last long module alone. Measured sums of their notebook runs, longest first.
SLOWEST_FIRST = ["test_ch06", "test_ch05_compression", "test_ch12", "test_ch02",
                 "test_ch05_distributed", "test_ch06_translation",
                 "test_ch06_recommendation", "test_ch03", "test_ch11", "test_ch14",
                 "test_ch13", "test_ch02_weight_clipping", "test_ch06_forecasting",
                 "test_ch01", "test_ch01_blocks", "test_ch04", "test_ch05a",
                 "test_documented_commands", "test_ch07"]


def pytest_collection_modifyitems(items):
    rank = {name: i for i, name in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.stem, len(rank)))


@pytest.fixture(scope="module")
def tiny_model():
    """A trained-enough 4-8-3 classifier on separable random data, plus that data."""
    import numpy as np

    from scalekit import env

    tf = env.setup(seed=0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 4)).astype(np.float32)
    y = np.argmax(x[:, :3], axis=1)
    model = tf.keras.Sequential([tf.keras.Input(shape=(4,)),
                                 tf.keras.layers.Dense(8, activation="relu"),
                                 tf.keras.layers.Dense(3)])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.05),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, epochs=30, verbose=0)
    return model, x, y

"""Set up TensorFlow the way every chapter needs it, and tabulate what it runs on.

Every notebook calls :func:`setup`; chapter 5.1 (``notebooks/ch05/environment.py``) shows
:func:`system_table` and :func:`devices`; chapter 5.3 uses ``logical_cpus``.

Call :func:`setup` once, at the top of a notebook, before building any model::

    import scalekit as sk
    tf = sk.env.setup(seed=SEED)            # Keras 2, quiet logs, seeded
    tf = sk.env.setup(seed=SEED, logical_cpus=2)   # two CPU "devices" for tf.distribute

``logical_cpus`` splits the one physical CPU into several logical devices, so that
``tf.distribute.MirroredStrategy`` runs its real multi-replica code path on a machine
without GPUs. It must happen before TensorFlow initializes its devices, i.e. before the
first op runs; :func:`setup` raises a clear error if that moment has passed.
"""

from __future__ import annotations

import os
import platform
import random
import sys
from importlib import metadata
from types import ModuleType

import numpy as np
import pandas as pd

from scalekit._validate import positive_int

_LEGACY_KERAS = "TF_USE_LEGACY_KERAS"


def _check_legacy_keras(tf: ModuleType) -> None:
    """Raise if ``tf.keras`` is not Keras 2 (``tf_keras``)."""
    keras_module = tf.keras.layers.Dense.__module__
    if not keras_module.startswith("tf_keras"):
        raise RuntimeError(
            "tf.keras is Keras 3, but this book needs Keras 2 (the tf_keras package), which "
            "TensorFlow Model Optimization requires. Set TF_USE_LEGACY_KERAS=1 (or "
            "`import scalekit`) before the first use of tf.keras, then restart the kernel."
        )


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and TensorFlow from one integer."""
    seed = positive_int("seed", seed, allow_zero=True)
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002  (the legacy global generator, on purpose)
    if "tensorflow" in sys.modules:
        sys.modules["tensorflow"].random.set_seed(seed)


def setup(
    seed: int = 0,
    *,
    logical_cpus: int | None = None,
    deterministic: bool = False,
    quiet: bool = True,
) -> ModuleType:
    """Configure TensorFlow for the book and return the ``tensorflow`` module.

    Args:
        seed: seeds Python, NumPy and TensorFlow (see :func:`seed_everything`).
        logical_cpus: if given, split the CPU into this many logical devices (for
            ``tf.distribute`` demos on machines without GPUs). Ignored when the
            machine has at least this many GPUs, since strategies then use them.
        deterministic: turn on TensorFlow's op determinism (slower, bitwise repeatable).
        quiet: silence TensorFlow's Python-side warnings and absl logging.

    Raises:
        ValueError: ``seed`` is negative or ``logical_cpus`` is below 1.
        RuntimeError: Keras 3 is active, or devices were initialized before a
            different ``logical_cpus`` could be applied.
    """
    seed = positive_int("seed", seed, allow_zero=True)
    for name, flag in (("deterministic", deterministic), ("quiet", quiet)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be a bool, got {type(flag).__name__}")
    if logical_cpus is not None:
        logical_cpus = positive_int("logical_cpus", logical_cpus)
    os.environ.setdefault(_LEGACY_KERAS, "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

    import tensorflow as tf

    _check_legacy_keras(tf)
    if quiet:
        tf.get_logger().setLevel("ERROR")
        try:
            from absl import logging as absl_logging

            absl_logging.set_verbosity(absl_logging.ERROR)
        except ImportError:  # absl ships with TensorFlow; be tolerant anyway
            pass
    if logical_cpus is not None and len(tf.config.list_physical_devices("GPU")) < logical_cpus:
        _configure_logical_cpus(tf, logical_cpus)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    tf.keras.utils.set_random_seed(seed)
    return tf


def _configure_logical_cpus(tf: ModuleType, n: int) -> None:
    cpu = tf.config.list_physical_devices("CPU")[0]
    config = [tf.config.LogicalDeviceConfiguration() for _ in range(n)]
    try:
        tf.config.set_logical_device_configuration(cpu, config)
    except RuntimeError as err:  # devices already initialized
        have = len(tf.config.list_logical_devices("CPU"))
        if have != n:
            raise RuntimeError(
                f"TensorFlow already initialized {have} logical CPU device(s); "
                f"logical_cpus={n} must be set before any TensorFlow op runs. "
                "Restart the kernel and call scalekit.env.setup() first."
            ) from err


def devices() -> pd.DataFrame:
    """One row per logical device TensorFlow can place ops on (columns name and type)."""
    import tensorflow as tf

    rows = [{"name": d.name, "type": d.device_type} for d in tf.config.list_logical_devices()]
    return pd.DataFrame(rows, columns=["name", "type"])


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def system_table() -> pd.DataFrame:
    """The software and hardware the book runs on, read from this process, as one table.

    One row per item (index ``item``, column ``value``): Python, platform, CPU cores, GPUs
    and the versions of the book's stack. Chapter 5.1 shows it; chapter 7 reads versions.
    """
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    rows = [
        ("Python", platform.python_version()),
        ("Platform", platform.platform()),
        ("CPU cores (os.cpu_count)", str(os.cpu_count())),
        ("GPUs (tf.config.list_physical_devices)", str(len(gpus))),
        ("TensorFlow", tf.__version__),
        ("Keras behind tf.keras", f"tf_keras {_version('tf-keras')}"),
        ("TensorFlow Model Optimization", _version("tensorflow-model-optimization")),
        ("NumPy", np.__version__),
        ("pandas", pd.__version__),
        ("scikit-learn", _version("scikit-learn")),
        ("seaborn", _version("seaborn")),
        ("scalekit", _version("scalekit")),
    ]
    return pd.DataFrame(rows, columns=["item", "value"]).set_index("item")

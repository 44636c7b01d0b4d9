"""scalekit: the helper library of *Scaling AI Models: from Parameters to Performance*.

Importing the package sets two environment variables *before* TensorFlow can be imported:

* ``TF_USE_LEGACY_KERAS=1`` so that ``tf.keras`` is Keras 2 (the ``tf_keras`` package),
  which TensorFlow Model Optimization requires;
* ``TF_CPP_MIN_LOG_LEVEL=2`` so that TensorFlow's C++ start-up chatter stays out of the book.

Both use :func:`os.environ.setdefault`, so a reader's own setting wins. Import ``scalekit``
first in a notebook, then call :func:`scalekit.env.setup`.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"

import importlib  # noqa: E402

# Submodules load on first use (``import scalekit as sk; sk.env.setup()``), so that
# ``import scalekit`` itself never imports TensorFlow.
_SUBMODULES = frozenset(
    p.stem for p in Path(__file__).parent.glob("[!_]*.py")
)

__all__ = ["__version__", *sorted(_SUBMODULES)]


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _SUBMODULES)

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

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "0.1.0"

__all__ = ["__version__"]

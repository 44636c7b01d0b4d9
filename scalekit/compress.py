"""Measure compressed weights: sparsity, m:n structure, gzipped size.

Used by chapter 5.4 (``ch05/compression``, ``ch05/compression_comparison``). The
compression *techniques* (``tfmot.sparsity``, ``tfmot.clustering``,
``tfmot.quantization``) are called in the notebooks, where the reader sees them; this
module holds the measurements and small chores both notebooks repeat. Deployment with
TensorFlow Lite is :mod:`scalekit.tflite`.

* :func:`trained_copy`: a copy of a trained model with the same weights, to prune or tune;
* :func:`pruning_steps`: a mask-update ``frequency`` and ``end_step`` that fit the data;
* :func:`kernel_weights`, :func:`kernel_sparsity`: the kernels pruning and clustering act on;
* :func:`sparsity`, :func:`layer_sparsity`: zeros counted in the *exported* weights;
* :func:`magnitude_prune`: one-shot magnitude pruning of an array (a baseline for TFMOT);
* :func:`m_by_n_violations`, :func:`is_m_by_n`: check an m:n structured-sparsity pattern;
* :func:`gzip_size`: bytes of a gzipped Keras model (HDF5 file) or byte string.
"""

from __future__ import annotations

import gzip
import math
import os
import tempfile
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scalekit._validate import fraction, positive_int


def _check_model(model: Any) -> Any:
    if not (hasattr(model, "layers") and hasattr(model, "weights")):
        raise TypeError(f"model must be a Keras model, got {type(model).__name__}")
    return model


def trained_copy(model: Any) -> Any:
    """A copy of ``model`` (same architecture, same trained weights), not compiled.

    Each technique starts from the same trained baseline: prune, cluster or fine-tune the
    copy and the baseline stays untouched for the next one.
    """
    import tensorflow as tf

    copy = tf.keras.models.clone_model(_check_model(model))
    copy.set_weights(model.get_weights())
    return copy


def pruning_steps(steps_per_epoch: int, epochs: int, *, updates_per_epoch: int = 4,
                  ramp: float = 2 / 3) -> tuple[int, int]:
    """``(frequency, end_step)`` for a TFMOT pruning schedule that really prunes.

    The mask is updated every ``frequency`` steps (``updates_per_epoch`` times per
    epoch) and the ramp ends after about ``ramp`` of the ``epochs``, at a multiple of
    ``frequency`` so that the last update reaches the target; the rest of training lets
    the remaining weights recover.
    """
    steps_per_epoch = positive_int("steps_per_epoch", steps_per_epoch)
    epochs = positive_int("epochs", epochs)
    updates_per_epoch = positive_int("updates_per_epoch", updates_per_epoch)
    ramp = fraction("ramp", ramp, inclusive_high=True)
    if ramp == 0.0:
        raise ValueError("ramp must be > 0")
    frequency = max(1, steps_per_epoch // updates_per_epoch)
    end_step = frequency * max(1, math.floor(ramp * epochs * steps_per_epoch / frequency))
    return frequency, end_step


def kernel_weights(model: Any) -> list[Any]:
    """The kernels of ``model`` (weights whose name contains ``kernel``), in layer order.

    Pruning and clustering act on kernels only and leave biases dense, so sparsity and
    distinct-value counts are read from these.
    """
    return [w for w in _check_model(model).weights if "kernel" in w.name]


def kernel_sparsity(model: Any) -> float:
    """Fraction of zeros in all kernels of ``model``: :func:`sparsity` of
    :func:`kernel_weights`."""
    kernels = kernel_weights(model)
    if not kernels:
        raise ValueError("model has no kernel weights")
    return sparsity(kernels)


def sparsity(weights: Any) -> float:
    """Fraction of entries that are exactly zero in an array (or a sequence of arrays)."""
    arrays = _as_arrays("weights", weights)
    total = sum(a.size for a in arrays)
    if total == 0:
        raise ValueError("weights must contain at least one entry")
    return float(sum(int(np.count_nonzero(a == 0)) for a in arrays) / total)


def _as_arrays(name: str, weights: Any) -> list[np.ndarray]:
    if isinstance(weights, (str, bytes)):
        raise TypeError(f"{name} must be an array or a list of arrays, "
                        f"got {type(weights).__name__}")
    if isinstance(weights, np.ndarray) or np.isscalar(weights):
        arrays = [np.asarray(weights)]
    elif hasattr(weights, "numpy"):  # a tf.Variable or tensor
        arrays = [np.asarray(weights.numpy())]
    elif isinstance(weights, Iterable):
        arrays = [np.asarray(w.numpy() if hasattr(w, "numpy") else w) for w in weights]
    else:
        raise TypeError(f"{name} must be an array or a list of arrays, "
                        f"got {type(weights).__name__}")
    if not arrays:
        raise ValueError(f"{name} must not be empty")
    if any(not np.issubdtype(a.dtype, np.number) for a in arrays):
        raise TypeError(f"{name} must hold numbers")
    return arrays


def layer_sparsity(model: Any, *, kernels_only: bool = True) -> pd.DataFrame:
    """One row per weight of ``model``: its layer, name, shape, size, non-zeros and sparsity.

    Read this from the *exported* model (after ``strip_pruning``): it counts the zeros that
    are really in the weights, not what a pruning schedule promises. With ``kernels_only``
    (the default) only weights whose name contains ``kernel`` are listed, since pruning
    leaves biases dense.
    """
    _check_model(model)
    if not isinstance(kernels_only, bool):
        raise TypeError(f"kernels_only must be a bool, got {type(kernels_only).__name__}")
    rows = []
    for layer in model.layers:
        for w in layer.weights:
            name = w.name.split("/")[-1].split(":")[0]
            if kernels_only and "kernel" not in name:
                continue
            value = np.asarray(w.numpy())
            nonzero = int(np.count_nonzero(value))
            rows.append({"layer": layer.name, "weight": name, "shape": tuple(value.shape),
                         "params": int(value.size), "nonzero": nonzero,
                         "sparsity": 1.0 - nonzero / value.size if value.size else 0.0})
    return pd.DataFrame(rows, columns=["layer", "weight", "shape", "params", "nonzero",
                                       "sparsity"])


def magnitude_prune(weights: np.ndarray, sparsity: float) -> np.ndarray:
    """Copy of ``weights`` with the ``sparsity`` fraction of smallest-magnitude entries set to 0.

    One-shot pruning, without retraining: the baseline that gradual pruning improves on.
    Ties at the threshold are broken by position, so exactly ``round(sparsity·size)`` entries
    become zero. ``sparsity`` must lie in [0, 1).
    """
    sparsity = fraction("sparsity", sparsity)
    arr = np.asarray(weights.numpy() if hasattr(weights, "numpy") else weights)
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise TypeError(f"weights must be a numeric array, got dtype {arr.dtype}")
    w = arr.astype(arr.dtype if np.issubdtype(arr.dtype, np.floating) else np.float64, copy=True)
    if w.size == 0:
        raise ValueError("weights must contain at least one entry")
    k = int(round(sparsity * w.size))
    if k:
        flat = w.reshape(-1)
        flat[np.argsort(np.abs(flat), kind="stable")[:k]] = 0
    return w


def m_by_n_violations(weights: Any, m: int = 2, n: int = 4, *, axis: int = 0) -> int:
    """Number of groups of ``n`` consecutive entries along ``axis`` with more than ``m`` non-zeros.

    TFMOT's ``sparsity_m_by_n=(2, 4)`` keeps at most 2 non-zeros in every block of 4 along the
    input (reduction) dimension, ``axis=0`` of a Dense kernel (``axis=-2`` of a Conv2D kernel):
    the pattern sparse tensor cores accelerate. Zero violations means the pattern holds.
    """
    m, n = positive_int("m", m), positive_int("n", n)
    if m > n:
        raise ValueError(f"m must be <= n, got m={m}, n={n}")
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise TypeError(f"axis must be an int, got {type(axis).__name__}")
    w = np.asarray(weights.numpy() if hasattr(weights, "numpy") else weights)
    if w.ndim == 0:
        raise ValueError("weights must have at least one dimension")
    if not -w.ndim <= axis < w.ndim:
        raise ValueError(f"axis must lie in [{-w.ndim}, {w.ndim}), got {axis}")
    if w.shape[axis] % n:
        raise ValueError(f"weights has {w.shape[axis]} entries along axis {axis}, "
                         f"not a multiple of n={n}")
    moved = np.moveaxis(w, axis, -1)
    groups = moved.reshape(*moved.shape[:-1], -1, n)
    return int(np.count_nonzero(np.count_nonzero(groups, axis=-1) > m))


def is_m_by_n(weights: Any, m: int = 2, n: int = 4, *, axis: int = 0) -> bool:
    """True when every group of ``n`` along ``axis`` has at most ``m`` non-zeros."""
    return m_by_n_violations(weights, m, n, axis=axis) == 0


def gzip_size(obj: Any) -> int:
    """Size in bytes after gzip (level 9) of a Keras model, a byte string or a file.

    A Keras model is first saved the way the TFMOT guide measures it: an HDF5 file without
    the optimizer state. Zeros and repeated values compress; random float32 noise does not,
    so this is the size a pruned or clustered model really saves on disk or on the wire.
    """
    if isinstance(obj, (bytes, bytearray, memoryview)):
        payload = bytes(obj)
    elif isinstance(obj, (str, os.PathLike)):
        path = Path(obj)
        if not path.is_file():
            raise ValueError(f"obj names no file: {path}")
        payload = path.read_bytes()
    elif hasattr(obj, "save") and hasattr(obj, "layers"):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "model.h5"
            with warnings.catch_warnings():  # tf_keras calls HDF5 "legacy"; it is what we measure
                warnings.simplefilter("ignore")
                obj.save(path, include_optimizer=False, save_format="h5")
            payload = path.read_bytes()
    else:
        raise TypeError(f"obj must be a Keras model, bytes or a file path, "
                        f"got {type(obj).__name__}")
    return len(gzip.compress(payload, compresslevel=9, mtime=0))

"""Measure compressed models: sparsity, m:n structure, gzipped size, TFLite accuracy and latency.

The compression *techniques* (``tfmot.sparsity``, ``tfmot.clustering``, ``tfmot.quantization``
and the TFLite converter) are called in the chapter's notebooks, where the reader sees them.
This module only holds the measurements those notebooks repeat:

* :func:`sparsity`, :func:`layer_sparsity`: zeros counted in the *exported* weights;
* :func:`magnitude_prune`: one-shot magnitude pruning of an array (a baseline for TFMOT);
* :func:`m_by_n_violations`, :func:`is_m_by_n`: check an m:n structured-sparsity pattern;
* :func:`gzip_size`: bytes of a gzipped Keras model (HDF5 file) or byte string;
* :func:`to_tflite`: the four TFLite conversions (float32, dynamic-range, float16, int8);
* :func:`tflite_predict`, :func:`tflite_accuracy`, :func:`tflite_latency`: run a TFLite model
  with the interpreter, quantizing int8 inputs and dequantizing outputs.
"""

from __future__ import annotations

import gzip
import os
import statistics
import tempfile
import time
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scalekit._validate import fraction, positive_int

TFLITE_MODES = ("float32", "dynamic", "float16", "int8")
_TFLITE_IDENTIFIER = b"TFL3"  # FlatBuffer file identifier of TFLite models, at bytes 4..8


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
    if not hasattr(model, "layers"):
        raise TypeError(f"model must be a Keras model, got {type(model).__name__}")
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


def to_tflite(model: Any, mode: str = "float32", *,
              representative_data: np.ndarray | None = None) -> bytes:
    """Convert a Keras model with the TFLite converter; return the flatbuffer bytes.

    ``mode``: ``"float32"`` (no optimization), ``"dynamic"`` (int8 weights, float activations),
    ``"float16"`` (float16 weights) or ``"int8"`` (integer-only: int8 weights, activations,
    input and output, calibrated on ``representative_data``, which it then requires).
    A model trained with ``tfmot.quantization.keras.quantize_model`` converts to int8 with
    ``"dynamic"``: its ranges were learned, no calibration is needed.
    """
    import tensorflow as tf

    if mode not in TFLITE_MODES:
        raise ValueError(f"mode must be one of {TFLITE_MODES}, got {mode!r}")
    if not hasattr(model, "layers"):
        raise TypeError(f"model must be a Keras model, got {type(model).__name__}")
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    if mode != "float32":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "float16":
        converter.target_spec.supported_types = [tf.float16]
    if mode == "int8":
        if representative_data is None or len(representative_data) == 0:
            raise ValueError("representative_data (a few hundred inputs) is required "
                             "for mode='int8'")
        samples = np.asarray(representative_data, dtype=np.float32)

        def representative_dataset():
            for x in samples:
                yield [x[None]]

        converter.representative_dataset = representative_dataset
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    return bytes(converter.convert())


def _check_tflite(tflite_model: Any) -> bytes:
    if not isinstance(tflite_model, (bytes, bytearray, memoryview)):
        raise TypeError(f"tflite_model must be bytes (a TFLite flatbuffer), "
                        f"got {type(tflite_model).__name__}")
    data = bytes(tflite_model)
    if len(data) < 8 or data[4:8] != _TFLITE_IDENTIFIER:
        raise ValueError("tflite_model is not a TFLite model: its bytes 4..8 are "
                         f"{data[4:8]!r}, not the flatbuffer identifier {_TFLITE_IDENTIFIER!r}")
    return data


def interpreter(tflite_model: bytes, *, threads: int = 1) -> Any:
    """A ``tf.lite.Interpreter`` for ``tflite_model`` using ``threads`` CPU threads."""
    import tensorflow as tf

    data = _check_tflite(tflite_model)
    threads = positive_int("threads", threads)
    with warnings.catch_warnings():  # TF >= 2.20 suggests the separate ai-edge-litert package
        warnings.simplefilter("ignore")
        return tf.lite.Interpreter(model_content=data, num_threads=threads)


def _quantize_input(x: np.ndarray, detail: dict) -> np.ndarray:
    if detail["dtype"] in (np.int8, np.uint8):
        scale, zero_point = detail["quantization"]
        info = np.iinfo(detail["dtype"])
        return np.clip(np.round(x / scale + zero_point), info.min, info.max).astype(detail["dtype"])
    return x.astype(detail["dtype"])


def tflite_predict(tflite_model: bytes, x: np.ndarray) -> np.ndarray:
    """Outputs of a single-input, single-output TFLite model on the batch ``x``, as float32.

    Integer inputs are quantized and integer outputs dequantized with the model's own scale
    and zero point, so an int8 model is compared with its float original on equal terms.
    """
    x = np.asarray(x, dtype=np.float32)
    if x.ndim < 1 or len(x) == 0:
        raise ValueError("x must be a non-empty batch of inputs")
    interp = interpreter(tflite_model)
    inp = interp.get_input_details()[0]
    interp.resize_tensor_input(inp["index"], list(x.shape))
    interp.allocate_tensors()
    inp, out = interp.get_input_details()[0], interp.get_output_details()[0]
    interp.set_tensor(inp["index"], _quantize_input(x, inp))
    interp.invoke()
    y = interp.get_tensor(out["index"])
    if out["dtype"] in (np.int8, np.uint8):
        scale, zero_point = out["quantization"]
        return ((y.astype(np.float32) - zero_point) * scale).astype(np.float32)
    return y.astype(np.float32)


def tflite_accuracy(tflite_model: bytes, x: np.ndarray, y: np.ndarray) -> float:
    """Classification accuracy of a TFLite model (argmax of its outputs) on ``(x, y)``."""
    y = np.asarray(y).reshape(-1)
    if len(y) != len(x):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    return float(np.mean(np.argmax(tflite_predict(tflite_model, x), axis=-1) == y))


def tflite_latency(tflite_model: bytes, example: np.ndarray, *, runs: int = 200,
                   warmup: int = 20, threads: int = 1) -> float:
    """Median seconds of one ``invoke()`` on a single ``example`` (batch of 1), after warm-up.

    The interpreter uses ``threads`` threads (1 by default: the edge-device case, and the
    least noisy measurement on a shared machine). ``warmup`` untimed calls come first.
    """
    runs = positive_int("runs", runs)
    warmup = positive_int("warmup", warmup, allow_zero=True)
    x = np.asarray(example, dtype=np.float32)
    interp = interpreter(tflite_model, threads=threads)
    inp = interp.get_input_details()[0]
    if x.shape != tuple(inp["shape"]):
        if x.shape == tuple(inp["shape"][1:]):
            x = x[None]
        else:
            raise ValueError(f"example must have shape {tuple(inp['shape'])} "
                             f"(or {tuple(inp['shape'][1:])}), got {x.shape}")
    interp.allocate_tensors()
    interp.set_tensor(inp["index"], _quantize_input(x, inp))
    for _ in range(warmup):
        interp.invoke()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        interp.invoke()
        times.append(time.perf_counter() - start)
    return float(statistics.median(times))

"""Deploy a Keras model with TensorFlow Lite and measure the deployed model.

Used by chapter 5.4 (``ch05/compression_comparison``: every quantized variant) and chapter
6 (``ch06/driving``: an int8 model under a per-frame latency budget).

* :func:`convert`: the four TFLite conversions (float32, dynamic-range, float16, int8);
  the comparison notebook shows its code as the lesson;
* :func:`predict`, :func:`accuracy`: run a TFLite model with the interpreter, quantizing
  int8 inputs and dequantizing int8 outputs with the model's own scale and zero point;
* :func:`latencies`, :func:`latency`: seconds per single-example ``invoke()``;
* :func:`weight_count`: how many weights the flatbuffer stores (quantization keeps it).
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np

from scalekit._validate import positive_int

MODES = ("float32", "dynamic", "float16", "int8")
_IDENTIFIER = b"TFL3"  # FlatBuffer file identifier of TFLite models, at bytes 4..8


def convert(model: Any, mode: str = "float32", *,
            representative_data: np.ndarray | None = None) -> bytes:
    """Convert a Keras model with the TFLite converter; return the flatbuffer bytes.

    ``mode``: ``"float32"`` (no optimization), ``"dynamic"`` (int8 weights, float
    activations), ``"float16"`` (float16 weights) or ``"int8"`` (integer only: int8
    weights, activations, input and output, calibrated on ``representative_data``, which
    it then requires). A model trained with ``tfmot.quantization.keras.quantize_model``
    converts to int8 with ``"dynamic"``: its ranges were learned, no calibration needed.
    """
    import tensorflow as tf

    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
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
                yield [x[None]]  # one example at a time, with a batch axis

        converter.representative_dataset = representative_dataset
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        converter.inference_input_type = tf.int8
        converter.inference_output_type = tf.int8
    return bytes(converter.convert())


def _check(tflite_model: Any) -> bytes:
    if not isinstance(tflite_model, (bytes, bytearray, memoryview)):
        raise TypeError(f"tflite_model must be bytes (a TFLite flatbuffer), "
                        f"got {type(tflite_model).__name__}")
    data = bytes(tflite_model)
    if len(data) < 8 or data[4:8] != _IDENTIFIER:
        raise ValueError("tflite_model is not a TFLite model: its bytes 4..8 are "
                         f"{data[4:8]!r}, not the flatbuffer identifier {_IDENTIFIER!r}")
    return data


def interpreter(tflite_model: bytes, *, threads: int = 1) -> Any:
    """A ``tf.lite.Interpreter`` for ``tflite_model`` using ``threads`` CPU threads."""
    import tensorflow as tf

    data = _check(tflite_model)
    threads = positive_int("threads", threads)
    with warnings.catch_warnings():  # TF >= 2.20 suggests the separate ai-edge-litert package
        warnings.simplefilter("ignore")
        return tf.lite.Interpreter(model_content=data, num_threads=threads)


def _quantize_input(x: np.ndarray, detail: dict) -> np.ndarray:
    if detail["dtype"] in (np.int8, np.uint8):
        scale, zero_point = detail["quantization"]
        info = np.iinfo(detail["dtype"])
        q = np.clip(np.round(x / scale + zero_point), info.min, info.max)
        return q.astype(detail["dtype"])
    return x.astype(detail["dtype"])


def predict(tflite_model: bytes, x: np.ndarray) -> np.ndarray:
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


def accuracy(tflite_model: bytes, x: np.ndarray, y: np.ndarray) -> float:
    """Classification accuracy of a TFLite model (argmax of its outputs) on ``(x, y)``."""
    y = np.asarray(y).reshape(-1)
    if len(y) != len(x):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    return float(np.mean(np.argmax(predict(tflite_model, x), axis=-1) == y))


def latencies(tflite_model: bytes, example: np.ndarray, *, runs: int = 200,
              warmup: int = 20, threads: int = 1) -> np.ndarray:
    """Seconds of each of ``runs`` single-example ``invoke()`` calls, after ``warmup``.

    The interpreter uses ``threads`` threads (1 by default: the edge-device case, and the
    least noisy measurement on a shared machine). Percentiles of the result describe the
    tail a per-frame budget must absorb.
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
    times = np.empty(runs)
    for i in range(runs):
        start = time.perf_counter()
        interp.invoke()
        times[i] = time.perf_counter() - start
    return times


def latency(tflite_model: bytes, example: np.ndarray, *, runs: int = 200,
            warmup: int = 20, threads: int = 1) -> float:
    """Median seconds of one ``invoke()`` on a single ``example``: :func:`latencies`' median."""
    return float(np.median(latencies(tflite_model, example, runs=runs, warmup=warmup,
                                     threads=threads)))


def weight_count(tflite_model: bytes) -> int:
    """Number of stored weights: entries of the constant tensors the model's ops read.

    A tensor is constant when no op produces it and it is not a model input. Quantization
    changes how each weight is stored (int8 instead of float32), not how many there are.
    """
    interp = interpreter(tflite_model)
    interp.allocate_tensors()
    ops = interp._get_ops_details()  # noqa: SLF001 - the public API lists no op graph
    produced = {i for op in ops for i in op["outputs"]}
    produced |= {d["index"] for d in interp.get_input_details()}
    constants = {i for op in ops for i in op["inputs"] if i >= 0 and i not in produced}
    shapes = {d["index"]: d["shape"] for d in interp.get_tensor_details()}
    return int(sum(int(np.prod(shapes[i])) for i in constants))

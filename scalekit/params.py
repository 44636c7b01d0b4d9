"""Closed-form parameter counts of the four model families of Chapter 2, without Keras.

Used by chapter 2 (``ch02/parameters``, ``ch02/architectures``). Every ``*_count``
function returns an ``int``, the number of *learned* numbers (weights and biases) of a layer or a
model; hyper-parameters such as the learning rate are not parameters and are not counted.
The formulas follow ``tf.keras`` (Keras 2) layer definitions:

* ``Dense(n_out)`` on ``n_in`` inputs: ``n_in·n_out`` weights + ``n_out`` biases.
* ``Conv2D(f, (kh, kw))`` on ``c`` channels: ``kh·kw·c·f`` weights + ``f`` biases.
* ``SimpleRNN(u)`` on ``n`` features: ``u·(n + u + 1)`` (input, recurrent, bias).
* ``LSTM(u)``: four gates, ``4·u·(n + u + 1)``.
* ``GRU(u)``: three gates, ``3·u·(n + u + 1)``, plus ``3·u`` more biases with Keras's
  default ``reset_after=True`` (separate input and recurrent biases), i.e. ``3·u·(n + u + 2)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from scalekit._validate import boolean, one_of, positive_int

RECURRENT_KINDS = ("simple_rnn", "gru", "lstm")
PADDINGS = ("valid", "same")


def dense_count(n_in: int, n_out: int, *, bias: bool = True) -> int:
    """Parameters of a fully connected layer: ``n_in·n_out`` (+ ``n_out`` biases)."""
    n_in, n_out = positive_int("n_in", n_in), positive_int("n_out", n_out)
    return n_in * n_out + (n_out if boolean("bias", bias) else 0)


def perceptron_count(n_in: int, n_out: int = 1) -> int:
    """A single-layer perceptron (or logistic / softmax regression): one ``Dense`` layer."""
    return dense_count(n_in, n_out)


def mlp_count(n_in: int, hidden: Sequence[int], n_out: int) -> int:
    """A multi-layer perceptron ``n_in → hidden[0] → … → hidden[-1] → n_out`` (all with biases).

    ``hidden`` may be empty (then it is a perceptron).
    """
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence):
        raise TypeError(f"hidden must be a sequence of ints, got {type(hidden).__name__}")
    sizes = [positive_int("n_in", n_in)]
    sizes += [positive_int(f"hidden[{i}]", h) for i, h in enumerate(hidden)]
    sizes.append(positive_int("n_out", n_out))
    return sum(dense_count(a, b) for a, b in zip(sizes[:-1], sizes[1:], strict=False))


def _pair(name: str, value: int | Sequence[int]) -> tuple[int, int]:
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
        return positive_int(f"{name}[0]", value[0]), positive_int(f"{name}[1]", value[1])
    v = positive_int(name, value)
    return v, v


def conv2d_count(in_channels: int, filters: int, kernel_size: int | Sequence[int] = 3, *,
           bias: bool = True) -> int:
    """Parameters of a ``Conv2D`` layer: ``kh·kw·in_channels·filters`` (+ ``filters`` biases).

    The count does not depend on the image size: the same kernel slides over every position.
    """
    kh, kw = _pair("kernel_size", kernel_size)
    c, f = positive_int("in_channels", in_channels), positive_int("filters", filters)
    return kh * kw * c * f + (f if boolean("bias", bias) else 0)


def conv_output_length(length: int, kernel: int, *, stride: int = 1,
                       padding: str = "valid") -> int:
    """Output length of a convolution or pooling window along one axis (Keras rules).

    ``"valid"``: ``⌊(length − kernel) / stride⌋ + 1``; ``"same"``: ``⌈length / stride⌉``.
    """
    length, kernel = positive_int("length", length), positive_int("kernel", kernel)
    stride = positive_int("stride", stride)
    one_of("padding", padding, PADDINGS)
    if padding == "same":
        return math.ceil(length / stride)
    if kernel > length:
        raise ValueError(f"kernel={kernel} is larger than the input length={length} "
                         "with padding='valid'")
    return (length - kernel) // stride + 1


def cnn_count(
    input_shape: Sequence[int],
    filters: Sequence[int],
    n_out: int,
    *,
    kernel_size: int = 3,
    padding: str = "same",
    pool_size: int | None = 2,
    dense_units: Sequence[int] = (),
) -> int:
    """A Conv2D + Dense network: convolutions (stride 1), one max-pooling, flatten, dense layers.

    Layout: ``Conv2D(filters[0]) → … → Conv2D(filters[-1]) → MaxPooling2D(pool_size)``
    (skipped when ``pool_size`` is None) ``→ Flatten → Dense(dense_units…) → Dense(n_out)``,
    which is the layout of :func:`scalekit.models.small_cnn` with ``filters=[f, 2f]``.
    Pooling and flattening have no parameters but set the first dense layer's input size.
    """
    if isinstance(input_shape, (str, bytes)) or not isinstance(input_shape, Sequence) \
            or len(input_shape) != 3:
        raise ValueError(f"input_shape must be (height, width, channels), got {input_shape!r}")
    h, w, c = (positive_int(f"input_shape[{i}]", d) for i, d in enumerate(input_shape))
    if isinstance(filters, (str, bytes)) or not isinstance(filters, Sequence) or not filters:
        raise ValueError(f"filters must be a non-empty sequence of ints, got {filters!r}")
    k = positive_int("kernel_size", kernel_size)
    one_of("padding", padding, PADDINGS)
    if isinstance(dense_units, (str, bytes)) or not isinstance(dense_units, Sequence):
        raise TypeError(f"dense_units must be a sequence of ints, got "
                        f"{type(dense_units).__name__}")
    dense = [positive_int(f"dense_units[{i}]", u) for i, u in enumerate(dense_units)]
    total = 0
    for i, f in enumerate(filters):
        f = positive_int(f"filters[{i}]", f)
        total += conv2d_count(c, f, k)
        h = conv_output_length(h, k, padding=padding)
        w = conv_output_length(w, k, padding=padding)
        c = f
    if pool_size is not None:
        p = positive_int("pool_size", pool_size)
        h = conv_output_length(h, p, stride=p)
        w = conv_output_length(w, p, stride=p)
    return total + mlp_count(h * w * c, dense, n_out)


def recurrent_count(kind: str, n_in: int, units: int, *, reset_after: bool = True) -> int:
    """Parameters of one recurrent layer: ``"simple_rnn"``, ``"gru"`` or ``"lstm"``.

    ``reset_after`` (GRU only, Keras default True) adds a second bias vector of ``3·units``.
    """
    one_of("kind", kind, RECURRENT_KINDS)
    reset_after = boolean("reset_after", reset_after)
    n_in, units = positive_int("n_in", n_in), positive_int("units", units)
    per_gate = units * (n_in + units + 1)
    if kind == "simple_rnn":
        return per_gate
    if kind == "lstm":
        return 4 * per_gate
    return 3 * per_gate + (3 * units if reset_after else 0)


def rnn_count(kind: str, n_in: int, units: int, n_out: int, *,
              reset_after: bool = True) -> int:
    """A recurrent layer on ``n_in`` features per step, then ``Dense(n_out)`` on its last state.

    The sequence length does not enter: the same weights are applied at every step.
    """
    return (recurrent_count(kind, n_in, units, reset_after=reset_after)
            + dense_count(units, n_out))

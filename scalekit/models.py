"""Small Keras (2, via ``tf.keras``) model builders with width and depth knobs, for sweeps.

Used by chapters 1, 2, 3, 5 and 6. Builders return *uncompiled* models so that each chapter
shows its own ``compile`` call. Classifiers output logits (no softmax): pair them with
``SparseCategoricalCrossentropy(from_logits=True)``, the numerically stable form.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from scalekit._validate import fraction, positive_int

if TYPE_CHECKING:
    import numpy as np


def _name(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"name must be a str or None, got {type(value).__name__}")
    return value


def mlp(
    input_dim: int,
    outputs: int,
    *,
    width: int = 64,
    depth: int = 1,
    activation: str = "relu",
    dropout: float = 0.0,
    name: str | None = None,
):
    """A multi-layer perceptron: ``depth`` hidden ``Dense(width)`` layers, then ``Dense(outputs)``.

    ``depth=0`` gives a linear (logistic/softmax-regression) model.
    """
    import tensorflow as tf

    input_dim = positive_int("input_dim", input_dim)
    outputs = positive_int("outputs", outputs)
    width = positive_int("width", width)
    depth = positive_int("depth", depth, allow_zero=True)
    dropout = fraction("dropout", dropout)
    if not isinstance(activation, str) or not activation:
        raise TypeError(f"activation must be a Keras activation name, got {activation!r}")
    name = _name(name)
    layers: list = [tf.keras.Input(shape=(input_dim,))]
    for _ in range(depth):
        layers.append(tf.keras.layers.Dense(width, activation=activation))
        if dropout > 0:
            layers.append(tf.keras.layers.Dropout(dropout))
    layers.append(tf.keras.layers.Dense(outputs))
    return tf.keras.Sequential(layers, name=name or f"mlp_w{width}_d{depth}")


def small_cnn(
    input_shape: Sequence[int] = (8, 8, 1),
    outputs: int = 10,
    *,
    filters: int = 16,
    width: int = 64,
    name: str | None = None,
):
    """Two 3×3 convolutions (``filters``, ``2·filters``), max-pooling, ``Dense(width)``, logits."""
    import tensorflow as tf

    if isinstance(input_shape, (str, bytes)) or not isinstance(input_shape, Sequence):
        raise TypeError(f"input_shape must be a sequence of ints, got "
                        f"{type(input_shape).__name__}")
    shape = tuple(positive_int(f"input_shape[{i}]", d) for i, d in enumerate(input_shape))
    if len(shape) != 3:
        raise ValueError(f"input_shape must be (height, width, channels), got {tuple(input_shape)}")
    outputs = positive_int("outputs", outputs)
    filters = positive_int("filters", filters)
    width = positive_int("width", width)
    name = _name(name)
    return tf.keras.Sequential(
        [
            tf.keras.Input(shape=shape),
            tf.keras.layers.Conv2D(filters, 3, padding="same", activation="relu"),
            tf.keras.layers.Conv2D(2 * filters, 3, padding="same", activation="relu"),
            tf.keras.layers.MaxPooling2D(2),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(width, activation="relu"),
            tf.keras.layers.Dense(outputs),
        ],
        name=name or f"cnn_f{filters}_w{width}",
    )


def count_params(model) -> dict[str, int]:
    """Trainable, non-trainable and total parameter counts of a built Keras model."""
    import numpy as np

    if not hasattr(model, "trainable_weights"):
        raise TypeError(f"model must be a Keras model, got {type(model).__name__}")
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    frozen = int(sum(np.prod(w.shape) for w in model.non_trainable_weights))
    return {"trainable": trainable, "non_trainable": frozen, "total": trainable + frozen}


def kernel_grad_norms(model, x, y, loss_fn) -> np.ndarray:
    """Norm of ``∂loss/∂W`` for each kernel of ``model``, first layer to last.

    One forward and backward pass of ``loss_fn(y, model(x, training=True))`` on the batch
    ``(x, y)``; biases, batch-normalization scales and other non-kernel weights are skipped.
    Chapters 1 (blocks) and 3 (vanishing gradients) plot these norms against depth.
    """
    import numpy as np
    import tensorflow as tf

    if not hasattr(model, "trainable_variables"):
        raise TypeError(f"model must be a Keras model, got {type(model).__name__}")
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable, got {type(loss_fn).__name__}")
    kernels = [v for v in model.trainable_variables if "kernel" in v.name]
    if not kernels:
        raise ValueError("model has no trainable kernel weights")
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    return np.array([float(tf.norm(g)) for g in tape.gradient(loss, kernels)])

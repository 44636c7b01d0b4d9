"""Inception modules and DenseNet blocks: closed-form parameter counts and Keras builders.

Used by chapter 1 (``ch01/blocks``). The ``*_count`` functions follow the naming of
:mod:`scalekit.params` and return what Keras's ``count_params()`` returns for the layers
the builders below create (pass ``trainable_only=True`` to drop batch normalization's
moving mean and variance, which are not learned by gradient descent):

* **Inception module** (Szegedy et al., 2015): four parallel branches on the same
  input, concatenated along channels: ``1×1`` conv (``c1`` filters); ``1×1`` reduction
  to ``reduce3`` then ``3×3`` conv (``c3``); ``1×1`` reduction to ``reduce5`` then
  ``5×5`` conv (``c5``); ``3×3`` max pooling then a ``1×1`` projection (``pool_proj``).
  Every conv has biases and a ReLU. With a reduction set to ``None`` that branch's
  large conv reads all input channels: all three ``None`` is the *naive* module, whose
  pool branch passes every input channel through.
* **Dense block** (Huang et al., 2017): ``layers`` layers, each
  ``BN → ReLU → Conv3×3(k)`` (or, with ``bottleneck``, ``BN → ReLU → Conv1×1(4k) →
  BN → ReLU → Conv3×3(k)``), each reading the concatenation of the block input and
  every earlier layer's output; convolutions have no biases. Layer ``l`` (from 0) reads
  ``c + l·k`` channels; the block outputs ``c + L·k``.
* **Transition** between dense blocks: ``BN → ReLU → Conv1×1(⌊θ·c⌋) → AvgPool 2×2``.

Batch normalization holds four numbers per channel (γ, β, moving mean, moving variance),
two of them trainable.
"""

from __future__ import annotations

import math

from scalekit._validate import boolean, fraction, positive_int
from scalekit.params import conv2d_count

BN_PER_CHANNEL = 4            # gamma, beta, moving mean, moving variance
BN_TRAINABLE_PER_CHANNEL = 2  # gamma, beta
BOTTLENECK_FACTOR = 4         # DenseNet-B: the 1×1 conv makes 4k channels


def _optional(name: str, value: int | None) -> int | None:
    return None if value is None else positive_int(name, value)


def inception_branches(in_channels: int, c1: int, c3: int, c5: int, *,
                       reduce3: int | None = None, reduce5: int | None = None,
                       pool_proj: int | None = None) -> dict[str, int]:
    """Parameters of each branch of an Inception module, by branch name.

    A ``None`` reduction (or projection) omits that ``1×1`` conv: the naive module.
    """
    c = positive_int("in_channels", in_channels)
    c1, c3, c5 = positive_int("c1", c1), positive_int("c3", c3), positive_int("c5", c5)
    reduce3, reduce5 = _optional("reduce3", reduce3), _optional("reduce5", reduce5)
    pool_proj = _optional("pool_proj", pool_proj)
    out = {"1×1": conv2d_count(c, c1, 1)}
    out["3×3"] = (conv2d_count(c, c3, 3) if reduce3 is None
                  else conv2d_count(c, reduce3, 1) + conv2d_count(reduce3, c3, 3))
    out["5×5"] = (conv2d_count(c, c5, 5) if reduce5 is None
                  else conv2d_count(c, reduce5, 1) + conv2d_count(reduce5, c5, 5))
    out["pool"] = 0 if pool_proj is None else conv2d_count(c, pool_proj, 1)
    return out


def inception_count(in_channels: int, c1: int, c3: int, c5: int, *,
                    reduce3: int | None = None, reduce5: int | None = None,
                    pool_proj: int | None = None) -> int:
    """Parameters of an Inception module: the sum of :func:`inception_branches`."""
    return sum(inception_branches(in_channels, c1, c3, c5, reduce3=reduce3,
                                  reduce5=reduce5, pool_proj=pool_proj).values())


def inception_channels(in_channels: int, c1: int, c3: int, c5: int, *,
                       pool_proj: int | None = None) -> int:
    """Output channels: ``c1 + c3 + c5`` plus ``pool_proj`` (or all input channels)."""
    c = positive_int("in_channels", in_channels)
    pool = c if pool_proj is None else positive_int("pool_proj", pool_proj)
    return positive_int("c1", c1) + positive_int("c3", c3) + positive_int("c5", c5) + pool


def _bn(channels: int, trainable_only: bool) -> int:
    per = BN_TRAINABLE_PER_CHANNEL if trainable_only else BN_PER_CHANNEL
    return per * channels


def dense_layer_count(in_channels: int, growth_rate: int, *, bottleneck: bool = False,
                      trainable_only: bool = False) -> int:
    """Parameters of one dense-block layer reading ``in_channels`` channels."""
    c, k = positive_int("in_channels", in_channels), positive_int("growth_rate", growth_rate)
    bottleneck = boolean("bottleneck", bottleneck)
    trainable_only = boolean("trainable_only", trainable_only)
    if not bottleneck:
        return _bn(c, trainable_only) + conv2d_count(c, k, 3, bias=False)
    wide = BOTTLENECK_FACTOR * k
    return (_bn(c, trainable_only) + conv2d_count(c, wide, 1, bias=False)
            + _bn(wide, trainable_only) + conv2d_count(wide, k, 3, bias=False))


def dense_block_count(in_channels: int, growth_rate: int, layers: int, *,
                      bottleneck: bool = False, trainable_only: bool = False) -> int:
    """Parameters of a dense block: layer ``l`` reads ``in_channels + l·growth_rate``.

    Without a bottleneck this is ``Σ_l (9k + 4)(c + l·k)`` (``2`` instead of ``4`` when
    ``trainable_only``): quadratic in the number of layers.
    """
    c, k = positive_int("in_channels", in_channels), positive_int("growth_rate", growth_rate)
    n = positive_int("layers", layers)
    return sum(dense_layer_count(c + i * k, k, bottleneck=bottleneck,
                                 trainable_only=trainable_only) for i in range(n))


def dense_block_channels(in_channels: int, growth_rate: int, layers: int) -> int:
    """Channels a dense block outputs: ``in_channels + layers·growth_rate``."""
    return (positive_int("in_channels", in_channels)
            + positive_int("layers", layers) * positive_int("growth_rate", growth_rate))


def _compression(value: float) -> float:
    theta = fraction("compression", value, inclusive_high=True)
    if theta == 0.0:
        raise ValueError("compression must lie in (0, 1], got 0")
    return theta


def transition_channels(in_channels: int, compression: float = 0.5) -> int:
    """Channels after a transition layer: ``⌊θ·in_channels⌋`` (at least one)."""
    c, theta = positive_int("in_channels", in_channels), _compression(compression)
    out = math.floor(theta * c)
    if out < 1:
        raise ValueError(f"compression={theta} leaves no channel of in_channels={c}")
    return out


def transition_count(in_channels: int, compression: float = 0.5, *,
                     trainable_only: bool = False) -> int:
    """Parameters of a transition layer: BN on ``c`` channels + a ``1×1`` conv to ``⌊θc⌋``."""
    c = positive_int("in_channels", in_channels)
    out = transition_channels(c, compression)
    return _bn(c, boolean("trainable_only", trainable_only)) + conv2d_count(c, out, 1,
                                                                           bias=False)


def inception_module(x, c1: int, c3: int, c5: int, *, reduce3: int | None = None,
                     reduce5: int | None = None, pool_proj: int | None = None):
    """Apply an Inception module (Keras functional API) to the 4-D tensor ``x``."""
    import tensorflow as tf

    layers = tf.keras.layers

    def conv(filters: int, size: int, inputs):
        return layers.Conv2D(filters, size, padding="same", activation="relu")(inputs)

    inception_branches(int(x.shape[-1]), c1, c3, c5, reduce3=reduce3, reduce5=reduce5,
                       pool_proj=pool_proj)  # validates every argument
    b1 = conv(c1, 1, x)
    b3 = conv(c3, 3, x if reduce3 is None else conv(reduce3, 1, x))
    b5 = conv(c5, 5, x if reduce5 is None else conv(reduce5, 1, x))
    pool = layers.MaxPooling2D(3, strides=1, padding="same")(x)
    bp = pool if pool_proj is None else conv(pool_proj, 1, pool)
    return layers.Concatenate()([b1, b3, b5, bp])


def _bn_relu_conv(x, filters: int, size: int):
    import tensorflow as tf

    layers = tf.keras.layers
    h = layers.Activation("relu")(layers.BatchNormalization()(x))
    return layers.Conv2D(filters, size, padding="same", use_bias=False)(h)


def dense_block(x, growth_rate: int, layers: int, *, bottleneck: bool = False):
    """Apply a dense block (Keras functional API) to the 4-D tensor ``x``."""
    import tensorflow as tf

    k, n = positive_int("growth_rate", growth_rate), positive_int("layers", layers)
    bottleneck = boolean("bottleneck", bottleneck)
    for _ in range(n):
        h = _bn_relu_conv(x, BOTTLENECK_FACTOR * k, 1) if bottleneck else x
        h = _bn_relu_conv(h, k, 3)
        x = tf.keras.layers.Concatenate()([x, h])
    return x


def transition(x, compression: float = 0.5):
    """Apply a DenseNet transition layer (Keras functional API) to the 4-D tensor ``x``."""
    import tensorflow as tf

    out = transition_channels(int(x.shape[-1]), compression)
    return tf.keras.layers.AveragePooling2D(2)(_bn_relu_conv(x, out, 1))

"""Inception and DenseNet parameter counts against Keras's count_params(), and bad input."""

import numpy as np
import pytest

from scalekit import blocks, env, params

tf = env.setup(seed=0)


def _model(in_channels, block):
    inputs = tf.keras.Input(shape=(6, 6, in_channels))
    return tf.keras.Model(inputs, block(inputs))


def _trainable(model):
    return sum(int(np.prod(v.shape)) for v in model.trainable_weights)


@pytest.mark.parametrize("c, c1, c3, c5, reductions", [
    (192, 64, 128, 32, {"reduce3": 96, "reduce5": 16, "pool_proj": 32}),  # GoogLeNet 3a
    (192, 64, 128, 32, {}),                                                # naive 3a
    (8, 4, 6, 2, {"reduce3": 3}),                                          # mixed
    (5, 1, 1, 1, {"reduce5": 2, "pool_proj": 7}),
])
def test_inception_module(c, c1, c3, c5, reductions):
    model = _model(c, lambda x: blocks.inception_module(x, c1, c3, c5, **reductions))
    assert blocks.inception_count(c, c1, c3, c5, **reductions) == model.count_params()
    channels = blocks.inception_channels(c, c1, c3, c5,
                                         pool_proj=reductions.get("pool_proj"))
    assert model.output_shape == (None, 6, 6, channels)


def test_inception_branches_add_up_and_naive_is_dearer():
    naive = blocks.inception_branches(192, 64, 128, 32)
    reduced = blocks.inception_branches(192, 64, 128, 32, reduce3=96, reduce5=16,
                                        pool_proj=32)
    assert naive["pool"] == 0 and naive["1×1"] == reduced["1×1"] == params.conv2d_count(
        192, 64, 1)
    assert naive["5×5"] == params.conv2d_count(192, 32, 5)
    assert sum(reduced.values()) == blocks.inception_count(
        192, 64, 128, 32, reduce3=96, reduce5=16, pool_proj=32) == 163_696
    assert sum(naive.values()) == 387_296


@pytest.mark.parametrize("c, k, n, bottleneck", [
    (16, 12, 6, False), (24, 12, 4, True), (64, 32, 6, True), (3, 1, 1, False)])
def test_dense_block(c, k, n, bottleneck):
    model = _model(c, lambda x: blocks.dense_block(x, k, n, bottleneck=bottleneck))
    assert blocks.dense_block_count(c, k, n, bottleneck=bottleneck) == model.count_params()
    assert blocks.dense_block_count(c, k, n, bottleneck=bottleneck,
                                    trainable_only=True) == _trainable(model)
    assert model.output_shape[-1] == blocks.dense_block_channels(c, k, n)


def test_dense_block_closed_form():
    c, k, n = 24, 12, 10
    assert blocks.dense_block_count(c, k, n) == (9 * k + 4) * (n * c + k * n * (n - 1) // 2)
    assert blocks.dense_block_count(c, k, 1) == blocks.dense_layer_count(c, k)


@pytest.mark.parametrize("c, theta", [(256, 0.5), (88, 1.0), (7, 0.3)])
def test_transition(c, theta):
    model = _model(c, lambda x: blocks.transition(x, theta))
    assert blocks.transition_count(c, theta) == model.count_params()
    assert blocks.transition_count(c, theta, trainable_only=True) == _trainable(model)
    assert model.output_shape == (None, 3, 3, blocks.transition_channels(c, theta))


@pytest.mark.parametrize("call, err, match", [
    (lambda: blocks.inception_count(0, 1, 1, 1), ValueError, "in_channels"),
    (lambda: blocks.inception_count(8, 1.5, 1, 1), TypeError, "c1"),
    (lambda: blocks.inception_count(8, 1, 1, 1, reduce3=0), ValueError, "reduce3"),
    (lambda: blocks.inception_count(8, 1, 1, 1, pool_proj="4"), TypeError, "pool_proj"),
    (lambda: blocks.inception_channels(8, 1, -1, 1), ValueError, "c3"),
    (lambda: blocks.dense_block_count(8, 0, 3), ValueError, "growth_rate"),
    (lambda: blocks.dense_block_count(8, 4, 2.0), TypeError, "layers"),
    (lambda: blocks.dense_block_count(8, 4, 2, bottleneck=1), TypeError, "bottleneck"),
    (lambda: blocks.dense_layer_count(8, 4, trainable_only="no"), TypeError,
     "trainable_only"),
    (lambda: blocks.transition_count(8, 0.0), ValueError, "compression"),
    (lambda: blocks.transition_count(8, 1.5), ValueError, "compression"),
    (lambda: blocks.transition_count(8, "half"), TypeError, "compression"),
    (lambda: blocks.transition_channels(3, 0.2), ValueError, "compression"),
    (lambda: blocks.dense_block(tf.keras.Input(shape=(4, 4, 2)), 0, 2), ValueError,
     "growth_rate"),
    (lambda: blocks.inception_module(tf.keras.Input(shape=(4, 4, 2)), 1, 1, 1,
                                     reduce5=-2), ValueError, "reduce5"),
])
def test_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call()

import pytest

from scalekit import env, models

tf = env.setup(seed=0)


@pytest.mark.parametrize("width, depth", [(1, 0), (8, 1), (16, 3)])
def test_mlp_shape_and_count(width, depth):
    m = models.mlp(64, 10, width=width, depth=depth)
    assert m.output_shape == (None, 10)
    if depth == 0:
        expected = 64 * 10 + 10
    else:
        expected = 64 * width + width + (depth - 1) * (width * width + width) + width * 10 + 10
    assert m.count_params() == expected
    assert models.count_params(m) == {"trainable": expected, "non_trainable": 0, "total": expected}


def test_mlp_dropout_layers():
    m = models.mlp(4, 2, width=3, depth=2, dropout=0.5)
    assert sum(isinstance(layer, tf.keras.layers.Dropout) for layer in m.layers) == 2


@pytest.mark.parametrize("kwargs, err, match", [
    ({"input_dim": 0, "outputs": 1}, ValueError, "input_dim"),
    ({"input_dim": 4, "outputs": 1, "width": -3}, ValueError, "width"),
    ({"input_dim": 4, "outputs": 1, "depth": -1}, ValueError, "depth"),
    ({"input_dim": 4, "outputs": 1, "dropout": 1.0}, ValueError, "dropout"),
    ({"input_dim": 4.0, "outputs": 1}, TypeError, "input_dim"),
    ({"input_dim": 4, "outputs": 1, "activation": None}, TypeError, "activation"),
    ({"input_dim": 4, "outputs": 1, "name": 3}, TypeError, "name")])
def test_mlp_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        models.mlp(**kwargs)


def test_small_cnn():
    m = models.small_cnn((8, 8, 1), 10, filters=4, width=8)
    # conv1: 3*3*1*4+4, conv2: 3*3*4*8+8, dense: 4*4*8*8+8, logits: 8*10+10
    assert m.count_params() == 40 + 296 + 1032 + 90
    assert m.output_shape == (None, 10)
    with pytest.raises(ValueError, match="input_shape"):
        models.small_cnn((8, 8), 10)
    with pytest.raises(TypeError, match="input_shape"):
        models.small_cnn(8, 10)
    with pytest.raises(ValueError, match="filters"):
        models.small_cnn((8, 8, 1), 10, filters=0)


def test_count_params_counts_frozen_weights():
    m = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.BatchNormalization()])
    assert models.count_params(m) == {"trainable": 6, "non_trainable": 6, "total": 12}
    with pytest.raises(TypeError, match="Keras model"):
        models.count_params("not a model")


def test_kernel_grad_norms_match_a_hand_computed_gradient():
    import numpy as np

    tf = env.setup(seed=0)
    model = tf.keras.Sequential([tf.keras.Input(shape=(3,)),
                                 tf.keras.layers.Dense(2, use_bias=True)])
    x = np.ones((4, 3), np.float32)
    y = np.zeros((4, 2), np.float32)
    norms = models.kernel_grad_norms(model, x, y, tf.keras.losses.MeanSquaredError())
    w, b = (v.numpy() for v in model.weights)
    # MSE over 4×2 outputs: dL/dW = X^T (2/8)(XW + b − y)
    grad = x.T @ ((2 / 8) * (x @ w + b - y))
    assert norms.shape == (1,)
    assert np.isclose(norms[0], np.linalg.norm(grad), rtol=1e-5)


def test_kernel_grad_norms_bad_input():
    tf = env.setup(seed=0)
    with pytest.raises(TypeError, match="model"):
        models.kernel_grad_norms("not a model", [[0.0]], [0], tf.keras.losses.MSE)
    model = tf.keras.Sequential([tf.keras.Input(shape=(1,)), tf.keras.layers.Dense(1)])
    with pytest.raises(TypeError, match="loss_fn"):
        models.kernel_grad_norms(model, [[0.0]], [[0.0]], "mse")
    frozen = tf.keras.Sequential([tf.keras.Input(shape=(1,)), tf.keras.layers.Dense(1)])
    frozen.trainable = False
    with pytest.raises(ValueError, match="no trainable kernel"):
        models.kernel_grad_norms(frozen, [[0.0]], [[0.0]], tf.keras.losses.MSE)

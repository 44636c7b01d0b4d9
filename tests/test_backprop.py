"""scalekit.backprop: hand-written gradients equal tf.GradientTape and finite differences."""

import numpy as np
import pytest

from scalekit import backprop
from scalekit.compare import max_rel_diff


@pytest.fixture(scope="module")
def tf():
    from scalekit import env

    return env.setup(seed=0)


def _problem(loss, seed=3, n=12, d=4, hidden=5, k=3):
    rng = np.random.default_rng(seed)
    params = backprop.init_mlp(d, hidden, k, seed=seed)
    params = {name: v + rng.normal(0.0, 0.1, size=v.shape) for name, v in params.items()}
    x = rng.normal(size=(n, d))
    y = np.eye(k)[rng.integers(0, k, size=n)] if loss != "mse" else rng.normal(size=(n, k))
    return params, x, y


def _tape_grads(tf, params, x, y, loss, activation):
    v = {name: tf.Variable(value) for name, value in params.items()}
    act = {"tanh": tf.tanh, "sigmoid": tf.sigmoid, "relu": tf.nn.relu}[activation]
    with tf.GradientTape() as tape:
        out = act(tf.constant(x) @ v["W1"] + v["b1"]) @ v["W2"] + v["b2"]
        if loss == "mse":
            value = tf.keras.losses.MeanSquaredError()(y, out)
        else:
            value = tf.keras.losses.CategoricalCrossentropy(from_logits=True)(y, out)
    grads = tape.gradient(value, v)
    return float(value), {name: g.numpy() for name, g in grads.items()}


@pytest.mark.parametrize("loss", backprop.LOSSES)
@pytest.mark.parametrize("activation", backprop.ACTIVATIONS)
def test_gradients_match_gradient_tape(tf, loss, activation):
    params, x, y = _problem(loss)
    value, grads = backprop.loss_and_grads(params, x, y, loss=loss, activation=activation)
    tape_value, tape = _tape_grads(tf, params, x, y, loss, activation)
    assert value == pytest.approx(tape_value, rel=1e-12)
    assert max_rel_diff(grads, tape) < 1e-10


@pytest.mark.parametrize("loss", backprop.LOSSES)
def test_gradients_match_finite_differences(loss):
    params, x, y = _problem(loss, seed=5)
    _, grads = backprop.loss_and_grads(params, x, y, loss=loss)
    numeric = backprop.numerical_gradient(
        lambda p: backprop.loss_and_grads(p, x, y, loss=loss)[0], params)
    assert max_rel_diff(grads, numeric) < 1e-6
    # a deliberately wrong gradient is caught
    wrong = dict(grads, W1=-grads["W1"])
    assert max_rel_diff(wrong, numeric) > 0.1


def test_forward_caches_what_backward_needs():
    params, x, _ = _problem("mse")
    out, cache = backprop.forward(params, x)
    assert out.shape == (12, 3)
    assert set(cache) == {"x", "a", "h"}
    assert np.allclose(cache["h"], np.tanh(cache["a"]))
    assert np.allclose(out, cache["h"] @ params["W2"] + params["b2"])


def test_init_mlp_shapes_and_glorot_limit():
    p = backprop.init_mlp(6, 10, 2, seed=0)
    assert {k: v.shape for k, v in p.items()} == {"W1": (6, 10), "b1": (10,), "W2": (10, 2),
                                                   "b2": (2,)}
    assert np.abs(p["W1"]).max() <= np.sqrt(6 / 16) and not p["b1"].any()
    assert np.array_equal(p["W1"], backprop.init_mlp(6, 10, 2, seed=0)["W1"])


def test_numerical_gradient_on_arrays():
    g = backprop.numerical_gradient(lambda t: float(np.sum(t**3)), np.array([1.0, -2.0]))
    assert np.allclose(g, [3.0, 12.0], rtol=1e-8)


def test_the_old_difference_helper_is_gone():
    assert not hasattr(backprop, "max_rel_diff")  # scalekit.compare.max_rel_diff


def test_least_squares_matches_polyfit():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 50)
    y = 1.5 - 0.7 * x + rng.normal(0, 0.1, 50)
    theta = backprop.least_squares(x, y[:, None])
    assert np.allclose(theta, np.polyfit(x, y, 1)[::-1])
    assert backprop.least_squares(x[:, None], y, intercept=False).shape == (1,)


def test_shape_mismatch_is_a_value_error():
    params, x, y = _problem("mse")
    with pytest.raises(ValueError, match=r"y has shape \(12, 2\)"):
        backprop.loss_and_grads(params, x, y[:, :2])
    with pytest.raises(ValueError, match=r"x must have shape \(n, 4\)"):
        backprop.forward(params, x[:, :3])
    _, cache = backprop.forward(params, x)
    with pytest.raises(ValueError, match="d_out must have shape"):
        backprop.backward(params, cache, np.zeros((12, 2)))
    with pytest.raises(ValueError, match="y must have shape"):
        backprop.least_squares(np.zeros(5), np.zeros(4))


def test_bad_input():
    params, x, y = _problem("mse")
    with pytest.raises(ValueError, match="activation must be one of"):
        backprop.forward(params, x, activation="gelu")
    with pytest.raises(ValueError, match="loss must be one of"):
        backprop.loss_and_grads(params, x, y, loss="hinge")
    with pytest.raises(ValueError, match="params is missing"):
        backprop.forward({"W1": params["W1"]}, x)
    with pytest.raises(ValueError, match="params have inconsistent shapes"):
        backprop.forward(dict(params, b1=np.zeros(7)), x)
    with pytest.raises(TypeError, match="params must be a dict"):
        backprop.forward([1, 2], x)
    with pytest.raises(ValueError, match="cache is missing"):
        backprop.backward(params, {"x": x}, np.zeros((12, 3)))
    with pytest.raises(ValueError, match="hidden_units must be"):
        backprop.init_mlp(3, 0, 2)
    with pytest.raises(ValueError, match="h must be a finite number > 0"):
        backprop.numerical_gradient(lambda t: 0.0, np.zeros(2), h=0.0)
    with pytest.raises(TypeError, match="f must be callable"):
        backprop.numerical_gradient(3, np.zeros(2))
    with pytest.raises(TypeError, match="intercept must be a bool"):
        backprop.least_squares(np.zeros(3), np.zeros(3), intercept=1)
    with pytest.raises(ValueError, match="seed must be"):
        backprop.init_mlp(3, 2, 2, seed=-1)
    with pytest.raises(TypeError, match="h must be a number"):
        backprop.numerical_gradient(lambda t: 0.0, np.zeros(2), h="1e-6")
    with pytest.raises(ValueError, match="x has 1 rows but the fit needs at least 2"):
        backprop.least_squares(np.zeros(1), np.zeros(1))
    with pytest.raises(ValueError, match="x must have shape"):
        backprop.least_squares(np.zeros((2, 2, 2)), np.zeros(2))

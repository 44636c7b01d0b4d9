"""scalekit.optim: step-by-step agreement with tf.keras.optimizers, the driver, bad input."""

import math

import numpy as np
import pytest

from scalekit import optim
from scalekit.compare import max_rel_diff

STEPS = 100
SHAPES = [(6, 4), (4,)]


@pytest.fixture(scope="module")
def tf():
    from scalekit import env

    return env.setup(seed=0)


def _trajectories(tf, ours, theirs, *, steps=STEPS, seed=0):
    """Worst relative gap between our parameters and Keras's over ``steps`` random gradients."""
    rng = np.random.default_rng(seed)
    init = [rng.normal(size=s) for s in SHAPES]
    params = [p.copy() for p in init]
    variables = [tf.Variable(p, dtype=tf.float64) for p in init]
    worst = 0.0
    for _ in range(steps):
        grads = [rng.normal(scale=2.0, size=s) for s in SHAPES]
        ours.apply(params, grads)
        theirs.apply_gradients(zip([tf.constant(g) for g in grads], variables, strict=True))
        gap = max(max_rel_diff(p, v.numpy())
                  for p, v in zip(params, variables, strict=True))
        worst = max(worst, gap)
    moved = max_rel_diff(params[0], init[0])
    return worst, moved


CASES = {
    "sgd": (lambda: optim.SGD(0.05), lambda K: K.SGD(0.05)),
    "momentum": (lambda: optim.SGD(0.05, momentum=0.9), lambda K: K.SGD(0.05, momentum=0.9)),
    "nesterov": (lambda: optim.SGD(0.05, momentum=0.9, nesterov=True),
                 lambda K: K.SGD(0.05, momentum=0.9, nesterov=True)),
    "adagrad": (lambda: optim.AdaGrad(0.1), lambda K: K.Adagrad(0.1)),
    "adagrad_custom": (lambda: optim.AdaGrad(0.1, initial_accumulator_value=0.5, epsilon=1e-3),
                       lambda K: K.Adagrad(0.1, initial_accumulator_value=0.5, epsilon=1e-3)),
    "rmsprop": (lambda: optim.RMSprop(0.01), lambda K: K.RMSprop(0.01)),
    "rmsprop_centered_momentum": (
        lambda: optim.RMSprop(0.01, rho=0.8, momentum=0.5, centered=True),
        lambda K: K.RMSprop(0.01, rho=0.8, momentum=0.5, centered=True)),
    "adam": (lambda: optim.Adam(0.01), lambda K: K.Adam(0.01)),
    "adam_adaptive_epsilon": (
        lambda: optim.Adam(0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-3, adaptive_epsilon=True),
        lambda K: K.Adam(0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-3, adaptive_epsilon=True)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_keras_for_100_steps(tf, case):
    ours, theirs = CASES[case]
    worst, moved = _trajectories(tf, ours(), theirs(tf.keras.optimizers))
    assert worst <= 1e-6, (case, worst)
    assert moved > 1e-2, "the parameters must actually move for the check to mean anything"


def test_without_keras_rounding_adam_differs_slightly(tf):
    worst, _ = _trajectories(tf, optim.Adam(0.01, keras_rounding=False),
                             tf.keras.optimizers.Adam(0.01))
    # full-precision betas in the bias correction: a small but measurable gap
    assert 1e-9 < worst < 1e-4


def test_wrong_rule_is_detected(tf):
    """The check has teeth: Adam without bias correction (β powers ignored) fails it."""

    class NoBiasCorrection(optim.Adam):
        def _update(self, index, param, grad, lr):
            m, v = self.m[index], self.v[index]
            m += (grad - m) * (1 - self.beta_1)
            v += (grad * grad - v) * (1 - self.beta_2)
            param -= lr * m / (np.sqrt(v) + self.epsilon)

    worst, _ = _trajectories(tf, NoBiasCorrection(0.01), tf.keras.optimizers.Adam(0.01))
    assert worst > 1e-3


def test_schedule_is_evaluated_per_step():
    seen = []

    def schedule(step: int) -> float:
        seen.append(step)
        return 0.1 / (1 + step)

    p = [np.zeros(2)]
    opt = optim.SGD(schedule)
    for _ in range(3):
        opt.apply(p, [np.ones(2)])
    assert seen == [0, 1, 2] and opt.iterations == 3
    expected = -(float(np.float32(0.1)) + float(np.float32(0.05)) + float(np.float32(0.1 / 3)))
    assert np.allclose(p[0], expected, rtol=1e-12)


def test_momentum_accelerates_on_constant_gradient():
    plain, heavy = [np.zeros(1)], [np.zeros(1)]
    a, b = optim.SGD(0.1, keras_rounding=False), optim.SGD(0.1, momentum=0.9, keras_rounding=False)
    for _ in range(50):
        a.apply(plain, [np.ones(1)])
        b.apply(heavy, [np.ones(1)])
    assert math.isclose(plain[0][0], -5.0)
    # velocity tends to lr/(1-μ) = 1 per step
    assert heavy[0][0] < 5 * plain[0][0]


def _least_squares(n=200, d=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    w_true = np.arange(1.0, d + 1)
    y = x @ w_true + 0.1 * rng.normal(size=n)

    def loss_grad(params, idx):
        (w,) = params
        r = x[idx] @ w - y[idx]
        return 0.5 * float(np.mean(r**2)), [x[idx].T @ r / len(idx)]

    w_opt = np.linalg.lstsq(x, y, rcond=None)[0]
    return loss_grad, w_opt


def test_full_batch_driver_is_plain_gradient_descent():
    loss_grad, _ = _least_squares()
    w = [np.zeros(3)]
    trace = optim.minimize(loss_grad, w, optim.SGD(0.1), 200, steps=20)
    manual = np.zeros(3)
    for _ in range(20):
        manual -= float(np.float32(0.1)) * loss_grad([manual], np.arange(200))[1][0]
    assert np.array_equal(w[0], manual)
    assert list(trace.columns) == ["step", "epoch", "seconds", "loss"]
    assert len(trace) == 21 and trace["epoch"].iloc[-1] == 20.0
    assert trace["loss"].is_monotonic_decreasing


@pytest.mark.parametrize("batch_size", [None, 1, 20])
def test_driver_converges_for_every_batch_size(batch_size):
    loss_grad, w_opt = _least_squares()
    w = [np.zeros(3)]
    steps = 400 if batch_size is None else 2000
    trace = optim.minimize(loss_grad, w, optim.SGD(0.05), 200, steps=steps,
                           batch_size=batch_size, seed=1, record_every=100)
    assert np.linalg.norm(w[0] - w_opt) < 0.05, (batch_size, w[0], w_opt)
    assert trace["loss"].iloc[-1] < trace["loss"].iloc[0] / 100
    epochs = steps * (batch_size or 200) / 200
    assert math.isclose(trace["epoch"].iloc[-1], epochs)


def test_driver_is_seeded_and_stops_on_divergence():
    loss_grad, _ = _least_squares()
    a, b = [np.zeros(3)], [np.zeros(3)]
    optim.minimize(loss_grad, a, optim.SGD(0.05), 200, steps=50, batch_size=8, seed=3)
    optim.minimize(loss_grad, b, optim.SGD(0.05), 200, steps=50, batch_size=8, seed=3)
    assert np.array_equal(a[0], b[0])
    with np.errstate(over="ignore", invalid="ignore"):
        trace = optim.minimize(loss_grad, [np.zeros(3)], optim.SGD(50.0), 200, steps=500)
    assert not np.isfinite(trace["loss"].iloc[-1]) and len(trace) < 501


def test_the_old_difference_helper_is_gone():
    assert not hasattr(optim, "max_relative_difference")  # scalekit.compare.max_rel_diff


@pytest.mark.parametrize("factory, match", [
    (lambda: optim.SGD(-0.1), "learning_rate"),
    (lambda: optim.Adam(learning_rate=-1e-3), "learning_rate"),
    (lambda: optim.AdaGrad(float("nan")), "learning_rate"),
    (lambda: optim.RMSprop(-1.0), "learning_rate"),
    (lambda: optim.Adam(beta_1=1.0), "beta_1"),
    (lambda: optim.Adam(beta_1=-0.1), "beta_1"),
    (lambda: optim.Adam(beta_2=1.5), "beta_2"),
    (lambda: optim.Adam(beta_2=1.0), "beta_2"),
    (lambda: optim.SGD(0.1, momentum=1.0), "momentum"),
    (lambda: optim.SGD(0.1, momentum=-0.5), "momentum"),
    (lambda: optim.RMSprop(rho=1.0), "rho"),
    (lambda: optim.RMSprop(epsilon=-1e-7), "epsilon"),
    (lambda: optim.AdaGrad(initial_accumulator_value=-0.1), "initial_accumulator_value"),
    (lambda: optim.Adam(epsilon=float("inf")), "epsilon"),
    (lambda: optim.RMSprop(momentum=1.0), "momentum"),
])
def test_bad_hyperparameters_raise_value_error(factory, match):
    with pytest.raises(ValueError, match=match):
        factory()


@pytest.mark.parametrize("factory, match", [
    (lambda: optim.SGD("0.1"), "learning_rate"),
    (lambda: optim.Adam(beta_1="0.9"), "beta_1"),
    (lambda: optim.SGD(0.1, nesterov=1), "nesterov"),
    (lambda: optim.RMSprop(centered="yes"), "centered"),
    (lambda: optim.Adam(adaptive_epsilon=None), "adaptive_epsilon"),
    (lambda: optim.Adam(keras_rounding=0), "keras_rounding"),
])
def test_bad_types_raise_type_error(factory, match):
    with pytest.raises(TypeError, match=match):
        factory()


def test_apply_checks_shapes_and_types():
    opt = optim.Adam()
    with pytest.raises(ValueError, match="grads"):
        opt.apply([np.zeros(2)], [np.zeros(3)])
    with pytest.raises(ValueError, match="grads"):
        opt.apply([np.zeros(2)], [np.zeros(2), np.zeros(2)])
    with pytest.raises(TypeError, match=r"params\[0\]"):
        opt.apply([np.zeros(2, dtype=int)], [np.zeros(2)])
    opt.apply([np.zeros(2)], [np.ones(2)])
    with pytest.raises(ValueError, match="first step"):
        opt.apply([np.zeros(3)], [np.ones(3)])
    bad = optim.SGD(lambda step: -1.0)
    with pytest.raises(ValueError, match="learning_rate schedule"):
        bad.apply([np.zeros(1)], [np.ones(1)])


def test_minimize_bad_input():
    loss_grad, _ = _least_squares()
    with pytest.raises(ValueError, match="batch_size"):
        optim.minimize(loss_grad, [np.zeros(3)], optim.SGD(), 200, steps=1, batch_size=0)
    with pytest.raises(ValueError, match="n_examples"):
        optim.minimize(loss_grad, [np.zeros(3)], optim.SGD(), 0, steps=1)
    with pytest.raises(TypeError, match="steps"):
        optim.minimize(loss_grad, [np.zeros(3)], optim.SGD(), 200, steps=1.5)
    with pytest.raises(TypeError, match="optimizer"):
        optim.minimize(loss_grad, [np.zeros(3)], "sgd", 200, steps=1)
    with pytest.raises(TypeError, match="loss_grad must be callable"):
        optim.minimize("loss", [np.zeros(3)], optim.SGD(), 200, steps=1)
    with pytest.raises(TypeError, match="full_loss must be callable"):
        optim.minimize(loss_grad, [np.zeros(3)], optim.SGD(), 200, steps=1, full_loss=1.0)
    with pytest.raises(ValueError, match="seed"):
        optim.minimize(loss_grad, [np.zeros(3)], optim.SGD(), 200, steps=1, seed=-1)
    with pytest.raises(ValueError, match="record_every"):
        optim.minimize(loss_grad, [np.zeros(3)], optim.SGD(), 200, steps=1, record_every=0)


def test_partial_last_batch_counts_examples_seen():
    loss_grad, _ = _least_squares()
    trace = optim.minimize(loss_grad, [np.zeros(3)], optim.SGD(0.01), 200, steps=13,
                           batch_size=16)
    assert math.isclose(trace["epoch"].iloc[-1], 1.0)  # 12 batches of 16 and one of 8

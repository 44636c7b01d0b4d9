"""scalekit.losses: equal to tf.keras.losses, stable where the naive forms break."""

import numpy as np
import pytest

from scalekit import losses


@pytest.fixture(scope="module")
def tf():
    from scalekit import env

    return env.setup(seed=0)


@pytest.fixture(scope="module")
def batch():
    rng = np.random.default_rng(7)
    n, k = 64, 4
    labels = rng.integers(0, k, size=n)
    logits = rng.normal(0.0, 3.0, size=(n, k))
    return {
        "y_reg": rng.normal(size=(n, 3)), "p_reg": rng.normal(size=(n, 3)),
        "y_bin": rng.integers(0, 2, size=(n, 1)).astype(float),
        "p_bin": rng.uniform(0.02, 0.98, size=(n, 1)),
        "y_cat": np.eye(k)[labels], "logits": logits,
    }


def test_mse_matches_keras(tf, batch):
    keras = float(tf.keras.losses.MeanSquaredError()(batch["y_reg"], batch["p_reg"]))
    assert losses.mse(batch["y_reg"], batch["p_reg"]) == pytest.approx(keras, rel=1e-12)


def test_mse_by_hand():
    assert losses.mse([1.0, 2.0, 3.0], [1.0, 0.0, 6.0]) == pytest.approx((0 + 4 + 9) / 3)


def test_binary_crossentropy_matches_keras(tf, batch):
    y, p = batch["y_bin"], batch["p_bin"]
    keras = float(tf.keras.losses.BinaryCrossentropy()(y, p))
    # Keras adds 1e-7 inside its logarithms, hence the 1e-5 tolerance
    assert losses.binary_crossentropy(y, p) == pytest.approx(keras, rel=1e-5)


def test_binary_crossentropy_from_logits_matches_keras(tf, batch):
    y, z = batch["y_bin"], batch["logits"][:, :1]
    keras = float(tf.keras.losses.BinaryCrossentropy(from_logits=True)(y, z))
    assert losses.binary_crossentropy_from_logits(y, z) == pytest.approx(keras, rel=1e-12)
    # and equal to the probability form where that one is accurate
    assert losses.binary_crossentropy_from_logits(y, z) == pytest.approx(
        losses.binary_crossentropy(y, losses.sigmoid(z)), rel=1e-10)


def test_categorical_crossentropy_matches_keras(tf, batch):
    y, z = batch["y_cat"], batch["logits"]
    p = losses.softmax(z)
    keras_p = float(tf.keras.losses.CategoricalCrossentropy()(y, p))
    keras_z = float(tf.keras.losses.CategoricalCrossentropy(from_logits=True)(y, z))
    assert losses.categorical_crossentropy(y, p) == pytest.approx(keras_p, rel=1e-6)
    assert losses.categorical_crossentropy_from_logits(y, z) == pytest.approx(keras_z, rel=1e-12)


def test_crossentropy_by_hand():
    assert losses.binary_crossentropy([1.0, 0.0], [0.5, 0.5]) == pytest.approx(np.log(2))
    assert losses.categorical_crossentropy([[0, 1, 0]], [[0.2, 0.5, 0.3]]) == pytest.approx(
        -np.log(0.5))
    assert losses.categorical_crossentropy_from_logits([[0, 0, 1]], [[0.0, 0.0, 0.0]]) == \
        pytest.approx(np.log(3))


def test_naive_forms_break_on_large_logits_and_stable_ones_do_not():
    z = np.array([[1000.0, 0.0, -1000.0]])
    y = np.array([[0.0, 0.0, 1.0]])
    with np.errstate(all="ignore"):
        assert not np.isfinite(losses.categorical_crossentropy(y, losses.softmax(z)))
        assert not np.isfinite(losses.binary_crossentropy([[1.0]], losses.sigmoid([[-1000.0]])))
    assert losses.categorical_crossentropy_from_logits(y, z) == pytest.approx(2000.0)
    assert losses.binary_crossentropy_from_logits([[1.0]], [[-1000.0]]) == pytest.approx(1000.0)
    assert np.allclose(np.exp(losses.log_softmax(z)).sum(axis=-1), 1.0)


def test_eps_clips_like_keras():
    clipped = losses.binary_crossentropy([[1.0]], [[0.0]], eps=1e-7)
    assert clipped == pytest.approx(-np.log(1e-7))
    assert np.isinf(losses.binary_crossentropy([[1.0]], [[0.0]]))


@pytest.mark.parametrize("fn", [losses.mse, losses.binary_crossentropy,
                                losses.categorical_crossentropy,
                                losses.binary_crossentropy_from_logits,
                                losses.categorical_crossentropy_from_logits])
def test_shape_mismatch_is_a_value_error(fn):
    with pytest.raises(ValueError, match=r"has shape \(3, 2\) but y_true has shape \(3, 1\)"):
        fn(np.zeros((3, 1)), np.full((3, 2), 0.5))


def test_bad_input():
    with pytest.raises(ValueError, match="y_true must not be empty"):
        losses.mse([], [])
    with pytest.raises(TypeError, match="numeric arrays"):
        losses.mse(["a"], ["b"])
    with pytest.raises(ValueError, match="y_pred must hold probabilities"):
        losses.binary_crossentropy([1.0], [1.5])
    with pytest.raises(ValueError, match="eps must lie"):
        losses.binary_crossentropy([1.0], [0.5], eps=0.7)
    with pytest.raises(TypeError, match="eps must be a number"):
        losses.categorical_crossentropy([[1.0]], [[0.5]], eps="1e-7")
    with pytest.raises(ValueError, match="logits must have a class axis"):
        losses.categorical_crossentropy_from_logits(1.0, 1.0)
    with pytest.raises(ValueError, match="logits must have a non-empty class axis"):
        losses.softmax(np.zeros((2, 0)))
    with pytest.raises(ValueError, match="logits must have a non-empty class axis"):
        losses.log_softmax(3.0)

"""Closed-form parameter counts against Keras's count_params(), and bad input."""

import pytest

from scalekit import env, models, params

tf = env.setup(seed=0)
L = tf.keras.layers


def _seq(input_shape, *layers):
    return tf.keras.Sequential([tf.keras.Input(shape=input_shape), *layers])


@pytest.mark.parametrize("n_in, n_out", [(1, 1), (64, 10), (30, 1), (7, 3)])
def test_perceptron(n_in, n_out):
    assert params.perceptron_count(n_in, n_out) == _seq((n_in,), L.Dense(n_out)).count_params()
    assert params.dense_count(n_in, n_out, bias=False) == _seq(
        (n_in,), L.Dense(n_out, use_bias=False)).count_params()


@pytest.mark.parametrize("n_in, hidden, n_out", [(64, [], 10), (64, [32], 10),
                                                 (5, [8, 8, 8], 2), (100, [3, 50], 1)])
def test_mlp(n_in, hidden, n_out):
    model = _seq((n_in,), *[L.Dense(h, activation="relu") for h in hidden], L.Dense(n_out))
    assert params.mlp_count(n_in, hidden, n_out) == model.count_params()


@pytest.mark.parametrize("shape, filters, k, padding, pool, dense", [
    ((8, 8, 1), [16, 32], 3, "same", 2, [64]),
    ((8, 8, 1), [4], 3, "valid", None, []),
    ((28, 28, 3), [8, 16, 16], 5, "valid", 2, [32, 16]),
    ((9, 7, 2), [6, 6], 2, "same", 3, []),
])
def test_cnn(shape, filters, k, padding, pool, dense):
    layers = [L.Conv2D(f, k, padding=padding, activation="relu") for f in filters]
    if pool is not None:
        layers.append(L.MaxPooling2D(pool))
    layers += [L.Flatten(), *[L.Dense(u, activation="relu") for u in dense], L.Dense(10)]
    expected = _seq(shape, *layers).count_params()
    assert params.cnn_count(shape, filters, 10, kernel_size=k, padding=padding, pool_size=pool,
                      dense_units=dense) == expected


def test_cnn_matches_small_cnn_builder():
    m = models.small_cnn((8, 8, 1), 10, filters=16, width=64)
    assert params.cnn_count((8, 8, 1), [16, 32], 10, dense_units=[64]) == m.count_params()


@pytest.mark.parametrize("kind, layer", [("simple_rnn", L.SimpleRNN), ("gru", L.GRU),
                                         ("lstm", L.LSTM)])
@pytest.mark.parametrize("n_in, units", [(1, 1), (8, 32), (13, 5)])
def test_recurrent(kind, layer, n_in, units):
    model = _seq((8, n_in), layer(units), L.Dense(10))
    assert params.rnn_count(kind, n_in, units, 10) == model.count_params()


def test_gru_reset_after_adds_biases():
    u, n = 16, 8
    after = _seq((5, n), L.GRU(u)).count_params()
    before = _seq((5, n), L.GRU(u, reset_after=False)).count_params()
    assert params.recurrent_count("gru", n, u) == after
    assert params.recurrent_count("gru", n, u, reset_after=False) == before
    assert after - before == 3 * u


def test_conv_output_length():
    assert params.conv_output_length(8, 3) == 6
    assert params.conv_output_length(8, 3, padding="same") == 8
    assert params.conv_output_length(9, 2, stride=2, padding="same") == 5
    assert params.conv_output_length(9, 3, stride=3) == 3


@pytest.mark.parametrize("call, err, match", [
    (lambda: params.dense_count(0, 3), ValueError, "n_in"),
    (lambda: params.dense_count(3, 2.0), TypeError, "n_out"),
    (lambda: params.mlp_count(4, [8, -1], 2), ValueError, r"hidden\[1\]"),
    (lambda: params.mlp_count(4, 8, 2), TypeError, "hidden"),
    (lambda: params.conv2d_count(1, 4, (3, 3, 3)), ValueError, "kernel_size"),
    (lambda: params.conv2d_count(0, 4), ValueError, "in_channels"),
    (lambda: params.cnn_count((8, 8), [4], 10), ValueError, "input_shape"),
    (lambda: params.cnn_count((8, 8, 1), [], 10), ValueError, "filters"),
    (lambda: params.cnn_count((4, 4, 1), [4, 4], 10, padding="valid", kernel_size=3),
     ValueError, "kernel"),
    (lambda: params.cnn_count((8, 8, 1), [4], 10, padding="full"), ValueError, "padding"),
    (lambda: params.recurrent_count("transformer", 4, 4), ValueError, "kind"),
    (lambda: params.recurrent_count("lstm", 4, 0), ValueError, "units"),
    (lambda: params.rnn_count("gru", 4, True, 2), TypeError, "units"),
    (lambda: params.dense_count(3, 2, bias=1), TypeError, "bias"),
    (lambda: params.conv2d_count(1, 4, bias="yes"), TypeError, "bias"),
    (lambda: params.recurrent_count("gru", 4, 4, reset_after=None), TypeError, "reset_after"),
    (lambda: params.cnn_count((8, 8, 1), [4], 10, dense_units=8), TypeError, "dense_units"),
    (lambda: params.cnn_count((8, 8, 1), [4], 10, dense_units=[0]), ValueError,
     r"dense_units\[0\]"),
    (lambda: params.cnn_count((8, 8, 1), [4], 10, pool_size=0), ValueError, "pool_size"),
    (lambda: params.conv_output_length(8, 3, stride=0), ValueError, "stride"),
    (lambda: params.conv_output_length(8, 3, padding=["same"]), ValueError, "padding"),
    (lambda: params.perceptron_count(4, 0), ValueError, "n_out"),
])
def test_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call()


def test_validate_one_of_and_boolean():
    from scalekit._validate import boolean, one_of

    assert one_of("mode", "a", ("a", "b")) == "a"
    assert boolean("flag", True) is True
    with pytest.raises(ValueError, match="mode must be one of"):
        one_of("mode", "c", ("a", "b"))
    with pytest.raises(TypeError, match="flag must be a bool"):
        boolean("flag", 1)

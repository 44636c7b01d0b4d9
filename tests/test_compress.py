import gzip

import numpy as np
import pytest

from scalekit import compress, env

tf = env.setup(seed=0)


@pytest.fixture(scope="module")
def tiny_model():
    """A trained-enough 4-8-3 classifier on separable random data, plus that data."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 4)).astype(np.float32)
    y = np.argmax(x[:, :3], axis=1)
    model = tf.keras.Sequential([tf.keras.Input(shape=(4,)),
                                 tf.keras.layers.Dense(8, activation="relu"),
                                 tf.keras.layers.Dense(3)])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.05),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, epochs=30, verbose=0)
    return model, x, y


@pytest.fixture(scope="module")
def tflite_models(tiny_model):
    model, x, _ = tiny_model
    return {mode: compress.to_tflite(model, mode, representative_data=x[:50])
            for mode in compress.TFLITE_MODES}


def test_sparsity_counts_exact_zeros():
    assert compress.sparsity(np.array([0.0, 1.0, 0.0, 2.0])) == 0.5
    assert compress.sparsity([np.zeros(3), np.ones(1)]) == 0.75
    assert compress.sparsity(tf.Variable([[0.0, 1e-9]])) == 0.5


@pytest.mark.parametrize("bad, err, match", [([], ValueError, "weights"),
                                             ("abc", TypeError, "weights"),
                                             (np.array([]), ValueError, "weights")])
def test_sparsity_bad_input(bad, err, match):
    with pytest.raises(err, match=match):
        compress.sparsity(bad)


@pytest.mark.parametrize("target", [0.0, 0.25, 0.5, 0.9])
def test_magnitude_prune_zeroes_the_smallest(target):
    signs = np.where(np.arange(40) % 2, 1, -1).reshape(5, 8)
    w = np.arange(1, 41, dtype=np.float32).reshape(5, 8) * signs
    pruned = compress.magnitude_prune(w, target)
    assert pruned.dtype == w.dtype and pruned.shape == w.shape
    assert compress.sparsity(pruned) == pytest.approx(round(target * 40) / 40)
    kept = np.abs(w[pruned != 0])
    dropped = np.abs(w[pruned == 0])
    if dropped.size and kept.size:
        assert dropped.max() < kept.min()
    assert np.all((pruned == 0) | (pruned == w))
    assert np.count_nonzero(w) == 40  # input untouched


@pytest.mark.parametrize("bad", [1.0, -0.1, 1.5])
def test_magnitude_prune_sparsity_outside_unit_interval(bad):
    with pytest.raises(ValueError, match="sparsity"):
        compress.magnitude_prune(np.ones((2, 2)), bad)


def test_magnitude_prune_bad_types():
    with pytest.raises(TypeError, match="sparsity"):
        compress.magnitude_prune(np.ones(3), "0.5")
    with pytest.raises(TypeError, match="weights"):
        compress.magnitude_prune(np.array(["a", "b"]), 0.5)


def test_layer_sparsity_reads_the_weights(tiny_model):
    model, _, _ = tiny_model
    copy = tf.keras.models.clone_model(model)
    weights = model.get_weights()
    weights[0] = compress.magnitude_prune(weights[0], 0.75)
    copy.set_weights(weights)
    table = compress.layer_sparsity(copy)
    assert list(table["params"]) == [32, 24]
    assert table["sparsity"].iloc[0] == pytest.approx(0.75)
    assert table["nonzero"].iloc[0] == 8
    with_biases = compress.layer_sparsity(copy, kernels_only=False)
    assert len(with_biases) == 4
    with pytest.raises(TypeError, match="model"):
        compress.layer_sparsity(np.ones(3))


def test_m_by_n_detects_violations():
    ok = np.array([[1, 0], [0, 2], [3, 0], [0, 0]], dtype=np.float32)   # axis 0 groups of 4
    assert compress.is_m_by_n(ok, 2, 4)
    assert compress.m_by_n_violations(ok, 2, 4) == 0
    bad = ok.copy()
    bad[3, 0] = 5.0                                  # column 0: three non-zeros in its group
    assert compress.m_by_n_violations(bad, 2, 4) == 1
    assert not compress.is_m_by_n(bad, 2, 4)
    assert compress.is_m_by_n(bad, 3, 4)
    dense = np.ones((8, 3))
    assert compress.m_by_n_violations(dense, 2, 4) == 6
    assert compress.m_by_n_violations(np.ones((3, 8)), 2, 4, axis=1) == 6
    assert compress.m_by_n_violations(tf.Variable(np.zeros((4, 4))), 2, 4) == 0


@pytest.mark.parametrize("kwargs, err, match", [
    ({"weights": np.ones((6, 2))}, ValueError, "multiple of n"),
    ({"weights": np.ones((4, 2)), "m": 5}, ValueError, "m must be <= n"),
    ({"weights": np.ones((4, 2)), "n": 0}, ValueError, "n must be"),
    ({"weights": np.ones((4, 2)), "axis": 2}, ValueError, "axis"),
    ({"weights": np.float32(1.0)}, ValueError, "weights"),
    ({"weights": np.ones((4, 2)), "m": 2.0}, TypeError, "m must be an int")])
def test_m_by_n_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        compress.m_by_n_violations(**kwargs)


def test_gzip_size_of_bytes_files_and_models(tmp_path, tiny_model):
    zeros, noise = bytes(10_000), np.random.default_rng(0).bytes(10_000)
    assert compress.gzip_size(zeros) < 100 < 9_000 < compress.gzip_size(noise)
    assert compress.gzip_size(zeros) == len(gzip.compress(zeros, compresslevel=9, mtime=0))
    path = tmp_path / "blob.bin"
    path.write_bytes(noise)
    assert compress.gzip_size(path) == compress.gzip_size(noise)
    assert compress.gzip_size(str(path)) == compress.gzip_size(noise)
    model, _, _ = tiny_model
    size = compress.gzip_size(model)
    assert 1_000 < size < 50_000
    assert compress.gzip_size(model) == size           # deterministic


def test_gzip_size_bad_input(tmp_path):
    with pytest.raises(TypeError, match="obj"):
        compress.gzip_size(12)
    with pytest.raises(ValueError, match="obj"):
        compress.gzip_size(tmp_path / "missing.bin")


def test_tflite_modes_sizes_and_accuracy(tiny_model, tflite_models):
    model, x, y = tiny_model
    keras_pred = np.argmax(model.predict(x, verbose=0), axis=1)
    for mode, tfl in tflite_models.items():
        assert tfl[4:8] == b"TFL3", mode
        agreement = np.mean(np.argmax(compress.tflite_predict(tfl, x), axis=1) == keras_pred)
        assert agreement >= 0.9, (mode, agreement)
        assert compress.tflite_accuracy(tfl, x, y) == pytest.approx(
            np.mean(np.argmax(compress.tflite_predict(tfl, x), axis=1) == y))
    logits = compress.tflite_predict(tflite_models["float32"], x)
    np.testing.assert_allclose(logits, model.predict(x, verbose=0), rtol=1e-4, atol=1e-4)
    interp = compress.interpreter(tflite_models["int8"])
    assert interp.get_input_details()[0]["dtype"] == np.int8


def test_to_tflite_bad_input(tiny_model):
    model, _, _ = tiny_model
    with pytest.raises(ValueError, match="mode"):
        compress.to_tflite(model, "int4")
    with pytest.raises(ValueError, match="representative_data"):
        compress.to_tflite(model, "int8")
    with pytest.raises(TypeError, match="model"):
        compress.to_tflite("model.h5")


def test_tflite_latency_is_a_positive_median(tflite_models, tiny_model):
    _, x, _ = tiny_model
    for example in (x[0], x[:1]):
        t = compress.tflite_latency(tflite_models["int8"], example, runs=20, warmup=2)
        assert 0 < t < 0.1
    with pytest.raises(ValueError, match="example"):
        compress.tflite_latency(tflite_models["float32"], x[:2], runs=5)
    with pytest.raises(ValueError, match="runs"):
        compress.tflite_latency(tflite_models["float32"], x[0], runs=0)
    with pytest.raises(ValueError, match="threads"):
        compress.tflite_latency(tflite_models["float32"], x[0], runs=5, threads=0)


@pytest.mark.parametrize("bad", [b"", b"not a tflite model at all", bytes(64),
                                 b"\x1c\x00\x00\x00TFL2" + bytes(32)])
def test_non_tflite_bytes_are_rejected(bad, tiny_model):
    _, x, y = tiny_model
    for call in (lambda: compress.tflite_predict(bad, x),
                 lambda: compress.tflite_accuracy(bad, x, y),
                 lambda: compress.tflite_latency(bad, x[0]),
                 lambda: compress.interpreter(bad)):
        with pytest.raises(ValueError, match="tflite_model is not a TFLite model"):
            call()


def test_tflite_wrong_types(tflite_models, tiny_model):
    _, x, y = tiny_model
    with pytest.raises(TypeError, match="tflite_model"):
        compress.tflite_predict("model.tflite", x)
    with pytest.raises(ValueError, match="same length"):
        compress.tflite_accuracy(tflite_models["float32"], x, y[:-1])
    with pytest.raises(ValueError, match="x must be"):
        compress.tflite_predict(tflite_models["float32"], x[:0])

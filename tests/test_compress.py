import gzip

import numpy as np
import pytest

from scalekit import compare, compress, env

tf = env.setup(seed=0)



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


def test_trained_copy_has_the_same_weights_and_is_independent(tiny_model):
    model, x, _ = tiny_model
    copy = compress.trained_copy(model)
    assert compare.max_abs_diff(copy.get_weights(), model.get_weights()) == 0.0
    copy.set_weights([np.zeros_like(w) for w in copy.get_weights()])
    assert compress.sparsity(model.get_weights()) < 0.5
    with pytest.raises(TypeError, match="model"):
        compress.trained_copy("model.h5")


def test_kernel_weights_and_sparsity(tiny_model):
    model, _, _ = tiny_model
    kernels = compress.kernel_weights(model)
    assert [tuple(k.shape) for k in kernels] == [(4, 8), (8, 3)]
    copy = compress.trained_copy(model)
    copy.set_weights([np.zeros_like(w) if w.ndim == 2 else w for w in copy.get_weights()])
    assert compress.kernel_sparsity(copy) == 1.0
    assert compress.sparsity(copy.get_weights()) < 1.0  # biases stay
    with pytest.raises(TypeError, match="model"):
        compress.kernel_sparsity([np.zeros(3)])


def test_pruning_steps_really_prune():
    frequency, end_step = compress.pruning_steps(43, 10)
    assert frequency == 10 and end_step % frequency == 0
    assert end_step <= 2 / 3 * 430 + frequency and end_step >= frequency
    assert compress.pruning_steps(2, 1) == (1, 1)


@pytest.mark.parametrize("kwargs, exc, word", [
    ({"steps_per_epoch": 0, "epochs": 3}, ValueError, "steps_per_epoch"),
    ({"steps_per_epoch": 10, "epochs": 2.5}, TypeError, "epochs"),
    ({"steps_per_epoch": 10, "epochs": 3, "updates_per_epoch": 0}, ValueError,
     "updates_per_epoch"),
    ({"steps_per_epoch": 10, "epochs": 3, "ramp": 0.0}, ValueError, "ramp"),
    ({"steps_per_epoch": 10, "epochs": 3, "ramp": 1.5}, ValueError, "ramp"),
])
def test_pruning_steps_bad_input(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        compress.pruning_steps(**kwargs)


def test_layer_sparsity_and_m_by_n_bad_flags(tiny_model):
    model, _, _ = tiny_model
    with pytest.raises(TypeError, match="kernels_only"):
        compress.layer_sparsity(model, kernels_only="yes")
    with pytest.raises(TypeError, match="axis"):
        compress.m_by_n_violations(np.zeros((4, 4)), axis=0.0)

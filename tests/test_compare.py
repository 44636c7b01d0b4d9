import numpy as np
import pytest

from scalekit.compare import max_abs_diff, max_rel_diff


def test_arrays_lists_and_dicts():
    assert max_abs_diff(np.array([1.0, 2.0]), np.array([1.0, 2.5])) == pytest.approx(0.5)
    weights = [np.ones(3), np.zeros((2, 2))]
    other = [np.ones(3) * 1.1, np.zeros((2, 2))]
    assert max_abs_diff(weights, other) == pytest.approx(0.1)
    assert max_rel_diff({"w": np.array([1.0, 2.0])}, {"w": np.array([1.0, 2.2])}) == (
        pytest.approx(0.2 / 2.2))


def test_relative_is_scaled_by_the_largest_magnitude_and_zero_for_zeros():
    assert max_rel_diff(np.array([1e-9, 10.0]), np.array([2e-9, 10.0])) < 1e-9
    assert max_rel_diff(np.zeros(3), np.zeros(3)) == 0.0


def test_tensors_are_accepted():
    tf = pytest.importorskip("tensorflow")
    assert max_abs_diff(tf.constant([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0


@pytest.mark.parametrize("a, b, err", [
    (np.ones(2), np.ones(3), ValueError),
    ({"a": np.ones(1)}, {"b": np.ones(1)}, ValueError),
    ({"a": np.ones(1)}, np.ones(1), TypeError),
    ([np.ones(2)], [np.ones(2), np.ones(2)], ValueError),
    (np.array([]), np.array([]), ValueError),
])
def test_bad_input_is_named(a, b, err):
    with pytest.raises(err):
        max_abs_diff(a, b)

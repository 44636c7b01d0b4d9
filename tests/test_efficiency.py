import numpy as np
import pytest

from scalekit import efficiency


def test_underflow_fraction_counts_only_entries_alive_in_the_reference():
    ref = [np.array([1e-9, 0.0, 2.0, 3.0])]
    low = [np.array([0.0, 0.0, 2.0, 0.0])]
    assert efficiency.underflow_fraction(low, ref) == pytest.approx(2 / 3)
    assert efficiency.underflow_fraction(ref, ref) == 0.0
    assert efficiency.underflow_fraction([np.zeros(2)], [np.zeros(2)]) == 0.0


def test_underflow_fraction_accepts_tensors():
    tf = pytest.importorskip("tensorflow")
    g = tf.cast(tf.constant([1e-8, 1.0]), tf.float16)
    assert efficiency.underflow_fraction([g], [tf.constant([1e-8, 1.0])]) == 0.5


@pytest.mark.parametrize("grads, ref, err", [
    ([np.ones(2)], [np.ones(3)], ValueError),
    ([np.ones(2)], [np.ones(2), np.ones(2)], ValueError),
    ([], [], ValueError),
    (np.ones(2), [np.ones(2)], TypeError),
])
def test_underflow_fraction_rejects_bad_input(grads, ref, err):
    with pytest.raises(err):
        efficiency.underflow_fraction(grads, ref)


def test_accumulate_mean_is_the_large_batch_gradient():
    rng = np.random.default_rng(0)
    per_example = rng.standard_normal((12, 5))
    micro = [[per_example[i:i + 3].mean(axis=0)] for i in range(0, 12, 3)]
    mean = efficiency.accumulate(micro)
    assert np.allclose(mean[0], per_example.mean(axis=0))
    assert np.allclose(efficiency.accumulate(micro, mode="sum")[0], 4 * mean[0])


def test_accumulate_rejects_bad_input():
    with pytest.raises(ValueError, match="mode"):
        efficiency.accumulate([[np.ones(1)]], mode="avg")
    with pytest.raises(ValueError, match="micro_grads"):
        efficiency.accumulate([])
    with pytest.raises(ValueError, match="same number"):
        efficiency.accumulate([[np.ones(1)], [np.ones(1), np.ones(1)]])


def test_interleaved_min_times_calls_everything_and_validates():
    calls = {"a": 0, "b": 0}

    def count(name):
        def fn():
            calls[name] += 1
        return fn

    times = efficiency.interleaved_min_times({"a": count("a"), "b": count("b")}, 3)
    assert set(times) == {"a", "b"} and all(t >= 0 for t in times.values())
    assert calls == {"a": 4, "b": 4}          # one warm-up call each, then 3 rounds
    with pytest.raises(ValueError, match="repeats"):
        efficiency.interleaved_min_times({"a": count("a")}, 0)
    with pytest.raises(TypeError, match="fns"):
        efficiency.interleaved_min_times({"a": 1}, 1)
    with pytest.raises(ValueError, match="fns"):
        efficiency.interleaved_min_times({}, 1)


def test_intensities_and_roofline():
    n = 600
    assert efficiency.matmul_intensity(n, n, n) == pytest.approx(n / 6)
    assert efficiency.matmul_intensity(1, 1000, 1000) == pytest.approx(
        2e6 / (4 * (1000 + 1e6 + 1000)))
    assert efficiency.elementwise_intensity(1, 2) == pytest.approx(1 / 12)
    assert efficiency.elementwise_intensity(1, 1, bytes_per_element=2) == 0.25
    roof = efficiency.roofline([0.1, 10.0, 1000.0], peak_gflops=100.0, bandwidth_gbs=10.0)
    assert roof.tolist() == [1.0, 100.0, 100.0]
    with pytest.raises(ValueError, match="m must"):
        efficiency.matmul_intensity(0, 1, 1)
    with pytest.raises(ValueError, match="peak_gflops"):
        efficiency.roofline(1.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="intensity"):
        efficiency.roofline(-1.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="reads"):
        efficiency.elementwise_intensity(1, 0, 0)


def test_noise_scale_recovers_a_known_ratio():
    rng = np.random.default_rng(0)
    true_g = np.array([1.0, -2.0, 0.5, 0.0])       # |G|^2 = 5.25
    sigma = 3.0                                     # tr(Sigma) = 4 * 9 = 36
    grads = true_g + sigma * rng.standard_normal((20000, 4))
    ns = efficiency.noise_scale(grads)
    assert ns["trace_sigma"] == pytest.approx(36.0, rel=0.03)
    assert ns["grad_sq_norm"] == pytest.approx(5.25, rel=0.05)
    assert ns["b_simple"] == pytest.approx(36 / 5.25, rel=0.06)


def test_noise_scale_whole_population_uses_the_exact_mean():
    grads = np.array([[1.0, 0.0], [3.0, 0.0]])     # mean (2, 0), variance (1, 0)
    ns = efficiency.noise_scale(grads, whole_population=True)
    assert (ns["trace_sigma"], ns["grad_sq_norm"], ns["b_simple"]) == (1.0, 4.0, 0.25)
    sampled = efficiency.noise_scale(grads)          # ddof=1 and the bias correction
    assert sampled["trace_sigma"] == 2.0 and sampled["grad_sq_norm"] == 3.0


def test_noise_scale_is_infinite_without_signal_and_validates():
    grads = np.array([[1.0], [-1.0]])
    assert efficiency.noise_scale(grads)["b_simple"] == float("inf")
    with pytest.raises(ValueError, match="per_example_grads"):
        efficiency.noise_scale(np.ones(3))
    with pytest.raises(ValueError, match="finite"):
        efficiency.noise_scale(np.array([[np.nan], [1.0]]))
    with pytest.raises(TypeError, match="whole_population"):
        efficiency.noise_scale(grads, whole_population=1)


def test_fit_critical_batch_recovers_the_parameters():
    b = [8, 16, 32, 64, 128, 256]
    steps = [100 * (1 + 40 / x) for x in b]
    s_min, b_crit = efficiency.fit_critical_batch(b, steps)
    assert s_min == pytest.approx(100) and b_crit == pytest.approx(40)
    with pytest.raises(ValueError, match="distinct"):
        efficiency.fit_critical_batch([8, 8], [1.0, 2.0])
    with pytest.raises(ValueError, match="steps"):
        efficiency.fit_critical_batch([8, 16], [1.0])
    with pytest.raises(ValueError, match="batch_sizes"):
        efficiency.fit_critical_batch([0, 16], [1.0, 2.0])

"""Chapter 5.1–5.2: the environment page and the linear-regression project.

Both notebooks run once each with small parameters; the linear-regression notebook runs a
second time with another seed, to check that its claims do not hinge on one draw.
"""

import math

import pytest

from nbtools import dump, run_and_glue

pytestmark = pytest.mark.notebook

ENVIRONMENT = "notebooks/ch05/environment.ipynb"
LINREG = "notebooks/ch05/linear_regression.ipynb"
ENV_SMALL = {"seed": 0, "matmul_sizes": [64, 512], "repeats": 3}
LINREG_SMALL = {"n_samples": 100, "noise_std": 10.0, "epochs": 60, "learning_rate": 0.1,
                "n_test": 20_000, "noise_repeats": 30}


@pytest.fixture(scope="module")
def environment():
    return run_and_glue(ENVIRONMENT, ENV_SMALL)


# seed 0 last: its executed copy is the one the book is built from
@pytest.fixture(scope="module", params=[1, 0], ids=["seed1", "seed0"])
def linreg(request):
    return run_and_glue(LINREG, {"seed": request.param, **LINREG_SMALL})


# ---------------------------------------------------------------- 5.1 environment

def test_matmul_rate_is_measured(environment):
    g = environment
    assert math.isfinite(g["matmul_gflops"]) and g["matmul_gflops"] > 0, dump(g)
    assert g["matmul_size"] == 512 and g["matmul_size_smallest"] == 64
    # 2n³ flops at n=64 are ~0.5 MFLOP: per-call overhead dominates, so n=512 must be faster
    assert g["matmul_speedup"] > 1.0, dump(g)
    assert g["matmul_gflops_peak"] >= g["matmul_gflops"]


def test_environment_facts_the_prose_states(environment):
    g = environment
    assert g["env_python38_supported"] is False and g["env_tf_min_python_minor"] >= 9
    assert g["env_has_and_cuda_extra"] is True
    assert g["env_is_gpu_available_deprecated"] is True
    assert g["env_include_headers"] > 100 and g["env_include_shared_libs"] == 0
    assert g["env_keras_is_legacy"] is True
    assert g["env_cpu_count"] >= 1 and g["env_gpu_count"] >= 0
    assert 0 < g["env_peak_rss_gb"] < 16, dump(g)


def test_smoke_test_sum_is_plausible(environment):
    # sum of 10⁶ standard normals: N(0, 1000²); |z| > 5 has probability 6e-7
    assert abs(environment["env_smoke_z"]) < 5, dump(environment)


# ---------------------------------------------------------- 5.2 linear regression

def test_source_code_diverges_without_error(linreg):
    g = linreg
    assert g["seed_code_final_loss_is_finite"] is False, dump(g)
    assert 1 <= g["seed_code_first_nonfinite_epoch"] <= 5, dump(g)
    assert g["seed_code_epochs_run"] == 10  # fit does not stop on NaN
    assert g["seed_code_data_repeatable"] is False  # tf.random.set_seed does not seed NumPy


def test_gradient_explanation(linreg):
    g = linreg
    assert math.isclose(g["seed_code_sgd_lr"], 0.01, rel_tol=1e-6)
    # x ~ U(0, 100): λ_max ≈ 2·E[x²] + … ≈ 6700; stable rates are ~30x below 0.01
    assert 4000 < g["seed_code_lambda_max"] < 9000, dump(g)
    assert g["seed_code_max_stable_lr"] < g["seed_code_sgd_lr"] / 10
    assert g["seed_code_growth_per_step"] > 10
    assert g["seed_code_initial_grad_norm"] > 1000


def test_fixed_model_reaches_least_squares(linreg):
    g = linreg
    assert -1e-6 <= g["fixed_mse_rel_gap_vs_lstsq"] <= 1e-3, dump(g)
    assert abs(g["fixed_slope"] - g["lstsq_slope"]) < 1e-2
    assert abs(g["fixed_intercept"] - g["lstsq_intercept"]) < 0.5
    # least squares itself near the truth y = 2x + 3 (standard errors ≈ 0.035 and ≈ 2)
    assert abs(g["lstsq_slope"] - 2.0) < 0.2 and abs(g["lstsq_intercept"] - 3.0) < 12
    # the other runs are finite and in the neighbourhood; step 1 alone is not converged
    assert 0 <= g["minibatch_sgd_rel_gap"] < 0.3 and 0 <= g["minibatch_adam_rel_gap"] < 0.3
    assert g["standardized_only_rel_gap"] > g["fixed_mse_rel_gap_vs_lstsq"]


def test_test_mse_at_noise_floor(linreg):
    g = linreg
    n_test, n_train = LINREG_SMALL["n_test"], LINREG_SMALL["n_samples"]
    # MSE/σ² on n_test fresh points has sd ≈ sqrt(2/n_test) (0.01 here); the fitted line adds
    # an excess of about 2/n_train on average (one-sided), allowed up to 5x that
    sampling = 4 * math.sqrt(2 / n_test)
    ratio = g["test_mse_over_noise_floor"]
    assert 1 - sampling <= ratio <= 1 + sampling + 10 / n_train, dump(g)
    assert g["n_test"] == n_test and g["noise_std"] == 10.0


def test_noise_does_not_help(linreg):
    g = linreg
    assert g["noise_zero_distance"] < 1e-12
    assert g["noise_distance_increasing"] is True
    # expected squared distance of a least-squares line over U(0, 100): ≈ 2σ²/n = 2 here
    assert 0.5 < g["noise_default_distance"] < 6, dump(g)

"""Chapter 5.1–5.2: the environment page and the linear-regression project.

Each notebook has one page run (small parameters) and one variant at another size and
seed; every test asserts the same claims on both.
"""

import math

import pytest

from nbtools import dump, run_page, run_variant

pytestmark = pytest.mark.notebook

ENVIRONMENT = "notebooks/ch05/environment.ipynb"
LINREG = "notebooks/ch05/linear_regression.ipynb"
ENV_PAGE = {"seed": 0, "matmul_sizes": [64, 512], "repeats": 3}
LINREG_PAGE = {"seed": 0, "n_samples": 100, "noise_std": 10.0, "epochs": 60,
               "learning_rate": 0.1, "n_test": 20_000, "noise_repeats": 30}
LINREG_VARIANT = {"seed": 1, "n_samples": 300, "noise_std": 5.0, "epochs": 40,
                  "learning_rate": 0.2, "n_test": 20_000, "noise_repeats": 20}


@pytest.fixture(scope="module")
def env_page():
    return run_page(ENVIRONMENT, ENV_PAGE)


@pytest.fixture(scope="module")
def environment(env_page):
    # facts about this machine and its Python, not about sizes: one run
    return ENV_PAGE, env_page


@pytest.fixture(scope="module")
def linreg_page():
    return run_page(LINREG, LINREG_PAGE)


@pytest.fixture(scope="module")
def linreg_variant():
    return run_variant(LINREG, LINREG_VARIANT, tag="seed1")


@pytest.fixture(scope="module", params=["page", "variant"])
def linreg(request):
    params = LINREG_PAGE if request.param == "page" else LINREG_VARIANT
    return params, request.getfixturevalue(f"linreg_{request.param}")


# ---------------------------------------------------------------- 5.1 environment

def test_matmul_rate_is_measured(environment):
    params, g = environment
    assert math.isfinite(g["matmul_gflops"]) and g["matmul_gflops"] > 0, dump(g)
    assert g["matmul_size"] == params["matmul_sizes"][-1]
    assert g["matmul_size_smallest"] == params["matmul_sizes"][0]
    # 2n³ flops at the small size are tiny: per-call overhead dominates, so the large
    # size must sustain a higher rate
    assert g["matmul_speedup"] > 1.0, dump(g)
    assert g["matmul_gflops_peak"] >= g["matmul_gflops"]


def test_environment_facts_the_prose_states(environment):
    _, g = environment
    assert g["env_python38_supported"] is False and g["env_tf_min_python_minor"] >= 9
    assert g["env_has_and_cuda_extra"] is True
    assert g["env_is_gpu_available_deprecated"] is True
    assert g["env_include_headers"] > 100 and g["env_include_shared_libs"] == 0
    assert g["env_keras_is_legacy"] is True
    assert g["env_cpu_count"] >= 1 and g["env_gpu_count"] >= 0
    assert 0 < g["env_peak_rss_gb"] < 16, dump(g)
    assert g["env_peak_rss_share_of_16gb"] < 0.5, dump(g)  # errata: "far below 16 GB"


def test_legacy_keras_is_read_at_first_use_of_tf_keras(environment):
    _, g = environment
    assert g["env_legacy_set_after_import_works"] is True, dump(g)
    assert g["env_legacy_set_after_first_use_works"] is False, dump(g)


def test_appended_path_loses_to_the_system_python(environment):
    _, g = environment
    assert g["env_path_appended_runs_anaconda"] is False
    assert g["env_path_prepended_runs_anaconda"] is True


def test_smoke_test_sum_is_plausible(environment):
    # sum of 10⁶ standard normals: N(0, 1000²); |z| > 5 has probability 6e-7
    _, g = environment
    assert abs(g["env_smoke_z"]) < 5, dump(g)
    assert math.isclose(g["env_smoke_sum"], 1000 * g["env_smoke_z"])


# ---------------------------------------------------------- 5.2 linear regression

def test_source_code_diverges_without_error(linreg):
    _, g = linreg
    assert g["linreg_source_final_loss_is_finite"] is False, dump(g)
    # errata: "from the third epoch" (quoted from the page run by cross-page glue)
    assert 1 <= g["linreg_source_first_nonfinite_epoch"] <= 5, dump(g)
    assert g["linreg_source_first_loss"] > 1e4
    assert g["linreg_source_epochs_run"] == 10  # fit does not stop on NaN
    assert g["linreg_source_data_repeatable"] is False  # set_seed does not seed NumPy


def test_gradient_explanation(linreg):
    _, g = linreg
    assert math.isclose(g["linreg_source_sgd_lr"], 0.01, rel_tol=1e-6)
    # x ~ U(0, 100): λ_max ≈ 2·E[x²] + … ≈ 6700; stable rates are ~30x below 0.01
    assert 4000 < g["linreg_source_lambda_max"] < 9000, dump(g)
    assert 2e-4 < g["linreg_source_max_stable_lr"] < 5e-4  # errata: "about 3·10⁻⁴"
    assert g["linreg_source_max_stable_lr"] < g["linreg_source_sgd_lr"] / 10
    assert g["linreg_source_growth_per_step"] > 10
    assert math.isclose(g["linreg_source_loss_growth_per_epoch"],
                        g["linreg_source_growth_per_step"] ** 8, rel_tol=1e-9)
    assert g["linreg_source_initial_grad_norm"] > 1000


def test_fixed_model_reaches_least_squares(linreg):
    params, g = linreg
    assert -1e-6 <= g["linreg_fixed_mse_rel_gap_vs_lstsq"] <= 1e-3, dump(g)
    assert abs(g["linreg_fixed_slope"] - g["linreg_lstsq_slope"]) < 1e-2
    assert abs(g["linreg_fixed_intercept"] - g["linreg_lstsq_intercept"]) < 0.5
    # least squares itself near the truth y = 2x + 3: slope s.e. = σ/(sd(x)·√n) with
    # sd(x) = 100/√12 for x ~ U(0, 100), i.e. ≈ 0.035 at σ = 10, n = 100
    se_slope = params["noise_std"] / (100 / math.sqrt(12) * math.sqrt(params["n_samples"]))
    assert abs(g["linreg_lstsq_slope"] - 2.0) < 6 * se_slope, dump(g)
    assert abs(g["linreg_lstsq_intercept"] - 3.0) < 12
    # the other runs are finite and in the neighbourhood; step 1 alone is not converged
    assert 0 <= g["linreg_minibatch_sgd_rel_gap"] < 0.3
    assert 0 <= g["linreg_minibatch_adam_rel_gap"] < 0.3
    assert g["linreg_standardized_only_rel_gap"] > g["linreg_fixed_mse_rel_gap_vs_lstsq"]


def test_test_mse_at_noise_floor(linreg):
    params, g = linreg
    n_test, n_train = params["n_test"], params["n_samples"]
    # MSE/σ² on n_test fresh points has sd ≈ sqrt(2/n_test) (0.01 here); the fitted line
    # adds an excess of about 2/n_train on average (one-sided), allowed up to 5x that
    sampling = 4 * math.sqrt(2 / n_test)
    ratio = g["linreg_test_mse_over_noise_floor"]
    assert 1 - sampling <= ratio <= 1 + sampling + 10 / n_train, dump(g)
    assert g["linreg_n_test"] == n_test and g["linreg_noise_std"] == params["noise_std"]
    assert math.isclose(g["linreg_expected_excess"], 2 / n_train)
    assert math.isclose(g["linreg_fixed_test_mse"],
                        ratio * params["noise_std"] ** 2, rel_tol=1e-9)


def test_noise_does_not_help(linreg):
    params, g = linreg
    assert g["linreg_noise_zero_distance"] < 1e-12
    assert g["linreg_noise_distance_increasing"] is True
    # expected squared distance of a least-squares line over U(0, 100) at σ = 10:
    # ≈ 2σ²/n (= 2 at n = 100)
    expected = 2 * 10.0**2 / params["n_samples"]
    assert expected / 4 < g["linreg_noise_default_distance"] < 3 * expected, dump(g)

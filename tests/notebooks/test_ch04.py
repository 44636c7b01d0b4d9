"""Chapter 4: each notebook runs once as its page (small sizes) and once as a variant at
another size and seed; both runs must show what the chapter claims."""

import math

import pytest

from nbtools import dump, run_page, run_variant

pytestmark = pytest.mark.notebook

LOSSES = "notebooks/ch04/losses.ipynb"
GRADIENTS = "notebooks/ch04/gradients.ipynb"
BACKPROP = "notebooks/ch04/backprop.ipynb"
WORKED = "notebooks/ch04/worked_example.ipynb"

LOSSES_PAGE = {"seed": 0, "n_examples": 64, "n_classes": 4, "large_logit": 1000.0,
               "confident_logit": 100.0}
GRADIENTS_PAGE = {"seed": 0, "n_points": 40, "n_steps": 300,
                  "learning_rates": [0.02, 0.1, 0.3]}
BACKPROP_PAGE = {"seed": 0, "n_samples": 32, "hidden_units": 8, "train_steps": 150}
WORKED_PAGE = {"seed": 1, "n_samples": 50, "noise_std": 5.0, "n_steps": 200_000,
               "source_sign_steps": 5}
WORKED_VARIANT = {"seed": 2, "n_samples": 80, "noise_std": 12.0, "n_steps": 200_000,
                  "source_sign_steps": 4}


def _both(page, variant):
    @pytest.fixture(scope="module", params=["page", "variant"])
    def fixture(request):
        if request.param == "page":
            return request.getfixturevalue(page), PARAMS[page]
        return request.getfixturevalue(variant), PARAMS[variant]
    return fixture


PARAMS = {"losses_page": LOSSES_PAGE,
          "gradients_page": GRADIENTS_PAGE,
          "backprop_page": BACKPROP_PAGE,
          "worked_page": WORKED_PAGE, "worked_variant": WORKED_VARIANT}


@pytest.fixture(scope="module")
def losses_page():
    return run_page(LOSSES, LOSSES_PAGE)


@pytest.fixture(scope="module")
def gradients_page():
    return run_page(GRADIENTS, GRADIENTS_PAGE)


@pytest.fixture(scope="module")
def backprop_page():
    return run_page(BACKPROP, BACKPROP_PAGE)


@pytest.fixture(scope="module")
def worked_page():
    return run_page(WORKED, WORKED_PAGE)


@pytest.fixture(scope="module")
def worked_variant():
    return run_variant(WORKED, WORKED_VARIANT, tag="seed1")


def _page(page):
    @pytest.fixture(scope="module")
    def fixture(request):
        return request.getfixturevalue(page), PARAMS[page]
    return fixture


# equalities with Keras, finite differences and GradientTape: one run; the worked
# example also runs at another size and seed
losses = _page("losses_page")
gradients = _page("gradients_page")
backprop = _page("backprop_page")
worked = _both("worked_page", "worked_variant")


# --- losses ----------------------------------------------------------------------------

def test_numpy_losses_equal_keras(losses):
    g, _ = losses
    # the binary probability form differs by Keras's 1e-7 inside the log; the rest ~1e-15
    assert g["loss_max_rel_diff_vs_keras"] < 1e-5, dump(g)


def test_naive_cross_entropy_overflows_and_stable_does_not(losses):
    g, p = losses
    assert g["loss_naive_ce_is_finite"] is False, dump(g)
    assert g["loss_stable_ce_is_finite"] is True, dump(g)
    assert g["loss_stable_cat_ce_large_logit"] == pytest.approx(2 * p["large_logit"])
    assert g["loss_stable_bin_ce_large_logit"] == pytest.approx(p["large_logit"])
    assert g["loss_stable_vs_keras_large_logit_rel_diff"] < 1e-6


def test_source_cross_entropy_prefers_the_useless_model(losses):
    g, _ = losses
    assert g["loss_source_ce_always_positive"] < g["loss_source_ce_reasonable"], dump(g)
    assert g["loss_bce_always_positive"] > 10 * g["loss_bce_reasonable"], dump(g)


def test_probability_form_saturates_in_float32(losses):
    g, _ = losses
    assert 10.0 < g["loss_naive_float32_inf_from_logit"] < 25.0, dump(g)
    assert 14.0 < g["loss_keras_prob_plateau"] < 17.0, dump(g)


def test_keras_clips_only_probabilities_it_cannot_trace_to_a_sigmoid(losses):
    g, p = losses
    z = p["confident_logit"]
    assert g["loss_confident_logit"] == z
    # clipped: the loss is stuck near -log(1e-7) and the gradient is zero
    assert 14.0 < g["loss_clipped_eager_loss"] < 17.0, dump(g)
    assert 14.0 < g["loss_clipped_rewritten_loss"] < 17.0, dump(g)
    assert g["loss_clipped_eager_grad"] == 0.0, dump(g)
    # a sigmoid Keras can see: the logits are used, loss ~ z, gradient sigma(z) - 0 = 1
    assert g["loss_keras_model_loss"] == pytest.approx(z, rel=1e-4), dump(g)
    assert g["loss_traced_sigmoid_loss"] == pytest.approx(z, rel=1e-4), dump(g)
    assert g["loss_keras_model_grad"] == pytest.approx(1.0, abs=1e-6), dump(g)


# --- gradients -------------------------------------------------------------------------

def test_hand_gradient_passes_finite_differences(gradients):
    g, p = gradients
    assert g["gd_fd_n_points"] == p["n_points"]
    assert g["gd_fd_max_rel_diff"] <= 1e-5, dump(g)
    assert g["gd_fd_median_rel_diff"] <= g["gd_fd_max_rel_diff"]
    assert 1e-9 <= g["gd_fd_best_h"] <= 1e-3, dump(g)
    assert g["gd_fd_best_error"] < 1e-8, dump(g)


def test_descent_direction_and_learning_rates(gradients):
    g, p = gradients
    assert g["gd_n_steps"] == p["n_steps"]
    assert g["gd_descent_fraction"] == 1.0 and g["gd_ascent_fraction"] == 1.0
    assert g["gd_mid_distance"] < 1e-4 and g["gd_mid_final_loss"] < 1e-8, dump(g)
    assert g["gd_small_distance"] > g["gd_mid_distance"], dump(g)
    assert g["gd_small_alpha"] < g["gd_mid_alpha"] < g["gd_alpha_limit"], dump(g)
    # above 2/lambda_max the iteration cannot settle at the minimum
    assert g["gd_largest_alpha"] > g["gd_alpha_limit"], dump(g)
    assert g["gd_largest_alpha_converged"] is False, dump(g)
    assert g["gd_largest_alpha_diverged"] is True, dump(g)


# --- backpropagation -------------------------------------------------------------------

def test_backprop_equals_gradient_tape(backprop):
    g, p = backprop
    h = p["hidden_units"]
    assert g["backprop_max_rel_diff"] <= 1e-6, dump(g)
    assert g["backprop_loss_diff"] <= 1e-10, dump(g)
    assert g["backprop_fd_max_rel_diff"] <= 1e-5, dump(g)
    assert g["backprop_n_params"] == 13 * h + h + h * 3 + 3
    assert g["backprop_fd_forward_passes"] == 2 * g["backprop_n_params"]


def test_corrected_chain_rule_and_source_formula(backprop):
    g, _ = backprop
    assert g["backprop_chain_correct_rel_diff"] <= 1e-10, dump(g)
    assert g["backprop_chain_source_rel_diff"] > 0.1, dump(g)


def test_hand_backprop_trains(backprop):
    g, p = backprop
    assert g["backprop_train_steps"] == p["train_steps"]
    assert g["backprop_train_loss_last"] < 0.2 * g["backprop_train_loss_first"], dump(g)
    assert g["backprop_test_accuracy"] >= 0.85, dump(g)


# --- worked example --------------------------------------------------------------------

def test_source_sign_climbs_and_corrected_sign_descends(worked):
    g, p = worked
    assert g["we_source_sign_steps"] == p["source_sign_steps"]
    # with alpha = 1/lambda_max each ascent step multiplies the loss by about 4
    assert g["we_source_sign_loss_ratio"] > 3 ** p["source_sign_steps"], dump(g)
    assert g["we_fixed_sign_loss_ratio"] < 0.5, dump(g)
    assert g["we_source_grad_fd_rel_diff"] == pytest.approx(2.0, abs=1e-6)
    assert g["we_grad_fd_rel_diff"] < 1e-6 and g["we_grad_tape_rel_diff"] < 1e-10
    assert g["we_alpha"] == pytest.approx(g["we_alpha_max"] / 2)


def test_gradient_descent_reaches_least_squares(worked):
    g, p = worked
    assert g["we_n_steps"] == p["n_steps"]
    assert g["we_gd_rel_error_vs_lstsq"] <= 1e-3, dump(g)
    assert g["we_normal_vs_lstsq_rel_diff"] < 1e-8
    assert 0 < g["we_steps_to_tol_raw"] <= p["n_steps"], dump(g)
    assert g["we_steps_to_tol_standardized"] == 1, dump(g)
    assert g["we_standardized_condition_number"] == pytest.approx(1.0)
    assert g["we_condition_number"] > 100, dump(g)
    assert g["we_tolerance"] == 1e-3
    assert g["we_grad_norm_ratio"] < 1e-10, dump(g)
    assert g["we_grad_norm_lstsq"] < 1e-6 * g["we_grad_norm_start"]


def test_fit_reaches_the_noise_floor(worked):
    g, p = worked
    sigma = p["noise_std"]
    assert g["we_noise_std"] == sigma and g["we_n_samples"] == p["n_samples"]
    assert abs(g["we_sigma_hat"] - sigma) < 0.3 * sigma, dump(g)
    assert g["we_theta1_lstsq"] == pytest.approx(2.0, abs=0.15), dump(g)
    assert math.isfinite(g["we_theta0_gd"]) and g["we_theta1_gd"] == pytest.approx(
        g["we_theta1_lstsq"], rel=1e-3)

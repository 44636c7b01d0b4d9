"""Chapter 4: execute each notebook once with small parameters and check what it glues."""

import pytest

from nbtools import dump, run_and_glue

pytestmark = pytest.mark.notebook

LOSSES = "notebooks/ch04/losses.ipynb"
GRADIENTS = "notebooks/ch04/gradients.ipynb"
BACKPROP = "notebooks/ch04/backprop.ipynb"
WORKED = "notebooks/ch04/worked_example.ipynb"
WORKED_PARAMS = {"seed": 1, "n_samples": 50, "noise_std": 5.0, "n_steps": 200_000,
                 "seed_sign_steps": 5}


@pytest.fixture(scope="module")
def losses():
    return run_and_glue(LOSSES, {"seed": 0, "n_examples": 64, "n_classes": 4,
                                 "large_logit": 1000.0})


@pytest.fixture(scope="module")
def gradients():
    return run_and_glue(GRADIENTS, {"seed": 0, "n_points": 40, "n_steps": 300,
                                    "learning_rates": [0.02, 0.1, 0.3]})


@pytest.fixture(scope="module")
def backprop():
    return run_and_glue(BACKPROP, {"seed": 0, "n_samples": 32, "hidden_units": 8,
                                   "train_steps": 150})


@pytest.fixture(scope="module")
def worked():
    return run_and_glue(WORKED, WORKED_PARAMS)


# --- losses ----------------------------------------------------------------------------

def test_numpy_losses_equal_keras(losses):
    # the binary probability form differs by Keras's 1e-7 inside the log; the rest ~1e-15
    assert losses["losses_max_rel_diff_vs_keras"] < 1e-5, dump(losses)


def test_naive_cross_entropy_overflows_and_stable_does_not(losses):
    assert losses["naive_ce_is_finite"] is False, dump(losses)
    assert losses["stable_ce_is_finite"] is True, dump(losses)
    assert losses["stable_cat_ce_large_logit"] == pytest.approx(2000.0)
    assert losses["stable_bin_ce_large_logit"] == pytest.approx(1000.0)
    assert losses["stable_vs_keras_large_logit_rel_diff"] < 1e-6


def test_source_cross_entropy_prefers_the_useless_model(losses):
    assert losses["source_ce_always_positive"] < losses["source_ce_reasonable"], dump(losses)
    assert losses["bce_always_positive"] > 10 * losses["bce_reasonable"], dump(losses)


def test_probability_form_saturates_in_float32(losses):
    assert 10.0 < losses["naive_float32_inf_from_logit"] < 25.0, dump(losses)
    assert 14.0 < losses["keras_prob_plateau"] < 17.0, dump(losses)


# --- gradients -------------------------------------------------------------------------

def test_hand_gradient_passes_finite_differences(gradients):
    assert gradients["finite_diff_max_rel_diff"] <= 1e-5, dump(gradients)
    assert 1e-9 <= gradients["fd_best_h"] <= 1e-3, dump(gradients)


def test_descent_direction_and_learning_rates(gradients):
    assert gradients["descent_fraction"] == 1.0 and gradients["ascent_fraction"] == 1.0
    assert gradients["gd2d_mid_distance"] < 1e-4, dump(gradients)
    assert gradients["gd2d_largest_alpha_diverged"] is True, dump(gradients)
    assert gradients["gd2d_small_distance"] > gradients["gd2d_mid_distance"], dump(gradients)


# --- backpropagation -------------------------------------------------------------------

def test_backprop_equals_gradient_tape(backprop):
    assert backprop["backprop_max_rel_diff"] <= 1e-6, dump(backprop)
    assert backprop["backprop_fd_max_rel_diff"] <= 1e-5, dump(backprop)
    assert backprop["backprop_n_params"] == 13 * 8 + 8 + 8 * 3 + 3


def test_corrected_chain_rule_and_source_formula(backprop):
    assert backprop["chain_rule_correct_rel_diff"] <= 1e-10, dump(backprop)
    assert backprop["chain_rule_source_rel_diff"] > 0.1, dump(backprop)


def test_hand_backprop_trains(backprop):
    assert backprop["backprop_train_loss_last"] < 0.2 * backprop["backprop_train_loss_first"]
    assert backprop["backprop_test_accuracy"] >= 0.85, dump(backprop)


# --- worked example --------------------------------------------------------------------

def test_source_sign_climbs_and_corrected_sign_descends(worked):
    assert worked["seed_sign_loss_ratio"] > 1, dump(worked)
    # with alpha = 1/lambda_max each ascent step multiplies the loss by about 4
    assert worked["seed_sign_loss_ratio"] > 100, dump(worked)
    assert worked["fixed_sign_loss_ratio"] < 0.5, dump(worked)
    assert worked["seed_grad_fd_rel_diff"] == pytest.approx(2.0, abs=1e-6)
    assert worked["worked_grad_fd_rel_diff"] < 1e-6 and worked["worked_grad_tape_rel_diff"] < 1e-10


def test_gradient_descent_reaches_least_squares(worked):
    assert worked["gd_theta_rel_error_vs_lstsq"] <= 1e-3, dump(worked)
    assert worked["normal_vs_lstsq_rel_diff"] < 1e-8
    assert 0 < worked["steps_to_tol_raw"] <= WORKED_PARAMS["n_steps"], dump(worked)
    assert worked["steps_to_tol_standardized"] == 1, dump(worked)
    assert worked["grad_norm_ratio_opt_vs_start"] < 1e-10, dump(worked)


def test_fit_reaches_the_noise_floor(worked):
    sigma = WORKED_PARAMS["noise_std"]
    assert abs(worked["residual_sigma_hat"] - sigma) < 0.3 * sigma, dump(worked)
    assert worked["we_theta1_lstsq"] == pytest.approx(2.0, abs=0.1), dump(worked)

"""Chapter 3: each notebook runs once as its page (small sizes) and once as a variant at
another size and seed; both runs must show what the chapter claims."""

import math

import pytest

from nbtools import dump, run_page, run_variant

pytestmark = pytest.mark.notebook

OPTIMIZERS = "notebooks/ch03/optimizers.ipynb"
GRADIENTS = "notebooks/ch03/gradients.ipynb"


@pytest.fixture(scope="module")
def opt():
    return run_page(OPTIMIZERS, {"seed": 0, "steps": 100, "gd_steps": 150, "epochs": 4,
                                 "lr_grid": [0.01, 0.1, 1.0]})


@pytest.fixture(scope="module")
def grad():
    return run_page(GRADIENTS, {"seed": 0, "depth": 20, "epochs": 2, "train_size": 400,
                                "lr_sweep": [0.1, 10.0], "batch_size": 16})


@pytest.fixture(scope="module")
def grad_variant():
    # issue 16: at depth 15 the old fixed gain no longer exploded; the gain now follows depth
    return run_variant(GRADIENTS, {"seed": 1, "depth": 12, "epochs": 2, "train_size": 300,
                                   "lr_sweep": [1.0], "batch_size": 16}, tag="seed1")


@pytest.fixture(scope="module")
def o(opt):
    # step-by-step equalities with Keras: one run (the variant budget goes to gradients)
    return opt


@pytest.fixture(scope="module", params=["page", "variant"])
def g(request, grad, grad_variant):
    return grad if request.param == "page" else grad_variant


# --- optimizers ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["opt_sgd_vs_keras", "opt_momentum_vs_keras",
                                  "opt_nesterov_vs_keras", "opt_adagrad_vs_keras",
                                  "opt_rmsprop_vs_keras", "opt_adam_vs_keras"])
def test_optimizers_match_keras_step_by_step(o, name):
    assert o[name] <= 1e-6, dump(o)


def test_keras_float32_constants_are_what_makes_the_match_exact(o):
    assert 1e-10 < o["opt_adam_full_precision_rel_diff"] < 1e-4, dump(o)


def test_adam_is_momentum_over_rmsprop_and_the_source_formula_fails(o):
    assert o["opt_adam_m_vs_momentum_rel_diff"] < 1e-12, dump(o)
    assert o["opt_adam_v_vs_rmsprop_rel_diff"] < 1e-12, dump(o)
    assert o["opt_source_adam_nan_fraction"] > 0.5, dump(o)


def test_adam_second_moment_is_not_the_variance(o):
    assert o["opt_adam_v_vs_mean_square_rel_diff"] < 1e-12, dump(o)
    # E[g^2] = Var[g] + E[g]^2: with a drifting mean the variance is clearly smaller
    assert o["opt_adam_v_over_variance"] > 1.5, dump(o)
    assert o["opt_adam_v_vs_variance_rel_diff"] > 0.3, dump(o)


def test_keras_sgd_has_a_momentum_coefficient_and_no_inertia_weight(o):
    assert o["opt_sgd_has_momentum_argument"] is True, dump(o)
    assert o["opt_sgd_has_inertia_argument"] is False, dump(o)


def test_full_batch_is_plain_gradient_descent(o):
    assert o["opt_full_batch_equals_gd_max_diff"] == 0.0, dump(o)


def test_stochastic_gradient_is_unbiased_but_noisy(o):
    assert o["opt_sgd_gradient_mean_rel_error"] < 1e-12, dump(o)
    assert o["opt_sgd_gradient_noise_ratio"] > 0.5, dump(o)
    # per epoch, SGD is ahead of full-batch GD after the first pass
    assert o["opt_sgd_gap_after_one_epoch"] < o["opt_fullbatch_gap_after_one_epoch"] / 2
    assert o["opt_sgd_final_gap"] < o["opt_fullbatch_epochs_final_gap"], dump(o)
    assert o["opt_minibatch_final_gap"] < o["opt_fullbatch_epochs_final_gap"], dump(o)


def test_convergence_comparison(o):
    gaps = {k: v for k, v in o.items() if k.endswith("_final_gap")}
    assert all(v >= 0 and math.isfinite(v) for v in gaps.values()), dump(o)
    # momentum beats plain GD on the ill-conditioned problem, by orders of magnitude
    assert o["opt_momentum_final_gap"] < o["opt_gd_final_gap"] / 10, dump(o)
    assert o["opt_logreg_condition_number"] > 20, dump(o)
    assert 0.0 <= o["opt_rank_agreement_per_second"] <= 1.0, dump(o)


def test_schedules(o):
    assert o["opt_schedule_cosine_final_gap"] > 0, dump(o)
    assert o["opt_schedule_decay_gain"] > 0, dump(o)


# --- vanishing and exploding gradients -------------------------------------------------

def test_gradient_ratios(g):
    assert g["vg_ratio_sigmoid"] < 1e-4, dump(g)                 # vanishing
    assert 0.3 < g["vg_ratio_relu_he"] < 3.0, dump(g)            # near 1
    assert 0.3 < g["vg_ratio_tanh_glorot"] < 3.0, dump(g)
    assert g["vg_first_relu_naive"] > 1e6 * g["vg_first_relu_he"], dump(g)   # exploding
    assert g["vg_ratio_sigmoid_bn"] > 1e-2, dump(g)


def test_gaussian_initialization_needs_a_scale(g):
    assert g["vg_gauss_small_over_he"] < 1e-6, dump(g)
    assert g["vg_gauss_keras_over_he"] < 1e-2, dump(g)
    assert g["vg_gauss_unit_over_he"] > 1e6, dump(g)


def test_clipping_and_learning_rate_do_not_cure_vanishing(g):
    assert g["vg_clip_first_layer_gain"] <= 1.0 + 1e-6, dump(g)
    assert g["vg_lr_sweep_first_layer_moved_max"] < 1e-3, dump(g)
    assert g["vg_lr_sweep_best_loss"] > g["vg_chance_loss"] - 0.1, dump(g)


def test_explosion_comes_from_weights_not_small_inputs(g):
    small, unit = g["vg_growth_large_init_small_input"], g["vg_growth_large_init_unit_input"]
    assert g["vg_explode_gain"] ** (g["vg_depth"] - 1) == pytest.approx(
        g["vg_explode_growth"]), dump(g)
    assert abs(unit / g["vg_explode_gain"] - 1) < 0.15, dump(g)
    assert abs(small / unit - 1) < 0.02, dump(g)
    assert abs(g["vg_growth_he_unit_input"] - 1.0) < 0.15, dump(g)
    assert g["vg_first_grad_small_over_unit_input"] < 1e-2, dump(g)


def test_clipping_prevents_divergence(g):
    assert g["vg_clipping_prevents_divergence"] is True, dump(g)
    assert g["vg_unclipped_diverged"] is True
    assert g["vg_clipped_final_loss"] < g["vg_clipped_start_loss"]
    assert g["vg_explode_grad_norm_start"] > 100 * g["vg_he_grad_norm_start"], dump(g)


def test_a_smaller_rate_shrinks_the_step_not_the_gradient(g):
    assert g["vg_small_rate"] * g["vg_explode_grad_norm_start"] == pytest.approx(0.01)
    assert g["vg_small_lr_broke"] is False, dump(g)
    assert g["vg_small_lr_grad_norm_end"] > 10 * g["vg_he_grad_norm_start"], dump(g)
    assert g["vg_small_lr_final_loss"] > 10 * g["vg_fix_loss_relu_he"], dump(g)


def test_fixes_train_where_the_plain_sigmoid_net_does_not(g):
    assert g["vg_fix_loss_relu_he"] < g["vg_fix_loss_plain"] - 0.3, dump(g)
    assert g["vg_fix_loss_plain"] > g["vg_chance_loss"] - 0.1, dump(g)
    # Adam bounds the steps but the gradients of the exploding net stay large
    assert g["vg_adam_explode_grad_norm_end"] > 10 * g["vg_he_grad_norm_start"], dump(g)
    assert g["vg_adam_explode_final_loss"] > g["vg_fix_loss_relu_he"], dump(g)

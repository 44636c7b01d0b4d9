"""Chapter 3: execute both notebooks with small parameters and check what they glue."""

import math

import pytest

from nbtools import dump, run_and_glue

pytestmark = pytest.mark.notebook

OPTIMIZERS = "notebooks/ch03/optimizers.ipynb"
GRADIENTS = "notebooks/ch03/gradients.ipynb"


@pytest.fixture(scope="module")
def opt():
    return run_and_glue(OPTIMIZERS, {"seed": 0, "steps": 100, "gd_steps": 150, "epochs": 4,
                                     "lr_grid": [0.01, 0.1, 1.0]})


@pytest.fixture(scope="module")
def grad():
    return run_and_glue(GRADIENTS, {"seed": 0, "depth": 20, "epochs": 2, "train_size": 400,
                                    "lr_sweep": [0.1, 10.0], "batch_size": 16})


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_optimizers_match_keras_step_by_step(opt, name):
    assert opt[f"{name}_max_rel_diff_vs_keras"] <= 1e-6, dump(opt)
    assert opt["ch03_steps"] == 100


def test_keras_float32_constants_are_what_makes_the_match_exact(opt):
    assert 1e-10 < opt["adam_full_precision_rel_diff"] < 1e-4, dump(opt)


def test_adam_is_momentum_over_rmsprop_and_the_source_formula_fails(opt):
    assert opt["adam_m_vs_momentum_rel_diff"] < 1e-12, dump(opt)
    assert opt["adam_v_vs_rmsprop_rel_diff"] < 1e-12, dump(opt)
    assert opt["source_adam_nan_fraction"] > 0.5, dump(opt)


def test_full_batch_is_plain_gradient_descent(opt):
    assert opt["full_batch_equals_gd_max_diff"] == 0.0, dump(opt)


def test_stochastic_gradient_is_unbiased_but_noisy(opt):
    assert opt["sgd_gradient_mean_rel_error"] < 1e-12, dump(opt)
    assert opt["sgd_gradient_noise_ratio"] > 0.5, dump(opt)
    # per epoch, SGD is ahead of full-batch GD after the first pass
    assert opt["sgd_gap_after_one_epoch"] < opt["fullbatch_gap_after_one_epoch"] / 2, dump(opt)
    assert opt["sgd_final_gap"] < opt["fullbatch_epochs_final_gap"], dump(opt)
    assert opt["minibatch_final_gap"] < opt["fullbatch_epochs_final_gap"], dump(opt)


def test_convergence_comparison(opt):
    gaps = {k: v for k, v in opt.items() if k.endswith("_final_gap")}
    assert all(v >= 0 and math.isfinite(v) for v in gaps.values()), dump(opt)
    # momentum beats plain GD on the ill-conditioned problem, by orders of magnitude
    assert opt["momentum_final_gap"] < opt["gd_final_gap"] / 10, dump(opt)
    assert opt["logreg_condition_number"] > 20, dump(opt)


def test_gradient_ratios(grad):
    assert grad["grad_norm_ratio_sigmoid"] < 1e-6, dump(grad)           # vanishing
    assert 0.5 < grad["grad_norm_ratio_relu_he"] < 2.0, dump(grad)      # near 1
    assert 0.5 < grad["grad_norm_ratio_tanh_glorot"] < 2.0, dump(grad)
    assert grad["grad_norm_first_relu_naive"] > 1e6, dump(grad)         # exploding
    assert grad["grad_norm_ratio_sigmoid_bn"] > 1e-2, dump(grad)


def test_clipping_and_learning_rate_do_not_cure_vanishing(grad):
    assert grad["clip_first_layer_gain"] <= 1.0 + 1e-6, dump(grad)
    assert grad["lr_sweep_first_layer_moved_max"] < 1e-6, dump(grad)
    assert grad["lr_sweep_best_loss"] > grad["chance_loss"] - 0.1, dump(grad)


def test_explosion_comes_from_weights_not_small_inputs(grad):
    small, unit = grad["growth_large_init_small_input"], grad["growth_large_init_unit_input"]
    assert small > 1.3 and abs(small - unit) < 0.05, dump(grad)
    assert abs(grad["growth_he_unit_input"] - 1.0) < 0.1, dump(grad)
    assert grad["first_grad_small_over_unit_input"] < 1e-2, dump(grad)


def test_clipping_prevents_divergence(grad):
    assert grad["clipping_prevents_divergence"] is True, dump(grad)
    assert grad["unclipped_diverged"] is True
    assert grad["clipped_final_loss"] < grad["clipped_start_loss"]
    assert grad["explode_grad_norm_start"] > 100, dump(grad)


def test_fixes_train_where_the_plain_sigmoid_net_does_not(grad):
    assert grad["fix_loss_relu_he"] < grad["fix_loss_plain"] - 0.3, dump(grad)
    assert grad["fix_loss_plain"] > grad["chance_loss"] - 0.1, dump(grad)
    # Adam bounds the steps but the gradients of the exploding net stay large
    assert grad["adam_explode_grad_norm_end"] > 10 * grad["he_grad_norm_start"], dump(grad)
    assert grad["adam_explode_final_loss"] > grad["fix_loss_relu_he"], dump(grad)

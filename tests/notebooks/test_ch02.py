"""Chapter 2: execute each notebook once with small parameters and check what it glues."""

import math

import pytest

from nbtools import dump, run_and_glue

pytestmark = pytest.mark.notebook

LR_GRID = [0.001, 0.1, 3.0, 30.0]


@pytest.fixture(scope="module")
def parameters():
    return run_and_glue("notebooks/ch02/parameters.ipynb", {"seed": 0})


@pytest.fixture(scope="module")
def metrics():
    return run_and_glue("notebooks/ch02/metrics.ipynb", {"seed": 0, "thresholds": 101})


@pytest.fixture(scope="module")
def architectures():
    return run_and_glue("notebooks/ch02/architectures.ipynb", {"seed": 0, "epochs": 4})


@pytest.fixture(scope="module")
def pipeline():
    return run_and_glue("notebooks/ch02/data_pipeline.ipynb",
                        {"seed": 0, "epochs": 15, "throughput_epochs": 1, "repeats": 2})


@pytest.fixture(scope="module")
def tuning():
    return run_and_glue("notebooks/ch02/tuning.ipynb", {"seed": 0, "epochs": 5, "lr_grid": LR_GRID,
                                              "init_epochs": 3, "reg_epochs": 40})


def test_parameter_formulas_match_keras(parameters):
    assert parameters["param_count_formula_matches"] is True, dump(parameters)
    assert parameters["param_count_cases"] >= 10
    assert parameters["gru_reset_after_extra"] == 3 * 32          # 3 gates x 32 units


def test_learning_rate_is_not_a_parameter(parameters):
    assert parameters["lr_changes_param_count"] is False
    assert parameters["lr_has_gradient"] is False
    assert parameters["lr_after_training"] == pytest.approx(1e-3)
    assert parameters["bias_fraction_updated"] > 0.5               # biases train like weights


def test_metrics_match_sklearn_and_accuracy_misleads(metrics):
    assert metrics["metrics_max_abs_diff_vs_sklearn"] <= 1e-12, dump(metrics)
    assert metrics["digits_macro_f1"] > 0.9
    # the trivial classifier: accuracy equals the majority share, recall is zero
    assert metrics["trivial_accuracy"] == pytest.approx(1 - metrics["imbalanced_positive_rate"])
    assert metrics["trivial_accuracy"] > 0.85 and metrics["trivial_recall"] == 0.0
    assert metrics["model_recall_imbalanced"] >= 0.7


def test_recall_first_threshold(metrics):
    assert 0.0 < metrics["recall_first_threshold"] < 0.5             # below the default 0.5
    assert 0.5 < metrics["recall_first_precision"] <= metrics["best_f1"] + 0.2
    assert metrics["best_f1"] > 0.9


def test_architectures(architectures):
    g = architectures
    assert g["arch_formula_matches"] is True, dump(g)
    assert g["arch_params_perceptron"] == 64 * 10 + 10
    assert g["arch_params_perceptron"] < g["arch_params_mlp"] < g["arch_params_cnn"]
    for key in ("perceptron", "mlp", "cnn", "rnn"):
        assert 0.5 < g[f"arch_acc_{key}"] <= 1.0, dump(g)
        assert g[f"arch_seconds_{key}"] > 0
    assert max(g[f"arch_acc_{k}"] for k in ("perceptron", "mlp", "cnn", "rnn")) > 0.85


def test_pipeline_is_faster_and_augmentation_helps_on_shifted_data(pipeline):
    g = pipeline
    assert g["pipeline_speedup"] > 1.0, dump(g)
    assert g["tfdata_examples_per_s"] > g["naive_examples_per_s"]
    assert g["input_only_speedup"] > 1.0, dump(g)            # the input work alone, too
    # with few epochs augmentation may cost a little clean accuracy, but it must not wreck it
    assert -0.15 < g["augmentation_acc_delta"] < 0.15, dump(g)
    assert g["augmentation_shifted_acc_delta"] > 0.05, dump(g)


def test_learning_rate_sweep(tuning):
    g = tuning
    assert g["lr_diverges_at"] in LR_GRID and g["lr_diverges_at"] >= 1.0, dump(g)
    assert g["lr_all_below_converge"] is True
    assert g["lr_best"] == 0.1
    # the smallest rate is slow: it barely moves while the best rate goes far
    assert g["lr_smallest_drop"] < 0.2
    assert g["lr_best_loss"] < g["lr_start_loss"] - 1.0
    assert g["lr_diverged_max_loss"] > g["lr_start_loss"]
    # past the edge the run never recovers: about chance-level loss, mostly dead ReLU units
    assert g["lr_diverges_at"] <= g["lr_fails_at"] and g["lr_fails_loss"] > 2.0, dump(g)
    assert g["lr_fails_dead"] > g["lr_best_dead"] + 0.3


def test_initialization(tuning):
    g = tuning
    assert g["init_grad_zeros"] == 0.0
    assert g["init_grad_small"] < 1e-3 < g["init_grad_glorot"]        # vanishing
    assert g["init_grad_large"] > 100 * g["init_grad_he"]              # exploding
    assert g["init_spread_large"] > 100 and g["init_spread_small"] < 1e-3
    assert 0.5 < g["init_spread_he"] < 2.0
    assert g["init_acc_he"] > g["init_acc_zeros"] + 0.2
    assert g["init_acc_zeros"] < 0.2 and g["init_acc_large"] < 0.3


def test_regularization_closes_the_gap(tuning):
    g = tuning
    assert g["gap_none"] > 0.0, dump(g)
    assert g["dropout_gap_reduction"] > 0.05, dump(g)
    assert g["l2_gap_reduction"] > 0.0 and g["l1_gap_reduction"] > 0.0
    assert math.isfinite(g["val_acc_dropout"]) and g["val_acc_dropout"] > g["val_acc_none"] - 0.02

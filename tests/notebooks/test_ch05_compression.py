"""Chapter 5.4 (compression): run both notebooks once with small parameters, check the claims."""

import math

import pytest

from nbtools import dump, run_and_glue

pytestmark = pytest.mark.notebook

PRUNING = "notebooks/ch05/compression.ipynb"
COMPARISON = "notebooks/ch05/compression_comparison.ipynb"
PRUNING_SMALL = {"seed": 0, "epochs": 10, "finetune_epochs": 3, "final_sparsity": 0.8,
                 "sweep_sparsities": [0.0, 0.8], "strategy_epochs": 1}
COMPARISON_SMALL = {"seed": 0, "epochs": 10, "finetune_epochs": 3, "final_sparsity": 0.9,
                    "num_clusters": 8, "lowrank_ranks": [8, 32], "student_width": 16,
                    "distill_sweep": [], "distill_repeats": 1, "representative_samples": 50,
                    "latency_runs": 50, "latency_rounds": 1}


@pytest.fixture(scope="module")
def pruning():
    return run_and_glue(PRUNING, PRUNING_SMALL)


@pytest.fixture(scope="module")
def comparison():
    return run_and_glue(COMPARISON, COMPARISON_SMALL)


def test_source_listing_errors_are_real(pruning):
    # errata rows: nonexistent API, wrong kwargs, missing callback, strategy scope, strip
    for key in ("source_api_missing", "source_params_ignored", "source_kwargs_rejected",
                "missing_callback_error", "strategy_pitfall_error", "reload_needs_scope"):
        assert pruning[key] is True, (key, dump(pruning))
    # the source's schedule (begin 10, end 50, default frequency 100) prunes nothing
    assert pruning["frequency_pitfall_sparsity"] == 0.0
    # a 2-weight model: the weights are a negligible part of its file
    assert pruning["tiny_params"] == 2
    assert pruning["tiny_weight_fraction"] < 0.05
    # unstripped wrappers carry a mask per kernel: about twice the parameters
    assert 1.9 < pruning["unstripped_params_ratio"] < 2.1


def test_pruning_reaches_the_requested_sparsity(pruning):
    target = PRUNING_SMALL["final_sparsity"]
    assert pruning["pruned_sparsity"] >= target - 0.01, dump(pruning)
    assert abs(pruning["pruned_sparsity"] - target) <= 0.01
    assert pruning["pruned_overall_sparsity"] < pruning["pruned_sparsity"]   # biases stay dense
    assert abs(pruning["constant_sparsity"] - target) <= 0.01
    assert pruning["strategy_pruned_sparsity"] >= target - 0.01
    assert pruning["sweep_sparsity_error"] <= 0.01


def test_pruned_model_keeps_accuracy_and_shrinks(pruning):
    assert pruning["baseline_accuracy"] >= 0.95, dump(pruning)
    assert pruning["pruned_accuracy"] >= pruning["baseline_accuracy"] - 0.03
    assert pruning["gzip_ratio_pruned"] > 2.5
    # fine-tuned pruning beats one-shot zeroing at the largest sweep target
    assert pruning["sweep_tuned_accuracy_at_max"] >= pruning["sweep_oneshot_accuracy_at_max"]


def test_two_four_structure_is_verified(pruning):
    assert pruning["m_by_n_valid"] is True
    assert pruning["baseline_m_by_n_violations"] > 0      # the check can fail
    assert pruning["m_by_n_sparsity"] == pytest.approx(0.5, abs=0.01)
    assert pruning["m_by_n_accuracy"] >= pruning["baseline_accuracy"] - 0.05


def test_quantized_models_keep_accuracy(comparison):
    assert abs(comparison["float32_accuracy"] - comparison["keras_accuracy"]) <= 0.005
    assert comparison["int8_accuracy"] >= comparison["float32_accuracy"] - 0.02, dump(comparison)
    assert comparison["qat_accuracy"] >= comparison["keras_accuracy"] - 0.03
    assert comparison["int8_size_ratio"] > 3.0


def test_clustering_lowrank_and_distillation(comparison):
    assert 1 <= comparison["clustered_unique_values_max"] <= COMPARISON_SMALL["num_clusters"]
    assert comparison["gzip_ratio_clustered"] > 2.0
    assert 0 < comparison["lowrank_params_ratio"] < 1
    assert comparison["lowrank_rank"] in COMPARISON_SMALL["lowrank_ranks"]
    assert comparison["distilled_accuracy"] >= 0.8
    assert math.isclose(comparison["distilled_minus_student_accuracy"],
                        comparison["distilled_accuracy"] - comparison["student_accuracy"],
                        abs_tol=1e-9)


def test_pruned_int8_is_much_smaller_and_beats_the_guide(comparison):
    assert comparison["pipeline_pruned_sparsity"] >= COMPARISON_SMALL["final_sparsity"] - 0.01
    # sparsity-preserving clustering keeps the zeros
    kept = comparison["pipeline_clustered_sparsity"]
    assert kept >= comparison["pipeline_pruned_sparsity"] - 1e-3
    assert comparison["gzip_ratio_pruned_int8"] >= 8.0, dump(comparison)
    assert comparison["gzip_ratio_pruned_int8"] > comparison["gzip_ratio_guide"]
    assert comparison["pruned_int8_accuracy_drop"] <= 0.03
    # the guide's schedule never fires on this small data set (end_step < frequency)
    assert comparison["guide_end_step"] < 100
    assert comparison["guide_sparsity"] < 0.05


def test_latency_is_measured_consistently(comparison):
    assert comparison["latency_float32_us"] > 0 and comparison["latency_int8_us"] > 0
    assert math.isclose(comparison["latency_ratio_int8"],
                        comparison["latency_float32_us"] / comparison["latency_int8_us"],
                        rel_tol=1e-6)

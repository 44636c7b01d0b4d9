"""Chapter 5.4 (compression): each notebook's page run, plus one variant at another size
and seed asserting the same claims."""

import math

import pytest

from nbtools import dump, run_page, run_variant

pytestmark = pytest.mark.notebook

PRUNING = "notebooks/ch05/compression.ipynb"
COMPARISON = "notebooks/ch05/compression_comparison.ipynb"
PRUNING_SMALL = {"seed": 0, "epochs": 10, "finetune_epochs": 3, "final_sparsity": 0.8,
                 "sweep_sparsities": [0.0, 0.8], "strategy_epochs": 1}
PRUNING_OTHER = {"seed": 1, "epochs": 8, "finetune_epochs": 2, "final_sparsity": 0.7,
                 "sweep_sparsities": [0.0, 0.9], "strategy_epochs": 1, "batch_size": 64}
COMPARISON_SMALL = {"seed": 0, "epochs": 10, "finetune_epochs": 3, "final_sparsity": 0.9,
                    "num_clusters": 8, "lowrank_ranks": [8, 32], "student_width": 16,
                    "distill_sweep": [], "distill_repeats": 2,
                    "representative_samples": 50, "latency_runs": 50, "latency_rounds": 1}


@pytest.fixture(scope="module")
def pruning():
    return run_page(PRUNING, PRUNING_SMALL)


@pytest.fixture(scope="module")
def pruning_other():
    return run_variant(PRUNING, PRUNING_OTHER, tag="seed1")


@pytest.fixture(scope="module")
def comparison():
    return run_page(COMPARISON, COMPARISON_SMALL)


@pytest.mark.parametrize("which", ["page", "other"])
def test_source_listing_errors_are_real(request, which):
    g = request.getfixturevalue("pruning" if which == "page" else "pruning_other")
    # errata rows: nonexistent API, wrong kwargs, missing callback, strategy scope, strip
    for key in ("prune_source_api_missing", "prune_source_params_ignored",
                "prune_source_kwargs_rejected", "prune_missing_callback_error",
                "prune_strategy_pitfall_error", "prune_reload_needs_scope"):
        assert g[key] is True, (key, dump(g))
    # the source's schedule (begin 10, end 50, default frequency 100) prunes nothing
    assert g["prune_frequency_pitfall_sparsity"] == 0.0
    # a 2-weight model: the weights are a negligible part of its file
    assert g["prune_tiny_params"] == 2
    assert g["prune_tiny_weight_fraction"] < 0.05
    assert g["prune_tiny_gzip_bytes"] > 1000
    # unstripped wrappers carry a mask per kernel: about twice the parameters
    assert 1.9 < g["prune_unstripped_params_ratio"] < 2.1


@pytest.mark.parametrize("which", ["page", "other"])
def test_pruning_reaches_the_requested_sparsity_and_keeps_accuracy(request, which):
    g = request.getfixturevalue("pruning" if which == "page" else "pruning_other")
    params = PRUNING_SMALL if which == "page" else PRUNING_OTHER
    target = params["final_sparsity"]
    assert abs(g["prune_sparsity"] - target) <= 0.01, dump(g)
    assert g["prune_overall_sparsity"] < g["prune_sparsity"]   # biases stay dense
    assert abs(g["prune_constant_sparsity"] - target) <= 0.01
    assert g["prune_strategy_sparsity"] >= target - 0.01
    assert g["prune_sweep_sparsity_error"] <= 0.01
    assert g["prune_params_unchanged"] is True
    assert g["prune_baseline_accuracy"] >= 0.93, dump(g)
    assert g["prune_accuracy"] >= g["prune_baseline_accuracy"] - 0.03
    assert g["prune_gzip_ratio"] > 2.0
    # fine-tuned pruning beats one-shot zeroing at the largest sweep target
    assert g["prune_sweep_tuned_accuracy_at_max"] >= g["prune_sweep_oneshot_accuracy_at_max"]
    assert g["prune_n_train"] + g["prune_n_test"] == 1797


def test_two_four_structure_is_verified(pruning):
    assert pruning["prune_m_by_n_valid"] is True
    assert pruning["prune_baseline_m_by_n_violations"] > 0      # the check can fail
    assert pruning["prune_m_by_n_sparsity"] == pytest.approx(0.5, abs=0.01)
    assert pruning["prune_m_by_n_accuracy"] >= pruning["prune_baseline_accuracy"] - 0.05


@pytest.mark.parametrize("which", ["page"])  # the comparison runs once (costly)
def test_quantization_keeps_parameters_and_accuracy(request, which):
    g = request.getfixturevalue("comparison")
    assert g["cmp_float32_logits_rel_diff"] < 1e-4, dump(g)
    assert abs(g["cmp_float32_accuracy"] - g["cmp_keras_accuracy"]) <= 0.005
    assert g["cmp_int8_accuracy"] >= g["cmp_float32_accuracy"] - 0.02
    assert g["cmp_qat_accuracy"] >= g["cmp_keras_accuracy"] - 0.03
    assert g["cmp_int8_size_ratio"] > 3.0
    # the errata row: quantization keeps the parameter count
    assert g["cmp_params_int8"] == g["cmp_params_keras"]
    assert g["cmp_params_kept_by_quantization"] is True
    assert g["cmp_n_test"] == 450 and g["cmp_n_train"] == 1347


@pytest.mark.parametrize("which", ["page"])  # the comparison runs once (costly)
def test_clustering_lowrank_and_distillation(request, which):
    g = request.getfixturevalue("comparison")
    params = COMPARISON_SMALL
    assert 1 <= g["cmp_clustered_unique_values_max"] <= params["num_clusters"]
    assert g["cmp_gzip_ratio_clustered"] > 2.0
    assert 0 < g["cmp_lowrank_params_ratio"] < 1
    assert g["cmp_lowrank_rank"] in params["lowrank_ranks"]
    assert g["cmp_student_accuracy"] >= 0.8
    assert g["cmp_distilled_accuracy"] >= 0.6   # learns, if less well (the page's finding)
    # what the seeds show, counted consistently
    n = params["distill_repeats"]
    assert g["cmp_distill_repeats"] == n
    assert g["cmp_distill_seeds_better"] + g["cmp_distill_seeds_worse"] <= n
    assert (g["cmp_distill_min_gain"] <= g["cmp_distilled_minus_student_accuracy"]
            <= g["cmp_distill_max_gain"])
    assert math.isclose(g["cmp_distilled_minus_student_accuracy"],
                        g["cmp_distilled_accuracy"] - g["cmp_student_accuracy"],
                        abs_tol=1e-9)
    # distillation buys no measurable gain on this task (the page's reading)
    assert g["cmp_distilled_minus_student_accuracy"] < 0.02, dump(g)


@pytest.mark.parametrize("which", ["page"])  # the comparison runs once (costly)
def test_pruned_int8_is_much_smaller_and_beats_the_guide(request, which):
    g = request.getfixturevalue("comparison")
    params = COMPARISON_SMALL
    assert g["cmp_pipeline_pruned_sparsity"] >= params["final_sparsity"] - 0.01
    # sparsity-preserving clustering keeps the zeros
    assert g["cmp_pipeline_clustered_sparsity"] >= g["cmp_pipeline_pruned_sparsity"] - 1e-3
    assert g["cmp_gzip_ratio_pruned_int8"] >= 7.0, dump(g)
    assert g["cmp_gzip_ratio_pruned_int8"] > g["cmp_gzip_ratio_guide"]
    assert g["cmp_pruned_int8_accuracy_drop"] <= 0.03
    # the guide's schedule never fires on this small data set (end_step < frequency)
    assert g["cmp_guide_end_step"] < 100
    assert g["cmp_guide_sparsity"] < 0.05
    # the two facts chapter 8 quotes are consistent with the measured ratios
    assert g["cmp_pipeline_beats_each_alone"] is (g["cmp_pipeline_size_advantage"] > 1)
    assert g["cmp_pipeline_beats_each_alone"] is True, dump(g)   # chapter 8 quotes it
    assert g["cmp_student_size_ratio"] > 1.0 and g["cmp_student_tflite_accuracy"] > 0.6
    assert g["cmp_int8_faster"] is (g["cmp_latency_ratio_int8"] > 1)
    assert g["cmp_best_size_ratio"] >= 1.0
    assert g["cmp_best_accuracy"] >= g["cmp_float32_accuracy"] - 0.01
    assert g["cmp_best_single_size_ratio"] > 1.0


def test_latency_is_measured_consistently(comparison):
    c = comparison
    assert c["cmp_latency_float32_us"] > 0 and c["cmp_latency_int8_us"] > 0
    assert math.isclose(c["cmp_latency_ratio_int8"],
                        c["cmp_latency_float32_us"] / c["cmp_latency_int8_us"],
                        rel_tol=1e-6)
    assert c["cmp_latency_floor_us"] > 0 and c["cmp_latency_ratio_pruned_int8"] > 0

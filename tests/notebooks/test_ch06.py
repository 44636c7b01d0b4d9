"""Chapter 6: execute the four case studies with small parameters and check what they glue."""

import pytest

from nbtools import dump, run_and_glue

pytestmark = pytest.mark.notebook

MEDICINE = "notebooks/ch06/medicine.ipynb"
FINANCE = "notebooks/ch06/finance.ipynb"
DRIVING = "notebooks/ch06/driving.ipynb"
NLP = "notebooks/ch06/nlp.ipynb"


# ------------------------------------------------------------------------------ medicine


@pytest.fixture(scope="module")
def med():
    return run_and_glue(MEDICINE, {"seed": 0, "epochs": 150, "target_recall": 0.98,
                                   "n_trees": 60})


def test_medicine_recall_first_threshold(med):
    assert med["med_test_recall_at_threshold"] >= 0.98 - 0.05, dump(med)
    assert med["med_test_recall_at_threshold"] >= med["med_test_recall_default"], dump(med)
    assert med["med_missed_at_threshold"] <= med["med_missed_default"], dump(med)
    assert 0 < med["med_threshold"] < 0.5, dump(med)  # recall-first lowers the threshold
    assert 0.4 < med["med_test_precision_at_threshold"] <= 1.0, dump(med)


def test_medicine_fusion_is_close_to_the_best_member(med):
    # averaging three good models is never far from the best one picked with hindsight,
    # and never worse than the worst one
    assert abs(med["med_ensemble_minus_best_member_auc"]) < 0.03, dump(med)
    assert med["med_ensemble_auc"] >= med["med_worst_member_auc"] - 1e-9, dump(med)
    assert med["med_ensemble_auc"] > 0.95, dump(med)
    assert med["med_brier_average"] < 0.08, dump(med)


# ------------------------------------------------------------------------------- finance


@pytest.fixture(scope="module")
def fin():
    return run_and_glue(FINANCE, {"seed": 0, "epochs": 16, "n_samples": 20000})


def test_finance_accuracy_rewards_ignoring_the_rare_class(fin):
    assert fin["fin_constant_accuracy"] == pytest.approx(1 - fin["fin_prevalence"])
    assert 0.01 < fin["fin_prevalence"] < 0.06, dump(fin)


def test_finance_models_rank_far_better_than_chance(fin):
    for key in ("fin_pr_auc_unweighted", "fin_pr_auc_weighted", "fin_pr_auc_focal"):
        assert fin[key] > 4 * fin["fin_prevalence"], (key, dump(fin))


def test_finance_class_weights_raise_recall_and_threshold_lowers_cost(fin):
    assert fin["fin_recall_05_weighted"] > fin["fin_recall_05_unweighted"], dump(fin)
    # the chapter says re-weighting moves scores, it does not rank applicants better
    assert fin["fin_pr_auc_weighted"] < fin["fin_pr_auc_unweighted"] + 0.02, dump(fin)
    assert fin["fin_cost_opt_unweighted"] <= 1.1 * fin["fin_cost_05_unweighted"], dump(fin)


def test_finance_schedule_ends_training_stably(fin):
    # the decayed rate makes the last epochs' validation loss (nearly) stop moving
    assert fin["fin_val_loss_spread_cosine"] < fin["fin_val_loss_spread_constant"], dump(fin)
    assert fin["fin_final_val_loss_cosine"] < 1.1 * fin["fin_final_val_loss_constant"], dump(fin)
    assert abs(fin["fin_cosine_minus_constant_pr_auc"]) < 0.2, dump(fin)


# ------------------------------------------------------------------------------- driving


@pytest.fixture(scope="module")
def drive():
    return run_and_glue(DRIVING, {"seed": 0, "epochs": 12, "latency_runs": 300})


def test_driving_augmentation_buys_robustness_not_clean_accuracy(drive):
    assert drive["drive_aug_robust_acc_delta"] > 0.1, dump(drive)
    assert drive["drive_aug_clean_acc_delta"] < 0.03, dump(drive)
    assert drive["drive_aug_shift_acc"] > drive["drive_plain_shift_acc"], dump(drive)


def test_driving_int8_model_is_small_fast_and_accurate(drive):
    assert 0 < drive["drive_int8_p99_ms"] < drive["drive_keras_p99_ms"], dump(drive)
    assert drive["drive_int8_p99_ms"] < 10.0, dump(drive)  # generous: CI machines are shared
    assert drive["drive_int8_bytes"] < 0.4 * drive["drive_float_bytes"], dump(drive)
    assert drive["drive_int8_acc_cost"] < 0.03, dump(drive)


# ----------------------------------------------------------------------------------- nlp


@pytest.fixture(scope="module")
def nlp():
    return run_and_glue(NLP, {"seed": 0, "epochs": 20, "pretrain_epochs": 4,
                              "corpus_chars": 400_000, "labelled_sizes": [16, 64],
                              "repeats": 2, "multitask_size": 64})


def test_nlp_pretraining_learns_the_text(nlp):
    assert nlp["nlp_pretrain_loss"] < 0.9 * nlp["nlp_unigram_loss"], dump(nlp)


def test_nlp_transfer_helps_with_few_labels(nlp):
    assert nlp["nlp_transfer_minus_scratch_acc"] > 0.0, dump(nlp)
    assert nlp["nlp_transfer_acc_smallest"] > nlp["nlp_prose_majority_acc"], dump(nlp)
    assert nlp["nlp_transfer_minus_random_acc"] > -0.03, dump(nlp)


def test_nlp_multitask_halves_the_model(nlp):
    assert nlp["nlp_multitask_params"] < 0.6 * nlp["nlp_single_params"], dump(nlp)
    assert abs(nlp["nlp_multitask_minus_single_acc"]) < 0.3, dump(nlp)
    assert nlp["nlp_multitask_prose_acc"] > nlp["nlp_prose_majority_acc"] - 0.1, dump(nlp)
    assert nlp["nlp_multitask_source_acc"] > 1 / nlp["nlp_n_sources"] - 0.05, dump(nlp)

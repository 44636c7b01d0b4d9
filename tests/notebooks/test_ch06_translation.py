"""Chapter 6, translation and sentiment: the page run at small parameters, one variant at
another size and seed, and a tiny run without the no-attention baseline (the switch run
both ways)."""

import math

import pytest

from nbtools import dump, run_page, run_variant

pytestmark = pytest.mark.notebook

TRANSLATION = "notebooks/ch06/translation.ipynb"
PAGE = {"seed": 0, "n_train": 1500, "n_test": 300, "epochs": 7, "n_reviews": 1500,
        "review_epochs": 8, "no_attention": True}
OTHER = {"seed": 1, "n_train": 1500, "n_test": 200, "epochs": 7, "n_reviews": 1000,
         "review_epochs": 8, "no_attention": True}
NO_BASELINE = {"seed": 2, "n_train": 300, "n_test": 50, "epochs": 1, "n_reviews": 300,
               "review_epochs": 1, "no_attention": False}
PARAMS = {"page": PAGE, "other": OTHER}
WHICH = ["page", "other"]


@pytest.fixture(scope="module")
def s2s_page():
    return run_page(TRANSLATION, PAGE)


@pytest.fixture(scope="module")
def s2s_other():
    return run_variant(TRANSLATION, OTHER, tag="seed1")


@pytest.mark.parametrize("which", WHICH)
def test_translation_with_attention_is_mostly_exact(request, which):
    g = request.getfixturevalue(f"s2s_{which}")
    p = PARAMS[which]
    assert g["seq2seq_n_train"] == p["n_train"] and g["seq2seq_n_test"] == p["n_test"]
    assert g["seq2seq_epochs"] == p["epochs"]
    assert g["seq2seq_days_in_both"] == 0          # held-out days never trained on
    assert g["seq2seq_exact_match"] > 0.6, dump(g)  # measured ~0.9 at these sizes
    assert g["seq2seq_char_acc"] > 0.9, dump(g)
    assert g["seq2seq_char_acc"] >= g["seq2seq_exact_match"]
    assert g["seq2seq_worst_format_exact_match"] > 0.3, dump(g)
    assert 0 <= g["seq2seq_halfway_exact_match"] <= 1
    assert g["seq2seq_halfway_epoch"] == (p["epochs"] + 1) // 2
    assert 20_000 < g["seq2seq_params"] < 60_000


@pytest.mark.parametrize("which", WHICH)
def test_translation_without_attention_lags_far_behind(request, which):
    g = request.getfixturevalue(f"s2s_{which}")
    assert g["seq2seq_exact_match_no_attention"] < 0.3, dump(g)
    assert g["seq2seq_exact_match"] - g["seq2seq_exact_match_no_attention"] > 0.4
    assert g["seq2seq_char_acc_no_attention"] < g["seq2seq_char_acc"]
    # attention learns faster: ahead halfway through training as well as at the end
    assert g["seq2seq_halfway_exact_match"] >= g["seq2seq_halfway_exact_match_no_attention"]
    assert g["seq2seq_params_no_attention"] < g["seq2seq_params"]


def test_switch_off_skips_the_baseline():
    g = run_variant(TRANSLATION, NO_BASELINE, tag="nobaseline")
    assert math.isnan(float(g["seq2seq_exact_match_no_attention"]))
    assert math.isnan(float(g["seq2seq_halfway_exact_match_no_attention"]))
    assert 0 <= g["seq2seq_exact_match"] <= 1 and g["seq2seq_days_in_both"] == 0
    assert g["seq2seq_attention_row_sum_dev"] < 1e-5, dump(g)


@pytest.mark.parametrize("which", WHICH)
def test_attention_weights_are_distributions_off_the_padding(request, which):
    g = request.getfixturevalue(f"s2s_{which}")
    assert g["seq2seq_attention_row_sum_dev"] < 1e-5, dump(g)
    assert g["seq2seq_padding_weight_max"] < 1e-6, dump(g)
    assert g["seq2seq_attention_example_a"].count("/") == 2     # "tue 03/03/21"
    assert "," in g["seq2seq_attention_example_b"]              # "march 3, 2021"


@pytest.mark.parametrize("which", WHICH)
def test_sentiment_order_blind_models_fail_on_contrast(request, which):
    g = request.getfixturevalue(f"s2s_{which}")
    assert g["sent_n_train"] == PARAMS[which]["n_reviews"] and g["sent_n_test"] == 1000
    for key in ("sent_contrast_acc_bow", "sent_contrast_acc_pool"):
        assert 0.35 < g[key] < 0.65, (key, dump(g))       # a coin toss
    assert g["sent_contrast_acc_gru"] > 0.9, dump(g)
    assert g["sent_contrast_acc_bigram"] > 0.9, dump(g)   # "dull but" is a feature


@pytest.mark.parametrize("which", WHICH)
def test_sentiment_negation_needs_more_than_a_linear_bag(request, which):
    g = request.getfixturevalue(f"s2s_{which}")
    assert g["sent_negated_acc_bow"] < 0.7, dump(g)
    # a linear score cannot get both right: their mean stays far from 1
    assert g["sent_plain_acc_bow"] + g["sent_negated_acc_bow"] < 1.4, dump(g)
    assert g["sent_negated_acc_pool"] > 0.9, dump(g)
    assert g["sent_negated_acc_gru"] > 0.9, dump(g)
    assert g["sent_negated_acc_bigram"] < g["sent_negated_acc_gru"]


@pytest.mark.parametrize("which", WHICH)
def test_sentiment_gru_is_best_overall(request, which):
    g = request.getfixturevalue(f"s2s_{which}")
    assert g["sent_acc_gru"] > 0.9, dump(g)
    assert g["sent_acc_gru"] == max(g["sent_acc_bow"], g["sent_acc_bigram"],
                                    g["sent_acc_pool"], g["sent_acc_gru"])
    assert g["sent_gru_minus_bigram_acc"] == pytest.approx(
        g["sent_acc_gru"] - g["sent_acc_bigram"])
    assert g["sent_gru_minus_bigram_acc"] > 0.05, dump(g)
    assert g["sent_acc_bow"] < 0.7, dump(g)

"""Chapter 11: the scaling-law sweep and the IsoFLOP profiles, at CI size and at another
size and seed; the chapter's claims are asserted on both runs."""

import math

import pytest

from nbtools import dump, run_page, run_variant

pytestmark = pytest.mark.notebook

LAWS = "notebooks/ch11/scaling_laws.ipynb"
# five widths (N ≈ 1.5e3 .. 9.1e4), 256k tokens each: about 15 s of training on 2 cores
SMALL = {"seed": 0, "widths": [4, 8, 16, 64, 256], "train_tokens": 2**18, "evaluations": 10,
         "heldout_windows": 8192, "n_boot": 50, "progress": False}
# another seed and other sizes (other widths, fewer tokens): the same claims must hold
OTHER = {"seed": 1, "widths": [2, 8, 32, 64, 128], "train_tokens": 3 * 2**16,
         "evaluations": 8, "heldout_windows": 4096, "n_boot": 30, "progress": True}


@pytest.fixture(scope="module")
def laws():
    return run_page(LAWS, SMALL)


@pytest.fixture(scope="module")
def laws_other():
    return run_variant(LAWS, OTHER, tag="seed1")


def assert_sweep_claims(g):
    # L(N): strictly falling, a straight line in log-log space, inside its interval
    assert g["laws_n_decreasing"] is True, dump(g)
    assert 0.04 <= g["laws_n_slope"] <= 0.15, dump(g)
    assert g["laws_n_r2_log"] >= 0.95, dump(g)
    assert g["laws_n_slope_lo"] <= g["laws_n_slope"] <= g["laws_n_slope_hi"], dump(g)
    assert g["laws_n_loss_last"] < g["laws_n_loss_first"]
    assert g["laws_n_smallest"] < g["laws_n_largest"]
    # L(D) and L(C) fall too
    assert g["laws_d_slope"] > 0 and g["laws_d_r2_log"] > 0.8, dump(g)
    assert g["laws_c_slope"] > 0 and g["laws_frontier_points"] >= 3, dump(g)
    # the joint law fits the checkpoints; its E is a floor below every measured loss
    assert 0 < g["laws_joint_alpha"] < 2 and 0 < g["laws_joint_beta"] < 2, dump(g)
    assert g["laws_joint_r2"] >= 0.9, dump(g)
    assert g["laws_joint_e_below_unigram"] is True and g["laws_joint_e"] >= 0, dump(g)
    sat_at_bound = g["laws_n_sat_e_note"].startswith("at its lower bound")
    assert sat_at_bound == (g["laws_n_sat_e"] < 1e-3), dump(g)
    at_bound = g["laws_joint_e_note"].startswith("at its lower bound")
    assert at_bound == (g["laws_joint_e"] < 1e-3), dump(g)
    assert 0 < g["laws_toy_nopt_exponent"] < 1 and g["laws_toy_tokens_per_param"] > 0
    # "the slope is robust, the saturating exponent is not" (jackknife)
    assert g["laws_jack_slope_range"] < g["laws_jack_sat_alpha_range"], dump(g)
    assert g["laws_jack_slope_range"] < 0.03, dump(g)
    # every model beats the unigram baseline
    assert g["laws_max_loss_below_unigram"] is True, dump(g)
    assert g["laws_max_final_loss"] < g["laws_unigram_entropy"] < 4.0


def test_scaling_laws_at_ci_size(laws):
    assert_sweep_claims(laws)
    assert laws["laws_models"] == 5 and laws["laws_checkpoints"] >= 40


def test_scaling_laws_at_another_size_and_seed(laws_other, laws):
    assert_sweep_claims(laws_other)
    assert laws_other["laws_models"] == 5
    # another seed draws other held-out windows: a different (but close) baseline
    assert laws_other["laws_unigram_entropy"] != laws["laws_unigram_entropy"]
    assert laws_other["laws_unigram_entropy"] == pytest.approx(
        laws["laws_unigram_entropy"], rel=0.05)


def test_chinchilla_allocations_recomputed(laws):
    # Besiroglu et al. (2024): A=482.0, B=2085.4, alpha=0.348, beta=0.366 -> about 72B
    assert laws["laws_gopher_nopt_epoch"] == pytest.approx(7.2e10, rel=0.05)
    assert 15 < laws["laws_gopher_tpp_epoch"] < 25
    # Hoffmann et al. (2022), rounded as published: about 32B and ~93 tokens/parameter,
    # not the ~20 of approaches 1-2
    assert 3.2e10 <= laws["laws_gopher_nopt_hoffmann"] <= 4.0e10
    assert 80 < laws["laws_gopher_tpp_hoffmann"] < 100
    assert laws["laws_hoffmann_nopt_exponent"] == pytest.approx(0.28 / 0.62)
    assert (laws["laws_gopher_rounding_lo_billions"] < 32.2
            < laws["laws_gopher_rounding_hi_billions"])


ISOFLOP = "notebooks/ch11/isoflop.ipynb"
# two small budgets, five runs each (60 to 2,200 steps): about 20 s of training on 2 cores
ISO_SMALL = {"seed": 0, "run_isoflop": True, "budgets": [3e9, 1e10],
             "widths": [2, 4, 8, 16, 32, 64], "min_steps": 60, "max_steps": 2500,
             "heldout_windows": 4096}


def test_isoflop_profiles_have_valleys():
    g = run_page(ISOFLOP, ISO_SMALL)
    assert g["isoflop_budgets"] == 2, dump(g)
    assert g["isoflop_runs"] >= 8, dump(g)
    assert g["isoflop_valleys"] == 2, dump(g)
    # the optimal size grows with compute, and less than proportionally
    assert 0.1 < g["isoflop_nopt_exponent"] < 1.0, dump(g)
    assert g["isoflop_tokens_per_param"] > 0


def test_isoflop_switched_off_trains_nothing():
    g = run_variant(ISOFLOP, {"seed": 0, "run_isoflop": False}, tag="noisoflop")
    assert g["isoflop_runs"] == 0 and g["isoflop_valleys"] == 0, dump(g)
    assert math.isnan(float(g["isoflop_nopt_exponent"])), dump(g)

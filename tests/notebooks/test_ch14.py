"""Chapter 14: efficient training on one device, at CI size and at a second size and seed.

Timing ratios (recomputation, XLA, the roofline) are only checked to be finite and
positive: they are measured on a shared machine and never asserted as speeds.
"""

import math

import pytest

from nbtools import dump, run_page, run_variant

pytestmark = pytest.mark.notebook

PRECISION = "notebooks/ch14/precision.ipynb"
ACCUM = "notebooks/ch14/accumulation.ipynb"
RECOMPUTE = "notebooks/ch14/recompute_xla.ipynb"
ROOFLINE = "notebooks/ch14/roofline.ipynb"
CRITICAL = "notebooks/ch14/critical_batch.ipynb"


def finite_positive(x):
    return isinstance(x, (int, float)) and math.isfinite(x) and x > 0


# --- number formats and mixed precision ---------------------------------------------

@pytest.fixture(scope="module")
def precision():
    return run_page(PRECISION, {"seed": 0, "epochs": 20, "learning_rate": 3e-3,
                                "width": 64, "probe_examples": 256})


def check_precision(g):
    assert g["fmt_fp16_smallest_subnormal"] == pytest.approx(2**-24), dump(g)
    assert g["fmt_bf16_max_matches_tf"] is True
    # late in training, float16 loses activation gradients; loss scaling rescues them
    assert 0.005 < g["mp_fp16_zero_grad_fraction"] < 0.9, dump(g)
    assert g["mp_scaled_zero_grad_fraction"] < g["mp_fp16_zero_grad_fraction"] / 5, dump(g)
    assert 0 <= g["mp_bf16_zero_grad_fraction"] < g["mp_fp16_zero_grad_fraction"], dump(g)
    assert (g["mp_scaled_zero_weight_grad_fraction"]
            <= g["mp_fp16_zero_weight_grad_fraction"]), dump(g)
    # the loss-scaled float16 run tracks float32
    assert 0.8 < g["mp_scaled_vs_fp32_loss_ratio"] < 1.25, dump(g)
    assert 0.8 < g["mp_bf16_vs_fp32_loss_ratio"] < 1.25, dump(g)
    assert finite_positive(g["mp_unscaled_vs_fp32_loss_ratio"])


def test_precision(precision):
    check_precision(precision)


def test_precision_other_seed_and_width():
    check_precision(run_variant(PRECISION, {"seed": 1, "epochs": 16, "width": 96,
                                            "learning_rate": 3e-3, "probe_examples": 256},
                                tag="seed1"))


# --- gradient accumulation ----------------------------------------------------------

@pytest.fixture(scope="module")
def accumulation():
    return run_page(ACCUM, {"seed": 0, "epochs": 1, "batch_size": 16, "accum_steps": 4,
                            "width": 32})


def check_accumulation(g):
    assert g["accum_same_update_count"] is True, dump(g)
    assert g["accum_max_abs_diff"] <= 1e-10, dump(g)        # float64 round-off
    # the pitfalls are far outside round-off
    for name in ("accum_sum_sgd_max_abs_diff", "accum_sum_adam_max_abs_diff",
                 "accum_batchnorm_max_abs_diff"):
        assert g[name] > 1e-4, dump(g)


def test_accumulation(accumulation):
    check_accumulation(accumulation)


# Accumulation is a float64 equality: the page run checks it; the precision and
# critical-batch claims, which depend on sizes and seeds, also run a variant.


# --- recomputation and XLA ----------------------------------------------------------

@pytest.fixture(scope="module")
def recompute():
    return run_page(RECOMPUTE, {"seed": 0, "batch_size": 512, "width": 64, "blocks": 4,
                                "repeats": 3, "elementwise_size": 2**18,
                                "xla_steps": 5})


def check_recompute(g):
    assert g["recompute_max_abs_diff"] <= 1e-6, dump(g)
    assert finite_positive(g["recompute_time_ratio"]), dump(g)
    assert 0 < g["recompute_formula_memory_ratio"] < 1, dump(g)
    assert finite_positive(g["recompute_measured_memory_ratio"]), dump(g)
    assert g["xla_max_abs_diff"] <= 1e-5 and g["xla_step_max_abs_diff"] <= 1e-5, dump(g)
    assert g["xla_within_tolerance"] is True
    assert finite_positive(g["xla_speedup"]) and finite_positive(g["xla_step_speedup"])


def test_recompute_and_xla(recompute):
    check_recompute(recompute)


# --- the roofline -------------------------------------------------------------------

def test_roofline():
    g = run_page(ROOFLINE, {"seed": 0, "matmul_sizes": [64, 256, 512],
                            "vector_sizes": [2**16, 2**22], "repeats": 3})
    for name in ("roofline_peak_gflops", "roofline_bandwidth_gbs",
                 "roofline_ridge_intensity"):
        assert finite_positive(g[name]), dump(g)
    assert g["roofline_all_positive"] is True
    # the four weight products are compute-bound with 8,192 training tokens, and
    # nothing is with one decoding token (intensity ≤ 1 FLOP/byte)
    assert g["roofline_train_compute_bound"] >= 4, dump(g)
    assert g["roofline_decode_compute_bound"] == 0, dump(g)
    assert g["roofline_layers"] == 9


# --- the critical batch size ----------------------------------------------------------

CRITICAL_SMALL = {"seed": 0, "batch_sizes": [8, 32, 128, 512], "lr_grid": [0.4, 1.6, 6.4],
                  "target_loss": 0.3, "repeats": 1, "epochs": 10}


def check_critical(g, n_batches):
    assert g["noise_target_reached"] is True, dump(g)
    assert finite_positive(g["noise_scale_b_simple"]), dump(g)
    # the noise scale grows as the loss falls
    assert g["noise_scale_b_simple"] > g["noise_scale_initial"] > 0, dump(g)
    assert g["cbs_lr_ceiling"] > 0 and g["cbs_lr_ceiling_batch"] >= 1
    assert g["cbs_batch_sizes_reached"] == n_batches, dump(g)
    assert finite_positive(g["cbs_s_min"]) and finite_positive(g["cbs_b_crit"]), dump(g)
    assert finite_positive(g["cbs_crit_over_simple"])


def test_critical_batch():
    check_critical(run_page(CRITICAL, CRITICAL_SMALL), 4)



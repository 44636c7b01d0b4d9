"""Chapter 12: the Transformer's bill, its scaling law and its KV cache at CI size."""

import pytest

from nbtools import dump, run_page, run_variant

pytestmark = pytest.mark.notebook

BILL = "notebooks/ch12/transformer.ipynb"
LAW = "notebooks/ch12/transformer_law.ipynb"
KV = "notebooks/ch12/kv_cache.ipynb"


# --- the bill: nothing is trained, graphs are traced and counted ---------------------------

@pytest.fixture(scope="module")
def bill():
    return run_page(BILL, {"seed": 0, "d_models": [64, 128], "long_contexts": [64, 512],
                           "batch_size": 2})


def test_parameter_formula_is_exact(bill):
    assert bill["tfm_param_formula_matches"] is True, dump(bill)
    assert bill["tfm_param_configs"] >= 5


def test_flops_formula_against_the_profiler(bill):
    assert bill["tfm_flops_matmul_exact"] is True, dump(bill)
    # element-wise ops the formula leaves out: under 5% at the chapter's context and
    # widths >= 64; shrinking with width; below 10% even at 512 tokens for d = 64
    assert 0 < bill["tfm_flops_rel_error_context"] <= 0.05, dump(bill)
    assert bill["tfm_flops_rel_error_widest"] < bill["tfm_flops_rel_error"] <= 0.10
    assert 2.8 <= bill["tfm_flops_train_ratio"] <= 3.05, dump(bill)
    assert bill["tfm_flops_train_matmul_ratio"] == pytest.approx(3.0), dump(bill)
    assert bill["tfm_flops_attention_share_long"] > 0.5, dump(bill)
    assert bill["tfm_flops_kaplan_ratio_long"] > 2


def test_memory_formulas(bill):
    assert bill["tfm_state_bytes_per_param"] == pytest.approx(16.0), dump(bill)
    assert bill["tfm_state_matches"] is True
    assert bill["tfm_memory_rel_error"] <= 0.01, dump(bill)
    assert 1.3 < bill["tfm_memory_korthikanti_ratio"] < 1.7, dump(bill)


def test_real_model_bill(bill):
    assert bill["tfm_gpt3_state_tb"] == pytest.approx(2.8)          # 16 B × 175e9
    assert bill["tfm_gpt3_formula_params_ratio"] == pytest.approx(0.994, abs=0.002)
    assert 0.01 < bill["tfm_gpt3_attention_share"] < 0.02, dump(bill)
    assert 100 < bill["tfm_gpt3_act_gb"] < 200
    assert bill["tfm_gpt3_gpus_80gb"] == 35
    assert bill["tfm_chinchilla_formula_params_ratio"] == pytest.approx(0.92, abs=0.005)


# The bill runs once (its six configurations already vary depth, width, heads and
# vocabulary); the law, whose claim depends on sizes and seeds, runs a variant.


# --- the scaling law: five (page) and four (variant) widths on 128k tokens -----------------

LAW_SMALL = {"seed": 0, "d_models": [8, 16, 24, 32, 48], "context": 32,
             "train_tokens": 2**17, "batch_size": 32, "learning_rate": 3e-3,
             "heldout_windows": 512, "n_boot": 50}


@pytest.fixture(scope="module")
def law():
    return run_page(LAW, LAW_SMALL)


def _check_law(glued, r2_min):
    assert glued["tfmlaw_beats_unigram"] is True, dump(glued)
    assert glued["tfmlaw_loss_last"] < glued["tfmlaw_loss_first"], dump(glued)
    assert 0.02 <= glued["tfmlaw_n_slope"] <= 0.15, dump(glued)
    assert glued["tfmlaw_n_r2_log"] >= r2_min, dump(glued)
    assert glued["tfmlaw_n_slope_lo"] <= glued["tfmlaw_n_slope"] <= glued["tfmlaw_n_slope_hi"]


def test_transformer_loss_is_a_power_law_of_n(law):
    _check_law(law, r2_min=0.95)
    assert law["tfmlaw_sizes"] == 5
    assert law["tfmlaw_kaplan_ratio"] == pytest.approx(law["tfmlaw_n_slope"] / 0.076)
    assert law["tfmlaw_n_smallest"] < law["tfmlaw_n_largest"]
    assert law["tfmlaw_sat_alpha"] > 0 and law["tfmlaw_sat_e"] >= 0


def test_law_at_another_size_and_seed():
    # four sizes on 128k tokens: one noisy point moves R² more than at five (0.94 measured
    # for seed 1, 0.98 for the page's five), so the bound here is looser
    _check_law(run_variant(LAW, {**LAW_SMALL, "seed": 1, "d_models": [8, 12, 24, 48]},
                           tag="seed1"), r2_min=0.9)


# --- the KV cache: an untrained model, timed in one run -----------------------------------

@pytest.fixture(scope="module")
def kv():
    return run_page(KV, {"seed": 0, "d_model": 128, "context": 256,
                         "decode_lengths": [64, 128, 256], "batch_sizes": [1, 4, 16],
                         "repeats": 2})


def test_cache_gives_the_same_tokens_faster(kv):
    assert kv["kv_cache_tokens_identical"] is True, dump(kv)
    assert kv["kv_cache_tokens_compared"] == 3 * 256
    # a ratio measured within one run: recomputing 256 tokens per step is slower
    assert kv["kv_cache_speedup_longest"] > 1, dump(kv)
    assert kv["kv_cache_cpu_speedup_longest"] > 1, dump(kv)
    assert kv["kv_cache_total_speedup"] > 1, dump(kv)
    assert kv["kv_cache_longest"] == 256


def test_cache_memory(kv):
    assert kv["kv_cache_bytes_per_token"] == 2 * 2 * 128 * 4          # 2·L·d·fp32
    assert kv["kv_cache_bytes_rel_error"] == 0.0
    assert kv["kv_gpt3_mb_per_token"] == pytest.approx(4.718592)       # 2·96·12288·2 B
    assert kv["kv_gpt3_gb_per_sequence"] == pytest.approx(9.66, abs=0.01)
    assert kv["kv_llama_gb_per_sequence"] == pytest.approx(1.07, abs=0.01)
    assert 10 < kv["kv_llama_sequences_per_weights"] < 15


def test_batching_raises_throughput(kv):
    assert kv["kv_batch_largest"] == 16
    assert kv["kv_batch_throughput_gain"] > 1, dump(kv)
    assert kv["kv_batch_latency_ratio"] > 0



"""Chapter 1, the architectures of the history: Inception and DenseNet parameter counts
by formula against Keras, and the gradient flow of plain, residual and dense stacks.
One page run with small parameters and one variant at another size and seed."""

import pytest

from nbtools import dump, run_page, run_variant

pytestmark = pytest.mark.notebook

BLOCKS = "notebooks/ch01/blocks.ipynb"
SMALL = {"seed": 0, "depths": [4, 8, 16], "train_size": 400}
# another seed, other depths, narrower stacks, another training subset
OTHER = {"seed": 1, "depths": [6, 12, 20], "width": 24, "growth_rate": 12,
         "train_size": 600}


@pytest.fixture(scope="module")
def page():
    return run_page(BLOCKS, SMALL)


@pytest.fixture(scope="module")
def other():
    return run_variant(BLOCKS, OTHER, tag="seed1")


@pytest.fixture(scope="module", params=["page", "seed1"])
def runs(request, page, other):
    return (SMALL, page) if request.param == "page" else (OTHER, other)


def test_inception_counts_match_keras(page):
    g = page
    assert g["blocks_inception_max_abs_diff"] == 0, dump(g)
    assert g["blocks_inception_modules_checked"] == 8
    # GoogLeNet's module 3a: 163,328 weights + 368 biases; naive: 387,072 + 224
    assert g["blocks_incep3a_params"] == 163_696
    assert g["blocks_incep3a_naive_params"] == 387_296
    assert g["blocks_incep3a_channels"] == 256 and g["blocks_incep3a_naive_channels"] == 416
    assert g["blocks_incep3a_5x5_naive"] > 5 * g["blocks_incep3a_5x5_reduced"]
    assert 2.0 < g["blocks_inception_saving_min"] <= g["blocks_inception_saving_max"] < 10


def test_dense_counts_match_keras(page):
    g = page
    assert g["blocks_dense_max_abs_diff"] == 0, dump(g)
    assert g["blocks_dense_configs_checked"] == 4
    assert g["blocks_densenet121_block1_channels"] == 64 + 6 * 32
    # quadratic in depth: doubling the layers multiplies the parameters by nearly 4
    assert 3.5 < g["blocks_dense_param_ratio_doubling"] < 4.0
    assert 1.5 < g["blocks_dense_channel_ratio_doubling"] < 2.0


def test_plain_stack_gradient_vanishes(runs):
    params, g = runs
    assert g["blocks_depth_max"] == max(params["depths"])
    assert g["blocks_depth_min"] == min(params["depths"])
    assert g["blocks_ratio_plain"] < 1e-5, dump(g)
    assert g["blocks_first_fall_plain"] < 1e-4, dump(g)


def test_residual_and_dense_stacks_keep_the_gradient(runs):
    _, g = runs
    for kind in ("residual", "dense"):
        assert g[f"blocks_ratio_{kind}"] > 1e-3, dump(g)
        assert g[f"blocks_ratio_{kind}"] > 1e3 * g["blocks_ratio_plain"], dump(g)
        assert 0.2 < g[f"blocks_first_fall_{kind}"] < 5.0, dump(g)
        assert g[f"blocks_first_spread_{kind}"] < 5.0, dump(g)

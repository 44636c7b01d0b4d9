"""Chapter 2, weight clipping: the page run at small parameters and one variant at another
width, learning rate and seed, asserting what each of the three tools bounds."""

import pytest

from nbtools import dump, run_page, run_variant

pytestmark = pytest.mark.notebook

WEIGHT_CLIP = "notebooks/ch02/weight_clipping.ipynb"
PARAMS = {"page": {"seed": 0, "epochs": 5},
          "other": {"seed": 1, "epochs": 4, "width": 48, "learning_rate": 0.15,
                    "batch_size": 96, "vanish_depth": 8}}
WHICH = ["page", "other"]
F32 = 1e-6   # float32 rounding of the bounds (0.1 is 0.100000001 in float32)


@pytest.fixture(scope="module")
def wc_page():
    return run_page(WEIGHT_CLIP, PARAMS["page"])


@pytest.fixture(scope="module")
def wc_other():
    return run_variant(WEIGHT_CLIP, PARAMS["other"], tag="seed1")


@pytest.mark.parametrize("which", WHICH)
def test_weight_clipping_bounds_the_weights_not_the_step(request, which):
    wc = request.getfixturevalue(f"wc_{which}")
    bound = wc["weight_clip_bound"]
    assert bound == 0.1 and wc["weight_clip_epochs"] == PARAMS[which]["epochs"]
    assert wc["weight_clip_max_abs_weight"] <= bound * (1 + F32), dump(wc)
    assert wc["weight_clip_max_abs_weight"] >= bound * (1 - F32), dump(wc)  # active
    # without the constraint (or with gradient clipping only) weights leave the box
    assert wc["weight_clip_init_max_abs_weight"] > 2 * bound, dump(wc)
    assert wc["weight_clip_none_max_abs_weight"] > wc["weight_clip_init_max_abs_weight"]
    assert wc["weight_clip_gradclip_max_abs_weight"] > 2 * bound, dump(wc)
    # the projection's first move is far longer than plain SGD's first step
    assert (wc["weight_clip_weightclip_first_step"]
            > 10 * wc["weight_clip_none_first_step"]), dump(wc)
    assert (wc["weight_clip_weightclip_first_step"]
            > wc["weight_clip_none_max_step"]), dump(wc)
    assert 0 < wc["weight_clip_weightclip_max_later_step"] < 1e3
    # a tight bound slows training
    assert (wc["weight_clip_weightclip_final_loss"]
            > 1.5 * wc["weight_clip_none_final_loss"]), dump(wc)
    assert 0.05 < wc["weight_clip_share_at_bound"] < 1, dump(wc)


@pytest.mark.parametrize("which", WHICH)
def test_max_norm_bounds_each_units_weight_vector(request, which):
    wc = request.getfixturevalue(f"wc_{which}")
    bound = wc["weight_clip_maxnorm_bound"]
    assert wc["weight_clip_maxnorm_max_column_norm"] <= bound * (1 + F32), dump(wc)
    assert wc["weight_clip_none_max_column_norm"] > 1.2 * bound, dump(wc)


@pytest.mark.parametrize("which", WHICH)
def test_gradient_clipping_bounds_the_step_not_the_weights(request, which):
    wc = request.getfixturevalue(f"wc_{which}")
    clipnorm = wc["weight_clip_clipnorm"]
    assert wc["weight_clip_gradclip_max_step"] <= clipnorm * (1 + 1e-4), dump(wc)
    assert wc["weight_clip_none_max_step"] > 2 * clipnorm, dump(wc)
    assert 0 < wc["weight_clip_gradclip_share_clipped"] < 1, dump(wc)
    assert (wc["weight_clip_gradclip_final_loss"]
            < 1.5 * wc["weight_clip_none_final_loss"] + 0.05), dump(wc)


@pytest.mark.parametrize("which", WHICH)
def test_weight_clipping_bounds_the_lipschitz_constant(request, which):
    wc = request.getfixturevalue(f"wc_{which}")
    assert wc["weight_clip_lipschitz_clipped"] <= wc["weight_clip_lipschitz_box_bound"]
    assert (wc["weight_clip_lipschitz_clipped"]
            < 0.5 * wc["weight_clip_lipschitz_none"]), dump(wc)


@pytest.mark.parametrize("which", WHICH)
def test_weight_clipping_makes_vanishing_gradients_worse(request, which):
    wc = request.getfixturevalue(f"wc_{which}")
    assert wc["weight_clip_vanish_depth"] == PARAMS[which].get("vanish_depth", 10)
    assert wc["weight_clip_vanish_first_over_last"] < 1e-2, dump(wc)      # it vanishes
    assert wc["weight_clip_vanish_first_layer_gain"] < 0.5, dump(wc)
    assert (wc["weight_clip_vanish_first_over_last_clipped"]
            < wc["weight_clip_vanish_first_over_last"]), dump(wc)

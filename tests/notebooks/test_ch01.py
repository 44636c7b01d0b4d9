"""Chapter 1: the teaser (one page run, one run at other sizes and seed) and the timeline."""

import pytest

from nbtools import dump, run_page, run_variant

pytestmark = pytest.mark.notebook

TEASER = "notebooks/ch01/teaser.ipynb"
HISTORY = "notebooks/ch01/history.ipynb"
SMALL = {"seed": 0, "widths": [2, 8, 32, 128], "train_sizes": [100, 400, 1347],
         "repeats": 1, "max_epochs": 80}
# another seed, other widths, other data sizes and a narrower data-sweep model
OTHER = {"seed": 1, "widths": [2, 12, 96], "train_sizes": [150, 1347],
         "data_sweep_width": 32, "repeats": 1, "max_epochs": 60}


@pytest.fixture(scope="module")
def teaser():
    return run_page(TEASER, SMALL)


@pytest.fixture(scope="module")
def teaser_other():
    return run_variant(TEASER, OTHER, tag="seed1")


@pytest.fixture(scope="module", params=["page", "seed1"])
def runs(request, teaser, teaser_other):
    return (SMALL, teaser) if request.param == "page" else (OTHER, teaser_other)


def test_teaser_largest_model_has_lower_loss(runs):
    _, g = runs
    assert g["teaser_loss_largest"] < g["teaser_loss_smallest"], dump(g)
    # the smallest width (2 hidden units) is a poor classifier; the sweep should show it
    assert g["teaser_loss_ratio"] > 2.0, dump(g)


def test_teaser_parameter_counts_follow_the_widths(runs):
    params, g = runs
    # 64 inputs -> w hidden -> 10 outputs: 64w + w + 10w + 10 parameters
    assert g["teaser_params_smallest"] == 75 * min(params["widths"]) + 10
    assert g["teaser_params_largest"] == 75 * max(params["widths"]) + 10


def test_teaser_more_data_lowers_loss(runs):
    params, g = runs
    assert g["teaser_data_loss_last"] < g["teaser_data_loss_first"], dump(g)
    assert g["teaser_slope_data"] > 0 and g["teaser_slope_params"] > 0
    assert g["teaser_train_size_max"] == max(params["train_sizes"])


def test_teaser_size_curve_flattens(runs):
    _, g = runs
    # steep between the two smallest models, much flatter between the two largest
    assert g["teaser_slope_params_small"] > 2 * g["teaser_slope_params_large"], dump(g)


def test_history_timeline():
    g = run_page(HISTORY, {"seed": 0, "since": 1940})
    assert g["history_first_year"] == 1943 and g["history_last_year"] <= 2026
    assert g["history_events"] >= 30
    # networks before (or with) their optimizers; compression long before 2015
    assert g["history_first_network"] < g["history_first_optimizer"] < 1958
    assert g["history_first_compression"] <= 1990, dump(g)

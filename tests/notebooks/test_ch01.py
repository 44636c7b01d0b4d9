"""Chapter 1: execute both notebooks with small parameters and check what they glue."""

import math

import pytest

from nbtools import dump, run_and_glue

pytestmark = pytest.mark.notebook

TEASER = "notebooks/ch01/teaser.ipynb"
SMALL = {"widths": [2, 8, 32, 128], "train_sizes": [100, 400, 1347], "repeats": 1,
         "max_epochs": 80}


@pytest.fixture(scope="module")
def teaser():
    return run_and_glue(TEASER, {"seed": 0, **SMALL})


def test_teaser_largest_model_has_lower_loss(teaser):
    assert teaser["teaser_loss_largest"] < teaser["teaser_loss_smallest"], dump(teaser)
    # the smallest width (2 hidden units) is a poor classifier; the sweep should show it
    assert teaser["teaser_loss_ratio"] > 2.0, dump(teaser)


def test_teaser_parameter_counts_follow_the_widths(teaser):
    # 64 inputs -> w hidden -> 10 outputs: 64w + w + 10w + 10 parameters
    assert teaser["teaser_params_smallest"] == 75 * 2 + 10
    assert teaser["teaser_params_largest"] == 75 * 128 + 10


def test_teaser_more_data_lowers_loss(teaser):
    assert teaser["teaser_data_loss_last"] < teaser["teaser_data_loss_first"], dump(teaser)
    assert teaser["teaser_slope_data"] > 0 and teaser["teaser_slope_params"] > 0


def test_teaser_is_repeatable_and_seed_robust(teaser):
    tiny = {"widths": [2, 32], "train_sizes": [100, 400], "repeats": 1, "max_epochs": 40}
    first = run_and_glue(TEASER, {"seed": 0, **tiny})
    again = run_and_glue(TEASER, {"seed": 0, **tiny})
    for key, value in first.items():
        assert math.isclose(value, again[key], rel_tol=1e-5, abs_tol=1e-7), key
    other = run_and_glue(TEASER, {"seed": 1, **tiny})
    assert other["teaser_loss_largest"] < other["teaser_loss_smallest"], dump(other)


def test_history_timeline():
    glued = run_and_glue("notebooks/ch01/history.ipynb", {"since": 1950})
    assert glued["history_first_year"] >= 1950
    assert glued["history_last_year"] <= 2026
    assert glued["history_events"] >= 20

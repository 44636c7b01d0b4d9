"""Chapter 6, time-series forecasting: the page run with small parameters, plus one
variant at another size and seed asserting the same claims. No wall-clock time is
asserted."""

import pytest

from nbtools import dump, run_page, run_variant

pytestmark = pytest.mark.notebook

FORECASTING = "notebooks/ch06/forecasting.ipynb"
TS_PARAMS = {"page": {"seed": 0, "n_steps": 730, "n_folds": 3, "epochs": 15},
             "other": {"seed": 1, "n_steps": 820, "n_folds": 3, "epochs": 15}}
WHICH = ["page", "other"]


@pytest.fixture(scope="module")
def ts_page():
    return run_page(FORECASTING, TS_PARAMS["page"])


@pytest.fixture(scope="module")
def ts_other():
    return run_variant(FORECASTING, TS_PARAMS["other"], tag="seed1")


@pytest.mark.parametrize("which", WHICH)
def test_forecasting_walk_forward_never_trains_on_the_future(request, which):
    ts = request.getfixturevalue(f"ts_{which}")
    params = TS_PARAMS[which]
    assert ts["ts_train_days_in_test"] == 0, dump(ts)
    assert ts["ts_n_folds"] == params["n_folds"]
    assert ts["ts_n_steps"] == params["n_steps"]
    assert ts["ts_horizon"] == 14
    assert ts["ts_params"] > 100


@pytest.mark.parametrize("which", WHICH)
def test_forecasting_network_against_the_naive_forecasts(request, which):
    ts = request.getfixturevalue(f"ts_{which}")
    model, seasonal, naive = (ts["ts_mase_model"], ts["ts_mase_seasonal_naive"],
                              ts["ts_mase_naive"])
    # the verdict in the prose is the computed one
    beats = ts["ts_model_beats_seasonal_naive"]
    assert isinstance(beats, bool)
    assert beats is (model < seasonal), dump(ts)
    assert ts["ts_verdict"] == ("beats" if beats else "does not beat")
    assert ts["ts_model_over_seasonal_naive"] == pytest.approx(model / seasonal)
    assert 0 <= ts["ts_folds_model_better"] <= ts["ts_n_folds"]
    # the seasonal naive forecast scores about 1 out of sample; the naive one is far worse
    assert 0.5 < seasonal < 2.0, dump(ts)
    assert naive > 1.3 * seasonal, dump(ts)
    # at these sizes and seeds the network beats the seasonal naive forecast
    assert beats and model < 0.98 * seasonal, dump(ts)
    assert model > 0.5 * seasonal, dump(ts)   # but cannot beat the noise


@pytest.mark.parametrize("which", WHICH)
def test_forecasting_shuffled_split_flatters_the_calendar_forest(request, which):
    ts = request.getfixturevalue(f"ts_{which}")
    assert ts["ts_table_optimism"] == pytest.approx(
        ts["ts_table_rel_walk_forward"] / ts["ts_table_rel_shuffled"])
    assert ts["ts_table_optimism"] > 1.3, dump(ts)
    assert ts["ts_table_rel_shuffled"] < 1.0, dump(ts)
    table_beats = ts["ts_table_beats_seasonal_naive"]
    assert table_beats is (ts["ts_table_rel_walk_forward"] < 1.0)
    assert ts["ts_table_verdict"] == ("beats" if table_beats else "does not beat")
    # the network sees only the past: both splits score it alike
    diff = ts["ts_model_shuffled_minus_walk_forward"]
    assert diff == pytest.approx(ts["ts_model_rel_shuffled"] - ts["ts_model_rel_walk_forward"])
    assert abs(diff) < 0.15, dump(ts)
    assert ts["ts_model_rel_walk_forward"] < 1.0, dump(ts)

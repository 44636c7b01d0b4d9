"""Unit tests of scalekit.forecast (chapter 6, time-series forecasting)."""

from __future__ import annotations

import numpy as np
import pytest

from scalekit import forecast

# ------------------------------------------------------------------------------- series


def test_make_series_is_seeded_and_has_its_parts():
    a = forecast.make_series(800, seed=3)
    assert a.shape == (800,) and np.all(np.isfinite(a))
    np.testing.assert_array_equal(a, forecast.make_series(800, seed=3))
    assert not np.array_equal(a, forecast.make_series(800, seed=4))
    # without noise, wave or trend the series is the level plus the weekly profile
    flat = forecast.make_series(21, seed=0, noise_std=0.0, yearly_amplitude=0.0, trend=0.0,
                                weekly_amplitude=1.0)
    profile = np.asarray(forecast.WEEKLY_PROFILE) - np.mean(forecast.WEEKLY_PROFILE)
    np.testing.assert_allclose(flat, 100.0 + np.tile(profile, 3))
    # the trend is a straight line
    line = forecast.make_series(10, seed=0, noise_std=0.0, yearly_amplitude=0.0,
                                weekly_amplitude=0.0, trend=0.5, level=1.0)
    np.testing.assert_allclose(line, 1.0 + 0.5 * np.arange(10))


def test_make_series_noise_is_ar1():
    y = forecast.make_series(20000, seed=1, weekly_amplitude=0.0, yearly_amplitude=0.0,
                             trend=0.0, ar=0.8, noise_std=1.0)
    e = y - y.mean()
    lag1 = np.corrcoef(e[1:], e[:-1])[0, 1]
    assert lag1 == pytest.approx(0.8, abs=0.02)
    assert e.std() == pytest.approx(1 / np.sqrt(1 - 0.64), rel=0.05)  # stationary
    walk = forecast.make_series(50, seed=1, ar=1.0, weekly_amplitude=0.0,
                                yearly_amplitude=0.0, trend=0.0)
    assert np.all(np.isfinite(walk))


@pytest.mark.parametrize("kwargs, exc, word", [
    ({"n_steps": 0}, ValueError, "n_steps"),
    ({"n_steps": 5.0}, TypeError, "n_steps"),
    ({"seed": -1}, ValueError, "seed"),
    ({"ar": 1.5}, ValueError, "ar"),
    ({"ar": "0.5"}, TypeError, "ar"),
    ({"noise_std": -1.0}, ValueError, "noise_std"),
    ({"weekly_amplitude": float("nan")}, ValueError, "weekly_amplitude"),
    ({"trend": "up"}, TypeError, "trend"),
    ({"level": float("inf")}, ValueError, "level"),
])
def test_make_series_rejects_bad_arguments(kwargs, exc, word):
    args = {"n_steps": 10, "seed": 0} | kwargs
    n = args.pop("n_steps")
    with pytest.raises(exc, match=word):
        forecast.make_series(n, **args)


# ------------------------------------------------------------------------------ windows


def test_windows_cut_past_inputs_and_future_targets():
    s = np.arange(20.0)
    x, y, o = forecast.windows(s, 4, 3)
    assert x.shape == (14, 4) and y.shape == (14, 3)
    np.testing.assert_array_equal(o, np.arange(4, 18))
    for xi, yi, oi in zip(x, y, o, strict=True):
        np.testing.assert_array_equal(xi, s[oi - 4:oi])
        np.testing.assert_array_equal(yi, s[oi:oi + 3])
        assert xi.max() < oi <= yi.min()           # inputs strictly before the origin
    x, y, o = forecast.windows(s, 4, 3, origins=[5, 10])
    np.testing.assert_array_equal(x[1], [6, 7, 8, 9])
    np.testing.assert_array_equal(y[1], [10, 11, 12])


@pytest.mark.parametrize("args, kwargs, exc, word", [
    ((np.arange(5.0), 4, 3), {}, ValueError, "no origin"),
    ((np.arange(20.0), 4, 3), {"origins": [3]}, ValueError, "origins"),
    ((np.arange(20.0), 4, 3), {"origins": [18]}, ValueError, "origins"),
    ((np.arange(20.0), 4, 3), {"origins": [5.5]}, TypeError, "origins"),
    ((np.ones((4, 5)), 2, 1), {}, ValueError, "1-D"),
    (("abc", 2, 1), {}, TypeError, "series"),
    (([1.0, np.nan, 2.0, 3.0], 1, 1), {}, ValueError, "finite"),
    ((np.arange(20.0), 0, 3), {}, ValueError, "window"),
    ((np.arange(20.0), 4, 2.0), {}, TypeError, "horizon"),
])
def test_windows_reject_bad_input(args, kwargs, exc, word):
    with pytest.raises(exc, match=word):
        forecast.windows(*args, **kwargs)


# ----------------------------------------------------------------------------- splits


@pytest.mark.parametrize("max_train", [None, 30])
def test_walk_forward_splits_never_leak_the_future(max_train):
    folds = forecast.walk_forward_splits(100, n_folds=4, test_size=10, min_train=30,
                                         max_train=max_train)
    assert len(folds) == 4
    assert folds[-1].test.stop == 100
    for a, b in zip(folds, folds[1:], strict=False):
        assert b.test.start == a.test.stop              # test blocks tile the end
        assert b.train.stop > a.train.stop              # origins move forward
    for f in folds:
        assert len(f.test) == 10
        assert max(f.train) < min(f.test)               # no future in training
        assert not set(f.train) & set(f.test)
        assert f.train.stop == f.test.start
        assert len(f.train) >= 30
        if max_train is None:
            assert f.train.start == 0                    # expanding origin
        else:
            assert len(f.train) == max_train             # rolling origin


@pytest.mark.parametrize("kwargs, exc, word", [
    ({"n_steps": 50, "n_folds": 4, "test_size": 10, "min_train": 20}, ValueError,
     "too short"),
    ({"n_steps": 100, "n_folds": 0, "test_size": 10, "min_train": 20}, ValueError,
     "n_folds"),
    ({"n_steps": 100, "n_folds": 2, "test_size": 2.5, "min_train": 20}, TypeError,
     "test_size"),
    ({"n_steps": 100, "n_folds": 2, "test_size": 10, "min_train": 20, "max_train": 10},
     ValueError, "max_train"),
])
def test_walk_forward_splits_reject_bad_input(kwargs, exc, word):
    n = kwargs.pop("n_steps")
    with pytest.raises(exc, match=word):
        forecast.walk_forward_splits(n, **kwargs)


# -------------------------------------------------------------------------- baselines


def test_naive_and_seasonal_naive_forecasts():
    h = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    np.testing.assert_array_equal(forecast.naive_forecast(h, 3), [10, 10, 10])
    np.testing.assert_array_equal(forecast.seasonal_naive_forecast(h, 5, 3),
                                  [8, 9, 10, 8, 9])
    np.testing.assert_array_equal(forecast.seasonal_naive_forecast(h, 4, 1),
                                  forecast.naive_forecast(h, 4))
    # a purely periodic series is forecast exactly by its seasonal naive forecast
    p = np.tile([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0], 5)
    np.testing.assert_array_equal(forecast.seasonal_naive_forecast(p[:28], 7, 7), p[28:])


def test_seasonal_naive_rejects_short_history():
    with pytest.raises(ValueError, match="history"):
        forecast.seasonal_naive_forecast([1.0, 2.0], 3, 7)
    with pytest.raises(TypeError, match="period"):
        forecast.seasonal_naive_forecast([1.0, 2.0], 3, 1.0)


def test_origin_forecasts_see_only_the_past():
    s = np.arange(30.0)
    seen = []

    def spy(history, h):
        seen.append(len(history))
        return np.full(h, history[-1])

    out = forecast.origin_forecasts(s, range(20, 30), spy, 4)
    assert seen == [20, 24, 28]                      # origins every horizon
    np.testing.assert_array_equal(out, [19] * 4 + [23] * 4 + [27] * 2)


@pytest.mark.parametrize("args, exc, word", [
    ((np.arange(10.0), range(0, 5), forecast.naive_forecast, 2), ValueError, "test"),
    ((np.arange(10.0), range(5, 12), forecast.naive_forecast, 2), ValueError, "test"),
    ((np.arange(10.0), [5, 6], forecast.naive_forecast, 2), TypeError, "test"),
    ((np.arange(10.0), range(5, 8), "naive", 2), TypeError, "forecaster"),
    ((np.arange(10.0), range(5, 8), lambda h, k: np.zeros(k + 1), 2), ValueError,
     "forecaster"),
])
def test_origin_forecasts_reject_bad_input(args, exc, word):
    with pytest.raises(exc, match=word):
        forecast.origin_forecasts(*args)


# ------------------------------------------------------------------------------- MASE


@pytest.mark.parametrize("period", [1, 7])
def test_mase_of_the_in_sample_scaling_forecast_is_exactly_one(period):
    y = forecast.make_series(300, seed=2)
    # the forecast the scale is made of, evaluated where the scale was measured
    assert forecast.mase(y[period:], y[:-period], y, period=period) == pytest.approx(
        1.0, abs=1e-12)


def test_mase_is_mae_over_the_in_sample_naive_mae():
    train = np.array([1.0, 3.0, 2.0, 5.0])          # lag-1 MAE: (2 + 1 + 3) / 3 = 2
    assert forecast.mase([4.0, 6.0], [5.0, 5.0], train) == pytest.approx(0.5)
    assert forecast.mase([4.0, 6.0], [4.0, 6.0], train) == 0.0
    # seasonal scale, period 2: (|2 - 1| + |5 - 3|) / 2 = 1.5
    assert forecast.mase([4.0], [1.0], train, period=2) == pytest.approx(2.0)
    # scale-free: multiplying everything by 10 leaves it unchanged
    assert forecast.mase([40.0, 60.0], [50.0, 50.0], 10 * train) == pytest.approx(0.5)


@pytest.mark.parametrize("args, kwargs, exc, word", [
    (([1.0, 2.0], [1.0], [1.0, 2.0, 3.0]), {}, ValueError, "same length"),
    (([1.0], [1.0], [1.0, 1.0, 1.0]), {}, ValueError, "zero"),
    (([1.0], [1.0], [1.0, 2.0]), {"period": 2}, ValueError, "y_train"),
    (([1.0], [np.inf], [1.0, 2.0]), {}, ValueError, "y_pred"),
    (([1.0], [1.0], None), {}, TypeError, "y_train"),
    (([1.0], [1.0], [1.0, 2.0]), {"period": 0}, ValueError, "period"),
])
def test_mase_rejects_bad_input(args, kwargs, exc, word):
    with pytest.raises(exc, match=word):
        forecast.mase(*args, **kwargs)

"""Time-series forecasting bookkeeping for chapter 6 (``ch06/forecasting``).

The Keras forecaster is the page's lesson and stays in its notebook. This module holds
the parts that must be exactly right and are easy to get subtly wrong:

* :func:`make_series`: a generated daily series (level + linear trend + weekly profile +
  yearly wave + AR(1) noise) from a seed, so the page needs no download;
* :func:`windows`: (input window, target block) pairs cut from a series at given origins;
* :func:`walk_forward_splits`: expanding- or rolling-origin folds whose training part
  always ends before the fold's test block starts (no future in training);
* :func:`naive_forecast`, :func:`seasonal_naive_forecast`: the two baselines, and
  :func:`origin_forecasts`, which issues them every ``horizon`` steps over a test block;
* :func:`mase`: the mean absolute scaled error of Hyndman & Koehler (2006), scaled by the
  in-sample MAE of the (seasonal) naive forecast with lag ``period``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from numbers import Integral

import numpy as np

from scalekit._validate import fraction, nonnegative, positive_int

__all__ = [
    "WEEKLY_PROFILE", "Fold", "make_series", "windows", "walk_forward_splits",
    "naive_forecast", "seasonal_naive_forecast", "origin_forecasts", "mase",
]

#: Weekly shape of :func:`make_series` (Monday first): busy weekdays, a quiet weekend.
WEEKLY_PROFILE = (1.0, 0.8, 0.7, 0.9, 1.3, -1.7, -3.0)


def _series(name: str, values: object, *, min_len: int = 1) -> np.ndarray:
    """``values`` as a finite 1-D float array of at least ``min_len`` entries."""
    if isinstance(values, (str, bytes)) or values is None:
        raise TypeError(f"{name} must be an array of numbers, got {type(values).__name__}")
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers") from err
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if arr.size < min_len:
        raise ValueError(f"{name} needs at least {min_len} values, got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return arr


def make_series(n_steps: int, *, seed: int, level: float = 100.0, trend: float = 0.01,
                weekly_amplitude: float = 2.0, yearly_amplitude: float = 3.0,
                ar: float = 0.8, noise_std: float = 1.0) -> np.ndarray:
    """A daily series: level + trend·t + weekly profile + yearly wave + AR(1) noise.

    ``y[t] = level + trend·t + weekly_amplitude·WEEKLY_PROFILE[t mod 7]
    + yearly_amplitude·sin(2πt/365.25) + e[t]`` with ``e[t] = ar·e[t-1] + noise_std·z[t]``,
    ``z`` standard normal drawn from ``numpy.random.default_rng(seed)`` and ``e`` started
    from its stationary distribution (``ar=1`` gives a random walk started at ``z[0]``).
    Think of it as a bank's daily payment volume.

    Raises:
        TypeError: an argument has the wrong type.
        ValueError: ``n_steps`` < 1, ``seed`` < 0, ``ar`` outside [0, 1] or a negative
            amplitude or ``noise_std``.
    """
    n = positive_int("n_steps", n_steps)
    seed = positive_int("seed", seed, allow_zero=True)
    phi = fraction("ar", ar, inclusive_high=True)
    for name, value in (("weekly_amplitude", weekly_amplitude),
                        ("yearly_amplitude", yearly_amplitude), ("noise_std", noise_std)):
        nonnegative(name, value)
    for name, value in (("level", level), ("trend", trend)):
        if isinstance(value, bool) or not isinstance(value, (Integral, float, np.floating)):
            raise TypeError(f"{name} must be a number, got {type(value).__name__}")
        if not np.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value}")
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n) * noise_std
    e = np.empty(n)
    e[0] = z[0] / np.sqrt(1.0 - phi**2) if phi < 1 else z[0]   # stationary start
    for t in range(1, n):
        e[t] = phi * e[t - 1] + z[t]
    t = np.arange(n)
    profile = np.asarray(WEEKLY_PROFILE) - np.mean(WEEKLY_PROFILE)
    return (level + trend * t + weekly_amplitude * profile[t % 7]
            + yearly_amplitude * np.sin(2 * np.pi * t / 365.25) + e)


def windows(series: object, window: int, horizon: int,
            origins: Sequence[int] | np.ndarray | None = None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Input windows and target blocks cut from ``series`` at each forecast origin.

    An origin ``o`` is the index of the first value to forecast: the input is
    ``series[o - window:o]`` and the target ``series[o:o + horizon]``. Without
    ``origins``, every origin with a full window and a full target is used.

    Returns:
        ``(x, y, origins)`` with shapes ``(n, window)``, ``(n, horizon)`` and ``(n,)``.

    Raises:
        ValueError: an origin leaves no room for the window or the target.
    """
    y_all = _series("series", series)
    window = positive_int("window", window)
    horizon = positive_int("horizon", horizon)
    if origins is None:
        o = np.arange(window, len(y_all) - horizon + 1)
    else:
        o = np.asarray(origins)
        if o.ndim != 1 or not np.issubdtype(o.dtype, np.integer):
            raise TypeError("origins must be a 1-D sequence of ints")
    if o.size == 0:
        raise ValueError(f"series of length {len(y_all)} has no origin with a window of "
                         f"{window} and a horizon of {horizon}")
    if o.min() < window or o.max() + horizon > len(y_all):
        raise ValueError(f"origins must lie in [{window}, {len(y_all) - horizon}] "
                         f"(window {window}, horizon {horizon}), got {o.min()}..{o.max()}")
    x = np.stack([y_all[i - window:i] for i in o])
    y = np.stack([y_all[i:i + horizon] for i in o])
    return x, y, o.astype(np.int64)


@dataclass(frozen=True)
class Fold:
    """One walk-forward fold: train on ``series[train]``, test on ``series[test]``."""

    train: range
    test: range


def walk_forward_splits(n_steps: int, *, n_folds: int, test_size: int,
                        min_train: int, max_train: int | None = None) -> list[Fold]:
    """Walk-forward folds that tile the end of a series of ``n_steps`` values.

    The last fold's test block ends at ``n_steps``; fold ``k``'s test block starts at
    ``n_steps - (n_folds - k)·test_size``, its *origin*, and its training part is every
    index before the origin (expanding origin) or the last ``max_train`` of them (rolling
    origin). No training index is ever at or after its fold's origin.

    Raises:
        ValueError: the first fold would train on fewer than ``min_train`` values, or
            ``max_train`` < ``min_train``.
    """
    n = positive_int("n_steps", n_steps)
    k = positive_int("n_folds", n_folds)
    size = positive_int("test_size", test_size)
    low = positive_int("min_train", min_train)
    if max_train is not None:
        max_train = positive_int("max_train", max_train)
        if max_train < low:
            raise ValueError(f"max_train ({max_train}) must be >= min_train ({low})")
    first = n - k * size
    if first < low:
        raise ValueError(f"n_steps={n} is too short for n_folds={k} test blocks of "
                         f"test_size={size} after min_train={low} values "
                         f"(needs n_steps >= {low + k * size})")
    folds = []
    for i in range(k):
        origin = first + i * size
        start = 0 if max_train is None else max(0, origin - max_train)
        folds.append(Fold(train=range(start, origin), test=range(origin, origin + size)))
    return folds


def naive_forecast(history: object, horizon: int) -> np.ndarray:
    """The naive forecast: the last observed value, repeated ``horizon`` times."""
    h = _series("history", history)
    horizon = positive_int("horizon", horizon)
    return np.full(horizon, h[-1])


def seasonal_naive_forecast(history: object, horizon: int, period: int) -> np.ndarray:
    """The seasonal naive forecast: the value one season (``period`` steps) earlier.

    ``ŷ[T + j] = y[T - period + (j mod period)]`` for ``j = 0 … horizon-1``: the last
    observed season, repeated. With ``period=1`` it is :func:`naive_forecast`.

    Raises:
        ValueError: ``history`` is shorter than one season.
    """
    period = positive_int("period", period)
    h = _series("history", history, min_len=period)
    horizon = positive_int("horizon", horizon)
    last = h[len(h) - period:]
    return last[np.arange(horizon) % period]


def origin_forecasts(series: object, test: range,
                     forecaster: Callable[[np.ndarray, int], np.ndarray],
                     horizon: int) -> np.ndarray:
    """Forecasts for ``series[test]`` issued at origins ``test.start``, ``+horizon``, ...

    At each origin ``o`` the forecaster sees ``series[:o]`` only and returns ``horizon``
    values (the last block is cut to the test block's end).

    Raises:
        ValueError: ``test`` is empty, starts at 0 or runs past the series, or the
            forecaster returns the wrong number of values.
    """
    y = _series("series", series)
    if not isinstance(test, range) or test.step != 1:
        raise TypeError(f"test must be a range with step 1, got {test!r}")
    horizon = positive_int("horizon", horizon)
    if len(test) == 0 or test.start < 1 or test.stop > len(y):
        raise ValueError(f"test must be a non-empty range inside [1, {len(y)}], got {test}")
    if not callable(forecaster):
        raise TypeError(f"forecaster must be callable, got {type(forecaster).__name__}")
    out = np.empty(len(test))
    for o in range(test.start, test.stop, horizon):
        f = np.asarray(forecaster(y[:o].copy(), horizon), dtype=np.float64)
        if f.shape != (horizon,):
            raise ValueError(f"forecaster must return {horizon} values, got shape {f.shape}")
        n = min(horizon, test.stop - o)
        out[o - test.start:o - test.start + n] = f[:n]
    return out


def mase(y_true: object, y_pred: object, y_train: object, *, period: int = 1) -> float:
    """Mean absolute scaled error (Hyndman & Koehler 2006).

    ``mean|y_true - y_pred| / mean|y_train[t] - y_train[t - period]|``: the forecast's MAE
    divided by the in-sample MAE of the one-step seasonal naive forecast (lag ``period``;
    ``period=1`` is the plain naive forecast) on the training series. Below 1, the forecast
    beats that in-sample benchmark.

    Raises:
        ValueError: lengths differ, ``y_train`` is not longer than ``period``, or the
            scale is zero (a training series that repeats itself exactly).
    """
    period = positive_int("period", period)
    t = _series("y_true", y_true)
    p = _series("y_pred", y_pred)
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred must have the same length, got {t.size} and "
                         f"{p.size}")
    train = _series("y_train", y_train, min_len=period + 1)
    scale = float(np.mean(np.abs(train[period:] - train[:-period])))
    if scale == 0.0:
        raise ValueError(f"y_train's in-sample lag-{period} MAE is zero; MASE is undefined")
    return float(np.mean(np.abs(t - p)) / scale)

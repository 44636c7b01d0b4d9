"""Fitting scaling laws: power laws, their uncertainty, and compute-optimal allocation.

* :class:`PowerLawFit`: fitted parameters, R² in log space and ``predict``;
* :func:`fit_loglog` (a straight line in log-log space, ``A·x^−α``),
  :func:`fit_saturating` (``E + A·x^−α``) and :func:`fit_joint` (the Chinchilla form
  ``E + A/N^α + B/D^β``, Huber loss on log-loss, variable-projection starts);
* :func:`bootstrap` and :func:`confidence_interval`: resampling intervals over held-out
  positions;
* :func:`compute_optimal`: the compute-optimal ``N_opt, D_opt`` of a fitted joint law at
  budget ``C ≈ 6·N·D`` (Hoffmann et al. 2022, eq. 4).

Pure NumPy/SciPy (no TensorFlow). Used by Chapter 11 (scaling laws, IsoFLOP profiles)
and Chapter 12 (the Transformer's own L(N) law).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any

import numpy as np
import pandas as pd

from scalekit._validate import fraction, positive_array, positive_int, positive_number

__all__ = ["PowerLawFit", "fit_loglog", "fit_saturating", "fit_joint", "bootstrap",
           "confidence_interval", "compute_optimal"]


@dataclass
class PowerLawFit:
    """A fitted law: its parameters, its R² (in log space) and a ``predict`` function."""

    form: str
    params: dict[str, float]
    r2_log: float
    n_points: int
    _predict: Callable[..., np.ndarray] = field(repr=False)

    def predict(self, *x: Any) -> np.ndarray:
        """Evaluate the fitted law at ``x`` (``N``, or ``N, D`` for the joint form)."""
        return self._predict(*(np.asarray(v, dtype=float) for v in x))

    def __getitem__(self, key: str) -> float:
        return self.params[key]


def _check_points(n_params: int, **arrays: np.ndarray) -> int:
    lengths = {k: len(v) for k, v in arrays.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"arrays must have equal lengths, got {lengths}")
    n = next(iter(lengths.values()))
    if n <= n_params:
        names = ", ".join(arrays)
        raise ValueError(f"{names}: need more than {n_params} points to fit {n_params} "
                         f"parameters, got {n}")
    return n


def _r2(y: np.ndarray, yhat: np.ndarray) -> float:
    ly, lh = np.log(y), np.log(yhat)
    ss_tot = float(np.sum((ly - ly.mean()) ** 2))
    return 1.0 - float(np.sum((ly - lh) ** 2)) / ss_tot if ss_tot > 0 else float("nan")


def fit_loglog(x: Any, loss: Any) -> PowerLawFit:
    """Least-squares straight line in log-log space: ``loss ≈ A·x^−alpha``.

    ``alpha`` is the (negated) slope the literature quotes; ``r2_log`` is the R² of the line.
    """
    x, y = positive_array("x", x), positive_array("loss", loss)
    _check_points(2, x=x, loss=y)
    slope, intercept = np.polyfit(np.log(x), np.log(y), 1)
    a, alpha = float(np.exp(intercept)), float(-slope)

    def predict(xx: np.ndarray) -> np.ndarray:
        return a * xx ** -alpha

    return PowerLawFit("loglog", {"A": a, "alpha": alpha}, _r2(y, predict(x)), len(x), predict)


def _huber(r: np.ndarray, delta: float) -> np.ndarray:
    a = np.abs(r)
    return np.where(a <= delta, 0.5 * r**2, delta * (a - 0.5 * delta))


def _huber_grad(r: np.ndarray, delta: float) -> np.ndarray:
    return np.clip(r, -delta, delta)


def _lse_fit(logx: np.ndarray, logy: np.ndarray, starts: list[np.ndarray], delta: float,
             bounds: list[tuple[float | None, float | None]]) -> np.ndarray:
    """Minimize Σ Huber(log y − LSE(e, a_k − α_k·log x_k)) over θ = (e, a_1, α_1, ...)."""
    from scipy.optimize import minimize
    from threadpoolctl import threadpool_limits

    k = logx.shape[1]

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        terms = np.column_stack([np.full(len(logy), theta[0])] + [
            theta[1 + 2 * j] - theta[2 + 2 * j] * logx[:, j] for j in range(k)])
        m = terms.max(axis=1, keepdims=True)
        w = np.exp(terms - m)
        lse = m[:, 0] + np.log(w.sum(axis=1))
        soft = w / w.sum(axis=1, keepdims=True)
        r = logy - lse
        g = -_huber_grad(r, delta)
        grad = np.empty_like(theta)
        grad[0] = np.sum(g * soft[:, 0])
        for j in range(k):
            grad[1 + 2 * j] = np.sum(g * soft[:, 1 + j])
            grad[2 + 2 * j] = np.sum(g * soft[:, 1 + j] * -logx[:, j])
        # scaled by 1/delta so that the tolerances of L-BFGS-B mean something (Besiroglu et
        # al. 2024 traced Chinchilla's fit to an optimizer stopped early by a tiny loss scale)
        return float(np.sum(_huber(r, delta))) / delta, grad / delta

    best, best_val = None, np.inf
    # the problem is tiny: BLAS threads only add overhead (and contention on shared cores)
    with threadpool_limits(limits=1):
        for theta0 in starts:
            res = minimize(objective, theta0, jac=True, method="L-BFGS-B", bounds=bounds,
                           options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 5000})
            if res.fun < best_val:
                best, best_val = res.x, res.fun
    assert best is not None
    return best


def _vp_starts(x: np.ndarray, y: np.ndarray, exponent_grid: Sequence[Sequence[float]],
               n_starts: int) -> list[tuple[np.ndarray, float]]:
    """Variable projection: for each exponent tuple, non-negative least squares for the
    linear coefficients (E, A, B, ...). Returns the best ``n_starts`` (coefficients, exps)."""
    from scipy.optimize import nnls

    scored = []
    for exps in product(*exponent_grid):
        design = np.column_stack([np.ones(len(y))] + [x[:, j] ** -e for j, e in enumerate(exps)])
        scale = design.max(axis=0)
        coef, _ = nnls(design / scale, y)
        coef = coef / scale
        yhat = design @ coef
        if np.any(yhat <= 0):
            continue
        score = float(np.sum((np.log(y) - np.log(yhat)) ** 2))
        scored.append((score, coef, np.array(exps)))
    scored.sort(key=lambda s: s[0])
    return [(c, e) for _, c, e in scored[:n_starts]]


def _theta_from(coef: np.ndarray, exps: np.ndarray) -> np.ndarray:
    tiny = 1e-12
    theta = [np.log(max(coef[0], tiny))]
    for c, e in zip(coef[1:], exps, strict=True):
        theta += [np.log(max(c, tiny)), e]
    return np.array(theta)


_ALPHA_GRID = np.round(np.linspace(0.02, 1.5, 38), 4)


def fit_saturating(x: Any, loss: Any, *, delta: float = 1e-3, n_starts: int = 4) -> PowerLawFit:
    """Fit ``loss = E + A·x^−alpha`` (irreducible loss ``E`` plus a power law).

    Starts come from variable projection (non-negative least squares for ``E, A`` on an
    ``alpha`` grid); the best ``n_starts`` are refined with L-BFGS-B on a Huber loss
    (``delta``) of the log-loss residuals, the objective of Hoffmann et al. (2022).
    """
    x, y = positive_array("x", x), positive_array("loss", loss)
    _check_points(3, x=x, loss=y)
    delta = fraction("delta", delta, low=1e-12, high=np.inf)
    n_starts = positive_int("n_starts", n_starts)
    starts = [_theta_from(c, e) for c, e in
              _vp_starts(x[:, None], y, [_ALPHA_GRID], n_starts)]
    bounds = [(-30.0, 10.0), (-30.0, 60.0), (0.0, 5.0)]
    theta = _lse_fit(np.log(x)[:, None], np.log(y), starts, delta, bounds)
    e, a, alpha = float(np.exp(theta[0])), float(np.exp(theta[1])), float(theta[2])

    def predict(xx: np.ndarray) -> np.ndarray:
        return e + a * xx ** -alpha

    params = {"E": e, "A": a, "alpha": alpha}
    return PowerLawFit("saturating", params, _r2(y, predict(x)), len(x), predict)


def fit_joint(n: Any, d: Any, loss: Any, *, delta: float = 1e-3, n_starts: int = 4,
              grid_size: int = 30) -> PowerLawFit:
    """Fit the Chinchilla form ``loss = E + A/N^alpha + B/D^beta``.

    Variable projection over a ``grid_size × grid_size`` grid of ``(alpha, beta)`` (with
    non-negative least squares for ``E, A, B``) supplies the ``n_starts`` best starting
    points; each is refined by L-BFGS-B on the Huber loss (``delta``) of log-loss
    residuals, parameterized as in Hoffmann et al. (2022): ``log L̂ = LSE(e, a − α log N,
    b − β log D)``.
    """
    n, d, y = positive_array("n", n), positive_array("d", d), positive_array("loss", loss)
    _check_points(5, n=n, d=d, loss=y)
    delta = fraction("delta", delta, low=1e-12, high=np.inf)
    n_starts = positive_int("n_starts", n_starts)
    grid_size = positive_int("grid_size", grid_size)
    grid = np.round(np.linspace(0.02, 1.5, grid_size), 4)
    x = np.column_stack([n, d])
    starts = [_theta_from(c, e) for c, e in _vp_starts(x, y, [grid, grid], n_starts)]
    bounds = [(-30.0, 10.0), (-30.0, 60.0), (0.0, 5.0), (-30.0, 60.0), (0.0, 5.0)]
    theta = _lse_fit(np.log(x), np.log(y), starts, delta, bounds)
    e, a, alpha, b, beta = (float(np.exp(theta[0])), float(np.exp(theta[1])), float(theta[2]),
                            float(np.exp(theta[3])), float(theta[4]))

    def predict(nn: np.ndarray, dd: np.ndarray) -> np.ndarray:
        return e + a * nn ** -alpha + b * dd ** -beta

    params = {"E": e, "A": a, "alpha": alpha, "B": b, "beta": beta}
    return PowerLawFit("joint", params, _r2(y, predict(n, d)), len(y), predict)


def bootstrap(
    fit: Callable[[np.ndarray, np.ndarray], PowerLawFit],
    x: Any,
    position_losses: Any,
    *,
    n_boot: int = 200,
    seed: int = 0,
) -> pd.DataFrame:
    """Refit ``fit(x, mean loss)`` on ``n_boot`` resamples of the held-out positions.

    ``position_losses`` has one row per point of ``x`` and one column per held-out window
    (the *same* windows for every row, as :func:`scalekit.sweeps.run_sweep` records
    them). Each resample draws windows with replacement, shared across rows, averages,
    and refits. Returns one row of fitted parameters per resample.
    """
    x = positive_array("x", x)
    losses = np.asarray(position_losses, dtype=float)
    if losses.ndim != 2 or losses.shape[0] != len(x):
        raise ValueError(f"position_losses must have shape (len(x), windows) = ({len(x)}, m), "
                         f"got {losses.shape}")
    if not np.all(np.isfinite(losses)):
        raise ValueError("position_losses must be finite")
    if not callable(fit):
        raise TypeError(f"fit must be callable, got {type(fit).__name__}")
    n_boot = positive_int("n_boot", n_boot)
    seed = positive_int("seed", seed, allow_zero=True)
    rng = np.random.default_rng(seed)
    m = losses.shape[1]
    rows = []
    for _ in range(n_boot):
        idx = rng.integers(0, m, size=m)
        rows.append(fit(x, losses[:, idx].mean(axis=1)).params)
    return pd.DataFrame(rows)


def confidence_interval(draws: Any, level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of bootstrap ``draws`` at ``level`` (e.g. 0.95)."""
    level = fraction("level", level, low=0.0, high=1.0)
    arr = np.asarray(draws, dtype=float).ravel()
    if arr.size < 2:
        raise ValueError(f"draws must hold at least 2 values, got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("draws must be finite")
    lo, hi = np.quantile(arr, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def compute_optimal(compute: Any, *, A: float, B: float, alpha: float, beta: float,
                    flops_per_param_token: float = 6.0) -> tuple[np.ndarray, np.ndarray]:
    """Compute-optimal ``(N_opt, D_opt)`` for ``L = E + A/N^alpha + B/D^beta`` at ``C = 6·N·D``.

    Minimizing the loss subject to ``N·D = C/6`` gives (Hoffmann et al. 2022, eq. 4)
    ``N_opt = G·(C/6)^(beta/(alpha+beta))``, ``D_opt = (C/6)/N_opt`` with
    ``G = (alpha·A / (beta·B))^(1/(alpha+beta))``. ``E`` does not matter.
    """
    c = positive_array("compute", compute)
    A, B = positive_number("A", A), positive_number("B", B)
    alpha, beta = positive_number("alpha", alpha), positive_number("beta", beta)
    flops_per_param_token = positive_number("flops_per_param_token", flops_per_param_token)
    g = (alpha * A / (beta * B)) ** (1.0 / (alpha + beta))
    budget = c / flops_per_param_token
    n_opt = g * budget ** (beta / (alpha + beta))
    return n_opt, budget / n_opt

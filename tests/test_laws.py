import numpy as np
import pandas as pd
import pytest

from scalekit import laws

# --- fits -------------------------------------------------------------------------------

def test_fit_loglog_recovers_an_exact_power_law():
    n = np.geomspace(1e3, 1e6, 8)
    fit = laws.fit_loglog(n, 5.0 * n**-0.1)
    assert fit["alpha"] == pytest.approx(0.1, abs=1e-9)
    assert fit["A"] == pytest.approx(5.0, rel=1e-9)
    assert fit.r2_log == pytest.approx(1.0)
    assert np.allclose(fit.predict(n), 5.0 * n**-0.1)


def test_fit_saturating_recovers_planted_parameters():
    rng = np.random.default_rng(0)
    n = np.geomspace(1e3, 1e8, 20)
    loss = (1.5 + 20.0 * n**-0.30) * np.exp(rng.normal(0, 0.01, n.size))
    fit = laws.fit_saturating(n, loss)
    assert fit["alpha"] == pytest.approx(0.30, abs=0.03)
    assert fit["E"] == pytest.approx(1.5, abs=0.1)
    assert fit.r2_log > 0.99


def test_fit_joint_recovers_planted_chinchilla_parameters():
    rng = np.random.default_rng(1)
    n, d = (g.ravel() for g in np.meshgrid(np.geomspace(1e6, 1e10, 7),
                                           np.geomspace(1e8, 1e12, 7)))
    loss = (1.69 + 406.4 * n**-0.34 + 410.7 * d**-0.28) * np.exp(rng.normal(0, 0.01, n.size))
    fit = laws.fit_joint(n, d, loss)
    assert fit["alpha"] == pytest.approx(0.34, abs=0.06)
    assert fit["beta"] == pytest.approx(0.28, abs=0.06)
    assert fit["E"] == pytest.approx(1.69, abs=0.15)
    assert fit.r2_log > 0.95
    assert fit.predict(1e9, 1e11).shape == ()


@pytest.mark.parametrize("fit, args", [
    (laws.fit_loglog, ()), (laws.fit_saturating, ())])
def test_fits_reject_bad_input(fit, args):
    n = np.geomspace(1e3, 1e6, 8)
    with pytest.raises(ValueError, match="x"):
        fit(np.r_[0.0, n[1:]], n**-0.1)
    with pytest.raises(ValueError, match="loss"):
        fit(n, np.r_[-1.0, n[1:] ** -0.1])
    with pytest.raises(ValueError, match="points"):
        fit(n[:2], n[:2] ** -0.1)
    with pytest.raises(ValueError, match="lengths"):
        fit(n, n[:5] ** -0.1)
    with pytest.raises(TypeError, match="x"):
        fit("abc", n)


def test_fit_joint_rejects_bad_input():
    n = np.geomspace(1e3, 1e6, 6)
    with pytest.raises(ValueError, match="points"):
        laws.fit_joint(n[:5], n[:5], n[:5] ** -0.1)
    with pytest.raises(ValueError, match="d"):
        laws.fit_joint(n, -n, n**-0.1)
    with pytest.raises(ValueError, match="n must be positive"):
        laws.fit_joint(np.zeros(6), n, n**-0.1)
    with pytest.raises(ValueError, match="loss"):
        laws.fit_joint(n, n, np.zeros(6))


# --- bootstrap and allocation -----------------------------------------------------------

def test_bootstrap_interval_covers_the_planted_slope():
    rng = np.random.default_rng(2)
    n = np.geomspace(1e3, 1e5, 6)
    per_window = 3.0 * n[:, None] ** -0.1 * rng.exponential(1.0, size=(6, 2000))
    draws = laws.bootstrap(laws.fit_loglog, n, per_window, n_boot=100, seed=0)
    assert isinstance(draws, pd.DataFrame) and len(draws) == 100
    lo, hi = laws.confidence_interval(draws["alpha"], 0.95)
    assert lo < 0.1 < hi and hi - lo < 0.05
    with pytest.raises(ValueError, match="position_losses"):
        laws.bootstrap(laws.fit_loglog, n, per_window[:3])
    with pytest.raises(ValueError, match="n_boot"):
        laws.bootstrap(laws.fit_loglog, n, per_window, n_boot=0)
    with pytest.raises(TypeError, match="fit"):
        laws.bootstrap(None, n, per_window)
    with pytest.raises(ValueError, match="level"):
        laws.confidence_interval(draws["alpha"], 1.5)
    with pytest.raises(ValueError, match="draws"):
        laws.confidence_interval([1.0])
    with pytest.raises(ValueError, match="draws must be finite"):
        laws.confidence_interval([1.0, np.nan])


def test_compute_optimal_matches_closed_form_and_numeric_minimum():
    from scipy.optimize import minimize_scalar

    law = {"A": 482.0, "B": 2085.4, "alpha": 0.348, "beta": 0.366}  # Besiroglu et al. (2024)
    n_opt, d_opt = laws.compute_optimal(5.76e23, **law)
    assert n_opt[0] == pytest.approx(7.2e10, rel=0.05)
    assert 6 * n_opt[0] * d_opt[0] == pytest.approx(5.76e23)

    def loss(log_n, c=5.76e23):
        n = np.exp(log_n)
        return law["A"] * n ** -law["alpha"] + law["B"] * (c / (6 * n)) ** -law["beta"]

    best = minimize_scalar(loss, bounds=(np.log(1e8), np.log(1e13)), method="bounded",
                           options={"xatol": 1e-10})
    assert np.exp(best.x) == pytest.approx(n_opt[0], rel=1e-3)
    # Hoffmann et al. (2022), rounded published values
    hoff, _ = laws.compute_optimal(5.76e23, A=406.4, B=410.7, alpha=0.34, beta=0.28)
    assert 3.2e10 <= hoff[0] <= 4.0e10


@pytest.mark.parametrize("kwargs, err, match", [
    ({"compute": 0.0}, ValueError, "compute"),
    ({"alpha": -0.3}, ValueError, "alpha"),
    ({"B": 0}, ValueError, "B"),
    ({"beta": "0.3"}, TypeError, "beta")])
def test_compute_optimal_bad_input(kwargs, err, match):
    args = {"compute": 1e20, "A": 1.0, "B": 1.0, "alpha": 0.3, "beta": 0.3, **kwargs}
    compute = args.pop("compute")
    with pytest.raises(err, match=match):
        laws.compute_optimal(compute, **args)


@pytest.mark.parametrize("kwargs, err, match", [
    ({"delta": 0.0}, ValueError, "delta"),
    ({"n_starts": 0}, ValueError, "n_starts"),
    ({"n_starts": 1.5}, TypeError, "n_starts")])
def test_fit_saturating_and_joint_bad_options(kwargs, err, match):
    n = np.geomspace(1e3, 1e6, 8)
    with pytest.raises(err, match=match):
        laws.fit_saturating(n, 1 + n**-0.1, **kwargs)
    with pytest.raises(err, match=match):
        laws.fit_joint(n, n, 1 + n**-0.1, **kwargs)
    with pytest.raises(ValueError, match="grid_size"):
        laws.fit_joint(n, n, 1 + n**-0.1, grid_size=0)


def test_bootstrap_bad_input():
    n = np.geomspace(1e3, 1e5, 4)
    per_window = np.ones((4, 10))
    with pytest.raises(ValueError, match="seed"):
        laws.bootstrap(laws.fit_loglog, n, per_window, seed=-1)
    with pytest.raises(ValueError, match="position_losses must be finite"):
        laws.bootstrap(laws.fit_loglog, n, np.full((4, 10), np.nan))
    with pytest.raises(ValueError, match="x"):
        laws.bootstrap(laws.fit_loglog, -n, per_window)


def test_compute_optimal_bad_flops_per_param_token():
    with pytest.raises(ValueError, match="flops_per_param_token"):
        laws.compute_optimal(1e20, A=1.0, B=1.0, alpha=0.3, beta=0.3,
                             flops_per_param_token=float("inf"))

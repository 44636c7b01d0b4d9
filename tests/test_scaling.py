import numpy as np
import pandas as pd
import pytest

from scalekit import env, scaling
from scalekit.data import VOCAB

tf = env.setup(seed=0)


# --- model, corpus, training ------------------------------------------------------------

@pytest.mark.parametrize("width, context, embed_dim", [(4, 16, 16), (32, 8, 4)])
def test_char_mlp_counts_non_embedding_params(width, context, embed_dim):
    model = scaling.char_mlp(width, context=context, embed_dim=embed_dim)
    assert model.output_shape == (None, len(VOCAB))
    embedding = len(VOCAB) * embed_dim
    n = scaling.non_embedding_params(width, context=context, embed_dim=embed_dim)
    assert model.count_params() - embedding == n
    assert n == context * embed_dim * width + width + width * len(VOCAB) + len(VOCAB)


@pytest.mark.parametrize("kwargs, err, match", [
    ({"width": 0}, ValueError, "width"),
    ({"width": 4, "context": 0}, ValueError, "context"),
    ({"width": 4.5}, TypeError, "width")])
def test_char_mlp_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        scaling.char_mlp(**kwargs)
    with pytest.raises(err, match=match):
        scaling.non_embedding_params(**kwargs)


def test_checkpoint_steps_are_log_spaced_and_end_at_steps():
    steps = scaling.checkpoint_steps(2048, 12)
    assert steps[-1] == 2048 and steps[0] == 16
    assert steps == sorted(set(steps))
    assert scaling.checkpoint_steps(5, 3) == [5]
    assert scaling.checkpoint_steps(300, 1) == [300]
    with pytest.raises(ValueError, match="steps"):
        scaling.checkpoint_steps(0, 3)


@pytest.fixture(scope="module")
def corpus():
    return scaling.load_corpus(context=8, heldout_windows=512, seed=0, max_train_chars=200_000)


def test_load_corpus(corpus):
    assert corpus.heldout_x.shape == (512, 8) and corpus.heldout_y.shape == (512,)
    assert corpus.train_ids.dtype == np.int32 and len(corpus.train_ids) == 200_000
    # unigram cross-entropy of source code: well below log(97) = 4.57 nats, above 2
    assert 2.0 < corpus.unigram_entropy < np.log(len(VOCAB))
    with pytest.raises(ValueError, match="heldout_windows"):
        scaling.load_corpus(heldout_windows=0)


def test_run_sweep_records_tidy_checkpoints(corpus):
    sweep = scaling.run_sweep([2, 16], train_tokens=256 * 64, context=8, batch_size=256,
                              evaluations=4, corpus=corpus, seed=0)
    frame = sweep.frame
    assert list(frame.columns) == ["width", "N", "step", "D", "C", "loss", "train_loss",
                                   "seconds"]
    assert set(frame["width"]) == {2, 16}
    assert (frame["D"] == frame["step"] * 256).all()
    assert np.allclose(frame["C"], 6 * frame["N"] * frame["D"])
    assert frame.groupby("width")["step"].max().eq(64).all()
    final = sweep.final()
    assert len(final) == 2 and sweep.position_losses.shape == (2, 512)
    assert np.allclose(final["loss"], sweep.position_losses.mean(axis=1), rtol=1e-5)
    # after 64 steps both models beat the uniform guess log(97)
    assert (final["loss"] < np.log(len(VOCAB))).all()
    with pytest.raises(ValueError, match="context"):
        scaling.run_sweep([2], train_tokens=1024, context=16, corpus=corpus)
    with pytest.raises(ValueError, match="train_tokens"):
        scaling.run_sweep([2], train_tokens=100, batch_size=256, context=8, corpus=corpus)
    with pytest.raises(ValueError, match="widths"):
        scaling.run_sweep([], train_tokens=1024, context=8, corpus=corpus)


def test_training_is_repeatable(corpus):
    def once():
        tf.keras.utils.set_random_seed(3)
        model = scaling.char_mlp(8, context=8)
        frame, losses = scaling.train_char_mlp(model, corpus, steps=20, batch_size=64,
                                               evaluations=2, seed=5)
        return frame["loss"].to_numpy()

    assert np.allclose(once(), once(), rtol=1e-5)
    with pytest.raises(ValueError, match="learning_rate"):
        scaling.train_char_mlp(scaling.char_mlp(8, context=8), corpus, steps=2,
                               learning_rate=0.0)


# --- fits -------------------------------------------------------------------------------

def test_fit_loglog_recovers_an_exact_power_law():
    n = np.geomspace(1e3, 1e6, 8)
    fit = scaling.fit_loglog(n, 5.0 * n**-0.1)
    assert fit["alpha"] == pytest.approx(0.1, abs=1e-9)
    assert fit["A"] == pytest.approx(5.0, rel=1e-9)
    assert fit.r2_log == pytest.approx(1.0)
    assert np.allclose(fit.predict(n), 5.0 * n**-0.1)


def test_fit_saturating_recovers_planted_parameters():
    rng = np.random.default_rng(0)
    n = np.geomspace(1e3, 1e8, 20)
    loss = (1.5 + 20.0 * n**-0.30) * np.exp(rng.normal(0, 0.01, n.size))
    fit = scaling.fit_saturating(n, loss)
    assert fit["alpha"] == pytest.approx(0.30, abs=0.03)
    assert fit["E"] == pytest.approx(1.5, abs=0.1)
    assert fit.r2_log > 0.99


def test_fit_joint_recovers_planted_chinchilla_parameters():
    rng = np.random.default_rng(1)
    n, d = (g.ravel() for g in np.meshgrid(np.geomspace(1e6, 1e10, 7),
                                           np.geomspace(1e8, 1e12, 7)))
    loss = (1.69 + 406.4 * n**-0.34 + 410.7 * d**-0.28) * np.exp(rng.normal(0, 0.01, n.size))
    fit = scaling.fit_joint(n, d, loss)
    assert fit["alpha"] == pytest.approx(0.34, abs=0.06)
    assert fit["beta"] == pytest.approx(0.28, abs=0.06)
    assert fit["E"] == pytest.approx(1.69, abs=0.15)
    assert fit.r2_log > 0.95
    assert fit.predict(1e9, 1e11).shape == ()


@pytest.mark.parametrize("fit, args", [
    (scaling.fit_loglog, ()), (scaling.fit_saturating, ())])
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
        scaling.fit_joint(n[:5], n[:5], n[:5] ** -0.1)
    with pytest.raises(ValueError, match="d"):
        scaling.fit_joint(n, -n, n**-0.1)
    with pytest.raises(ValueError, match="n must be positive"):
        scaling.fit_joint(np.zeros(6), n, n**-0.1)
    with pytest.raises(ValueError, match="loss"):
        scaling.fit_joint(n, n, np.zeros(6))


# --- bootstrap and allocation -----------------------------------------------------------

def test_bootstrap_interval_covers_the_planted_slope():
    rng = np.random.default_rng(2)
    n = np.geomspace(1e3, 1e5, 6)
    per_window = 3.0 * n[:, None] ** -0.1 * rng.exponential(1.0, size=(6, 2000))
    draws = scaling.bootstrap(scaling.fit_loglog, n, per_window, n_boot=100, seed=0)
    assert isinstance(draws, pd.DataFrame) and len(draws) == 100
    lo, hi = scaling.confidence_interval(draws["alpha"], 0.95)
    assert lo < 0.1 < hi and hi - lo < 0.05
    with pytest.raises(ValueError, match="position_losses"):
        scaling.bootstrap(scaling.fit_loglog, n, per_window[:3])
    with pytest.raises(ValueError, match="n_boot"):
        scaling.bootstrap(scaling.fit_loglog, n, per_window, n_boot=0)
    with pytest.raises(TypeError, match="fit"):
        scaling.bootstrap(None, n, per_window)
    with pytest.raises(ValueError, match="level"):
        scaling.confidence_interval(draws["alpha"], 1.5)
    with pytest.raises(ValueError, match="draws"):
        scaling.confidence_interval([1.0])


def test_compute_optimal_matches_closed_form_and_numeric_minimum():
    from scipy.optimize import minimize_scalar

    law = {"A": 482.0, "B": 2085.4, "alpha": 0.348, "beta": 0.366}  # Besiroglu et al. (2024)
    n_opt, d_opt = scaling.compute_optimal(5.76e23, **law)
    assert n_opt[0] == pytest.approx(7.2e10, rel=0.05)
    assert 6 * n_opt[0] * d_opt[0] == pytest.approx(5.76e23)

    def loss(log_n, c=5.76e23):
        n = np.exp(log_n)
        return law["A"] * n ** -law["alpha"] + law["B"] * (c / (6 * n)) ** -law["beta"]

    best = minimize_scalar(loss, bounds=(np.log(1e8), np.log(1e13)), method="bounded",
                           options={"xatol": 1e-10})
    assert np.exp(best.x) == pytest.approx(n_opt[0], rel=1e-3)
    # Hoffmann et al. (2022), rounded published values
    hoff, _ = scaling.compute_optimal(5.76e23, A=406.4, B=410.7, alpha=0.34, beta=0.28)
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
        scaling.compute_optimal(compute, **args)

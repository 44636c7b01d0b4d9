"""Scaling-law experiments on a CPU: a character MLP, a sweep runner and power-law fits.

* :func:`char_mlp` and :func:`non_embedding_params`: the model family of Chapter 11, a
  character-level MLP on the standard-library corpus (:mod:`scalekit.data`).
* :func:`train_char_mlp` and :func:`run_sweep`: training inside ``tf.function`` with
  in-graph batching, held-out loss at log-spaced checkpoints, one tidy row per checkpoint
  (``width, N, step, D, C, loss``).
* :func:`fit_loglog`, :func:`fit_saturating`, :func:`fit_joint`: the three fits of the
  literature (a straight line in log-log space; ``E + A·x^−α``; the Chinchilla form
  ``E + A/N^α + B/D^β`` with a Huber loss on log-loss).
* :func:`bootstrap` and :func:`confidence_interval`: resampling intervals for fitted values.
* :func:`compute_optimal`: the compute-optimal ``N_opt, D_opt`` of a fitted joint law at
  budget ``C ≈ 6·N·D``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any

import numpy as np
import pandas as pd

from scalekit._validate import fraction, positive_int, positive_int_list
from scalekit.data import VOCAB, encode_text, stdlib_text

# ---------------------------------------------------------------------------------------
# Model and corpus
# ---------------------------------------------------------------------------------------


def non_embedding_params(width: int, *, context: int = 16, embed_dim: int = 16,
                         vocab_size: int = len(VOCAB)) -> int:
    """Non-embedding parameters of :func:`char_mlp`: ``(context·embed_dim)·w + w + w·V + V``.

    Kaplan et al. (2020) count parameters without the embedding table; so does the book.
    """
    width = positive_int("width", width)
    context = positive_int("context", context)
    embed_dim = positive_int("embed_dim", embed_dim)
    vocab_size = positive_int("vocab_size", vocab_size)
    return context * embed_dim * width + width + width * vocab_size + vocab_size


def char_mlp(width: int, *, context: int = 16, embed_dim: int = 16,
             vocab_size: int = len(VOCAB), name: str | None = None):
    """A character MLP: ``Embedding → Flatten → Dense(width, relu) → Dense(vocab)`` (logits).

    Input: ``(batch, context)`` integer ids; output: next-character logits.
    """
    import tensorflow as tf

    width = positive_int("width", width)
    context = positive_int("context", context)
    embed_dim = positive_int("embed_dim", embed_dim)
    vocab_size = positive_int("vocab_size", vocab_size)
    return tf.keras.Sequential(
        [
            tf.keras.Input(shape=(context,), dtype="int32"),
            tf.keras.layers.Embedding(vocab_size, embed_dim, name="embedding"),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(width, activation="relu", name="hidden"),
            tf.keras.layers.Dense(vocab_size, name="logits"),
        ],
        name=name or f"char_mlp_w{width}",
    )


@dataclass
class Corpus:
    """Encoded training ids and a fixed set of held-out windows (``x``: context, ``y``: next)."""

    train_ids: np.ndarray
    heldout_x: np.ndarray
    heldout_y: np.ndarray
    context: int

    @property
    def unigram_entropy(self) -> float:
        """Cross-entropy (nats) of the held-out targets under the training unigram frequencies.

        This is the loss of the best model that ignores context: every useful model beats it.
        """
        counts = np.bincount(self.train_ids, minlength=len(VOCAB)).astype(float) + 1.0
        logp = np.log(counts / counts.sum())
        return float(-logp[self.heldout_y].mean())


def load_corpus(*, context: int = 16, heldout_windows: int = 16384, seed: int = 0,
                max_train_chars: int | None = None) -> Corpus:
    """The standard-library corpus, encoded, with ``heldout_windows`` random held-out windows.

    Training text comes from ``stdlib_text(split="train")``; evaluation windows from the
    held-out files only (split by path hash), drawn with ``seed``.
    """
    context = positive_int("context", context)
    heldout_windows = positive_int("heldout_windows", heldout_windows)
    train_ids = encode_text(stdlib_text(max_train_chars, split="train"))
    held = encode_text(stdlib_text(split="heldout"))
    if len(held) <= context + heldout_windows // 8:
        raise ValueError(f"held-out text too short for context={context}")
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, len(held) - context, size=heldout_windows)
    windows = held[starts[:, None] + np.arange(context + 1)]
    return Corpus(train_ids=train_ids, heldout_x=windows[:, :context].astype(np.int32),
                  heldout_y=windows[:, context].astype(np.int32), context=context)


# ---------------------------------------------------------------------------------------
# Training and the sweep
# ---------------------------------------------------------------------------------------


def checkpoint_steps(steps: int, evaluations: int, *, first: int = 16) -> list[int]:
    """About ``evaluations`` log-spaced step counts from ``first`` to ``steps`` (both included)."""
    steps = positive_int("steps", steps)
    evaluations = positive_int("evaluations", evaluations)
    first = min(positive_int("first", first), steps)
    if evaluations == 1:
        return [steps]
    grid = np.unique(np.round(np.geomspace(first, steps, evaluations)).astype(int))
    return [int(s) for s in grid]


def train_char_mlp(
    model,
    corpus: Corpus,
    *,
    steps: int,
    batch_size: int = 512,
    learning_rate: float = 2e-3,
    evaluations: int = 12,
    seed: int = 0,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Train ``model`` with Adam on random windows of ``corpus``; evaluate at checkpoints.

    Batches are drawn *inside* the compiled graph (random offsets into the training ids,
    ``tf.gather`` of the windows), so a whole stretch of steps between two evaluations is a
    single ``tf.function`` call with a ``tf.range`` loop: no Python per step.

    Returns ``(checkpoints, position_losses)``: one row per checkpoint with ``step``, ``D``
    (training tokens seen, ``step·batch_size``), ``loss`` (mean held-out cross-entropy,
    nats) and ``train_loss``; and the per-window held-out losses of the final model.
    """
    import tensorflow as tf

    steps = positive_int("steps", steps)
    batch_size = positive_int("batch_size", batch_size)
    seed = positive_int("seed", seed, allow_zero=True)
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
    context = corpus.context
    ids = tf.constant(corpus.train_ids, dtype=tf.int32)
    max_start = int(len(corpus.train_ids) - context - 1)
    offsets = tf.range(context + 1, dtype=tf.int32)
    generator = tf.random.Generator.from_seed(seed)
    optimizer = tf.keras.optimizers.Adam(learning_rate)
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.function
    def train_stretch(n_steps):
        total = tf.constant(0.0)
        for _ in tf.range(n_steps):
            starts = generator.uniform([batch_size], 0, max_start, dtype=tf.int32)
            windows = tf.gather(ids, starts[:, None] + offsets[None, :])
            x, y = windows[:, :context], windows[:, context]
            with tf.GradientTape() as tape:
                loss = loss_fn(y, model(x, training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
            total += loss
        return total / tf.cast(n_steps, tf.float32)

    heldout_x = tf.constant(corpus.heldout_x)
    heldout_y = tf.constant(corpus.heldout_y)

    @tf.function
    def position_losses():
        logits = model(heldout_x, training=False)
        return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=heldout_y, logits=logits)

    rows, done = [], 0
    per_position = np.empty(0)
    for step in checkpoint_steps(steps, evaluations):
        train_loss = float(train_stretch(tf.constant(step - done)))
        done = step
        per_position = position_losses().numpy().astype(np.float64)
        rows.append({"step": step, "D": step * batch_size, "loss": float(per_position.mean()),
                     "train_loss": train_loss})
    return pd.DataFrame(rows), per_position


@dataclass
class Sweep:
    """Result of :func:`run_sweep`.

    ``frame``: one row per (width, checkpoint) with ``width, N, step, D, C, loss,
    train_loss, seconds``. ``position_losses``: final held-out loss per window, one row
    per width (same windows for every width, so bootstrap resamples can be paired).
    """

    frame: pd.DataFrame
    position_losses: np.ndarray
    unigram_entropy: float
    settings: dict[str, Any] = field(default_factory=dict)

    def final(self) -> pd.DataFrame:
        """The last checkpoint of each width (one row per model size)."""
        last = self.frame.groupby("width")["step"].transform("max")
        return self.frame[self.frame["step"] == last].reset_index(drop=True)


def run_sweep(
    widths: Sequence[int],
    *,
    train_tokens: int,
    context: int = 16,
    embed_dim: int = 16,
    batch_size: int = 512,
    learning_rate: float = 2e-3,
    evaluations: int = 12,
    heldout_windows: int = 16384,
    seed: int = 0,
    corpus: Corpus | None = None,
    progress: bool = False,
) -> Sweep:
    """Train one :func:`char_mlp` per width for ``train_tokens`` tokens; record every checkpoint.

    Every width sees the same number of tokens ``D = steps·batch_size`` (``steps =
    train_tokens // batch_size``) and is evaluated on the same held-out windows.
    ``C = 6·N·D`` with ``N`` the non-embedding parameters. ``progress`` prints one line per
    finished width to standard error (which the built book hides).
    """
    import tensorflow as tf

    widths = positive_int_list("widths", widths)
    train_tokens = positive_int("train_tokens", train_tokens)
    batch_size = positive_int("batch_size", batch_size)
    if train_tokens < batch_size:
        raise ValueError(f"train_tokens ({train_tokens}) must be >= batch_size ({batch_size})")
    if corpus is None:
        corpus = load_corpus(context=context, heldout_windows=heldout_windows, seed=seed)
    elif corpus.context != context:
        raise ValueError(f"corpus.context={corpus.context} differs from context={context}")
    steps = train_tokens // batch_size
    frames, losses = [], []
    for i, width in enumerate(widths):
        start = time.perf_counter()
        tf.keras.utils.set_random_seed(seed + i)
        model = char_mlp(width, context=context, embed_dim=embed_dim)
        ckpt, per_position = train_char_mlp(
            model, corpus, steps=steps, batch_size=batch_size, learning_rate=learning_rate,
            evaluations=evaluations, seed=seed + 1000 * (i + 1))
        n = non_embedding_params(width, context=context, embed_dim=embed_dim)
        ckpt.insert(0, "N", n)
        ckpt.insert(0, "width", width)
        ckpt["C"] = 6.0 * n * ckpt["D"]
        ckpt["seconds"] = time.perf_counter() - start
        frames.append(ckpt)
        losses.append(per_position)
        if progress:
            print(f"[{i + 1}/{len(widths)}] width {width:5d}  N {n:9,d}  held-out loss "
                  f"{ckpt['loss'].iloc[-1]:.3f}  ({ckpt['seconds'].iloc[-1]:.1f} s)",
                  file=sys.stderr, flush=True)
    frame = pd.DataFrame(pd.concat(frames, ignore_index=True))
    frame = frame[["width", "N", "step", "D", "C", "loss", "train_loss", "seconds"]]
    settings = {"context": context, "embed_dim": embed_dim, "batch_size": batch_size,
                "learning_rate": learning_rate, "steps": steps, "seed": seed}
    return Sweep(frame=frame, position_losses=np.vstack(losses),
                 unigram_entropy=corpus.unigram_entropy, settings=settings)


# ---------------------------------------------------------------------------------------
# Fits
# ---------------------------------------------------------------------------------------


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


def _positive_array(name: str, values: Any) -> np.ndarray:
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got {type(values).__name__}")
    try:
        arr = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers") from err
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    if np.any(arr <= 0):
        raise ValueError(f"{name} must be positive (log-log fits), got min {arr.min():g}")
    return arr


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
    x, y = _positive_array("x", x), _positive_array("loss", loss)
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
    x, y = _positive_array("x", x), _positive_array("loss", loss)
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
    n, d, y = _positive_array("n", n), _positive_array("d", d), _positive_array("loss", loss)
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


# ---------------------------------------------------------------------------------------
# Uncertainty and allocation
# ---------------------------------------------------------------------------------------


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
    (the *same* windows for every row, as :func:`run_sweep` records them). Each resample
    draws windows with replacement, shared across rows, averages, and refits. Returns one
    row of fitted parameters per resample.
    """
    x = _positive_array("x", x)
    losses = np.asarray(position_losses, dtype=float)
    if losses.ndim != 2 or losses.shape[0] != len(x):
        raise ValueError(f"position_losses must have shape (len(x), windows) = ({len(x)}, m), "
                         f"got {losses.shape}")
    if not callable(fit):
        raise TypeError(f"fit must be callable, got {type(fit).__name__}")
    n_boot = positive_int("n_boot", n_boot)
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
    lo, hi = np.quantile(arr, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


def compute_optimal(compute: Any, *, A: float, B: float, alpha: float, beta: float,
                    flops_per_param_token: float = 6.0) -> tuple[np.ndarray, np.ndarray]:
    """Compute-optimal ``(N_opt, D_opt)`` for ``L = E + A/N^alpha + B/D^beta`` at ``C = 6·N·D``.

    Minimizing the loss subject to ``N·D = C/6`` gives (Hoffmann et al. 2022, eq. 4)
    ``N_opt = G·(C/6)^(beta/(alpha+beta))``, ``D_opt = (C/6)/N_opt`` with
    ``G = (alpha·A / (beta·B))^(1/(alpha+beta))``. ``E`` does not matter.
    """
    c = _positive_array("compute", compute)
    for name, value in {"A": A, "B": B, "alpha": alpha, "beta": beta,
                        "flops_per_param_token": flops_per_param_token}.items():
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
            raise TypeError(f"{name} must be a number, got {type(value).__name__}")
        if not value > 0:
            raise ValueError(f"{name} must be > 0, got {value}")
    g = (alpha * A / (beta * B)) ** (1.0 / (alpha + beta))
    budget = c / flops_per_param_token
    n_opt = g * budget ** (beta / (alpha + beta))
    return n_opt, budget / n_opt

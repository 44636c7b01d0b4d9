# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# (ch03-optimizers)=
# # Optimizers from scratch, checked against Keras
#
# Every optimizer in this chapter does the same thing: it turns a gradient into a step.
# They differ only in what they remember between steps. We write each one in a few lines
# of NumPy (in `scalekit.optim`), check it **step by step** against the class of the same
# name in `tf.keras.optimizers`, and then compare them on one problem: how fast the loss
# falls per step, per pass over the data and per second, and what a learning-rate
# schedule changes.

# %% tags=["remove-cell"]
# Colab: install the book's helper package (and its pinned stack) when it is missing.
import importlib.util
import subprocess
import sys

REPO = "git+https://github.com/scaling-ai-book/scaling-ai-models"
if "google.colab" in sys.modules and importlib.util.find_spec("scalekit") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                    f"scalekit[book] @ {REPO}"], check=True)

# %% tags=["parameters"]
seed = 0              # every random draw follows from it
steps = 100           # steps of the step-by-step comparison with tf.keras
gd_steps = 300        # steps of the full-batch comparison
epochs = 30           # passes over the data in the stochastic comparison
batch_size = 32       # mini-batch size of mini-batch SGD
l2 = 1e-3             # L2 penalty of the logistic regression (a unique optimum)
lr_grid = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0]   # rates tried per optimizer

# %% [markdown]
# ## Set-up

# %%
import inspect

import numpy as np
import pandas as pd
import seaborn as sns
from scipy.optimize import minimize as scipy_minimize

from scalekit import compare, data, env, optim, plots, report

tf = env.setup(seed=seed)
plots.set_theme()
rng = np.random.default_rng(seed)

# %% [markdown]
# ## The update rules
#
# With gradient $g_t$ at step $t$ and learning rate $\alpha$, the rules below are the ones
# `tf.keras` 2 (the `tf_keras` package) implements; `scalekit.optim` copies them line by
# line, including where $\epsilon$ sits and what the state starts at.
#
# | optimizer | state | step |
# |---|---|---|
# | gradient descent / SGD {cite:p}`robbins1951stochastic` | none | $\theta \leftarrow \theta - \alpha g$ |
# | momentum {cite:p}`polyak1964some` | $u_0=0$: $u \leftarrow \mu u - \alpha g$ | $\theta \leftarrow \theta + u$ |
# | Nesterov {cite:p}`nesterov1983method` | same $u$ | $\theta \leftarrow \theta + \mu u - \alpha g$ |
# | AdaGrad {cite:p}`duchi2011adaptive` | $G_0=0.1$: $G \leftarrow G + g^2$ | $\theta \leftarrow \theta - \alpha g/\sqrt{G+\epsilon}$ |
# | RMSprop {cite:p}`tieleman2012rmsprop` | $v_0=0$: $v \leftarrow \rho v + (1-\rho) g^2$ | $\theta \leftarrow \theta - \alpha g/\sqrt{v+\epsilon}$ |
# | Adam {cite:p}`kingma2015adam` | $m_0=v_0=0$: $m \leftarrow \beta_1 m + (1-\beta_1) g$, $v \leftarrow \beta_2 v + (1-\beta_2) g^2$ | $\theta \leftarrow \theta - \alpha \dfrac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}\,\dfrac{m}{\sqrt{v}+\epsilon}$ |
#
# Nesterov's accelerated gradient method {cite:p}`nesterov1983method` was written for
# convex optimization; {cite:t}`sutskever2013importance` wrote it as a momentum method
# (the gradient taken at the look-ahead point $\theta + \mu u$) and showed its value for
# training deep networks. The rule in the table is the same method after a change of
# variables: the parameters Keras stores *are* the look-ahead point. The coefficient
# $\mu$ is the **momentum coefficient** (Keras's `momentum` argument).
#
# Adam's step is the bias-corrected $\alpha\,\hat m/(\sqrt{\hat v}+\hat\epsilon)$ with
# $\hat m = m/(1-\beta_1^t)$, $\hat v = v/(1-\beta_2^t)$; Keras folds both corrections into
# the rate, which makes its $\epsilon$ the paper's $\hat\epsilon$ (the paper's own remark
# at the end of its Section 2). The option `adaptive_epsilon=True`, in Keras and in
# `scalekit.optim.Adam`, gives the textbook form exactly. Here is the whole of
# `scalekit.optim.Adam`'s update:
#
# ```{literalinclude} ../../scalekit/optim.py
# :language: python
# :pyobject: Adam._update
# :caption: scalekit/optim.py, Adam._update
# ```
#
# ## Step by step against `tf.keras.optimizers`
#
# Same starting parameters, same sequence of random gradients, {glue:text}`opt_steps`
# steps: our NumPy optimizer updates a NumPy array, the Keras optimizer updates a
# `tf.Variable` through `apply_gradients`. Both run in float64, so any disagreement
# beyond round-off would be a different rule. We record the largest relative gap
# $\max|\theta_{\text{ours}}-\theta_{\text{Keras}}|/\max(|\theta_{\text{ours}}|,
# |\theta_{\text{Keras}}|)$ (`scalekit.compare.max_rel_diff`) over all steps.

# %%
shapes = [(8, 5), (5,)]                       # a weight matrix and a bias
init = [rng.normal(size=s) for s in shapes]
grad_seq = [[rng.normal(scale=2.0, size=s) for s in shapes] for _ in range(steps)]


def versus_keras(ours: optim.Optimizer, theirs: tf.keras.optimizers.Optimizer) -> float:
    params = [p.copy() for p in init]
    variables = [tf.Variable(p, dtype=tf.float64) for p in init]
    worst = 0.0
    for grads in grad_seq:
        ours.apply(params, grads)
        tensors = [tf.constant(g) for g in grads]
        theirs.apply_gradients(zip(tensors, variables, strict=True))
        worst = max(worst, compare.max_rel_diff(params, [v.numpy() for v in variables]))
    return worst


K = tf.keras.optimizers
pairs = {
    "sgd": (optim.SGD(0.05), K.SGD(0.05)),
    "momentum": (optim.SGD(0.05, momentum=0.9), K.SGD(0.05, momentum=0.9)),
    "nesterov": (optim.SGD(0.05, momentum=0.9, nesterov=True),
                 K.SGD(0.05, momentum=0.9, nesterov=True)),
    "adagrad": (optim.AdaGrad(0.1), K.Adagrad(0.1)),
    "rmsprop": (optim.RMSprop(0.01), K.RMSprop(0.01)),
    "adam": (optim.Adam(0.01), K.Adam(0.01)),
}
check = {name: versus_keras(*pair) for name, pair in pairs.items()}
report.table(pd.Series(check, name="max relative difference").to_frame(), digits=2)

# %% tags=["remove-input"]
report.record(
    "opt",
    steps=steps,
    sgd_vs_keras=check["sgd"],
    momentum_vs_keras=check["momentum"],
    nesterov_vs_keras=check["nesterov"],
    adagrad_vs_keras=check["adagrad"],
    rmsprop_vs_keras=check["rmsprop"],
    adam_vs_keras=check["adam"],
)

# %% [markdown]
# Every difference is at or within a few units of float64 round-off, far below the
# tolerance of 1e-6 the tests use. One detail had to be copied to get there: Keras keeps
# the learning rate in a float32 variable and turns Python constants into float32 before
# casting them, so the learning rate, SGD's momentum and Adam's $\beta$s *inside the bias
# corrections* are rounded to float32 even when the parameters are float64.
# `scalekit.optim` does the same by default (`keras_rounding=True`). Without it, Adam ends
# {glue:text}`opt_adam_full_precision_rel_diff:.1e` away from Keras after
# {glue:text}`opt_steps` steps: small, but far above round-off.

# %%
gap = versus_keras(optim.Adam(0.01, keras_rounding=False), K.Adam(0.01))
report.record("opt", adam_full_precision_rel_diff=gap)

# %% [markdown]
# (ch03-adam-check)=
# ### What Adam is, and what the source's formula does
#
# The source writes Adam as $\theta \leftarrow \theta - \alpha\,\nabla J/(\sqrt{m}+\epsilon)$
# and says it "结合了SGD和RMSprop" (combines SGD and RMSprop). Taken literally, $m$ is the
# average of the gradients, which is negative half of the time, so its square root does
# not exist:

# %%
def source_adam(steps_: int, lr: float = 0.01, beta_1: float = 0.9) -> np.ndarray:
    theta, m = init[0].copy(), np.zeros(shapes[0])
    with np.errstate(invalid="ignore"):
        for grads in grad_seq[:steps_]:
            m = beta_1 * m + (1 - beta_1) * grads[0]
            theta = theta - lr * grads[0] / (np.sqrt(m) + 1e-7)
    return theta


# %%
report.record("opt", source_adam_nan_fraction=np.isnan(source_adam(steps)).mean())

# %% [markdown]
# {glue:text}`opt_source_adam_nan_fraction:.0%` of the parameters are NaN. Adam divides
# the bias-corrected *first* moment (an average of gradients) by the square root of the
# bias-corrected *second* moment (an average of squared gradients). The numerator is
# momentum's velocity, rescaled, and the denominator is exactly RMSprop's accumulator. We
# can read this off Keras's own state: run Keras's `SGD(momentum=β₁)`, `RMSprop(rho=β₂)`
# and `Adam(β₁, β₂)` on the same gradients and compare their slot variables
# ($\beta_1 = 0.875$ and $\alpha = 0.25$ are exact in float32, so no rounding enters).
# Keras's momentum state is $u \leftarrow \beta_1 u - \alpha g$, the learning rate
# included and the sign flipped, while Adam's is $m \leftarrow \beta_1 m + (1-\beta_1) g$.
# Unrolled, $u = -\alpha\sum_s \beta_1^{t-s} g_s$ and
# $m = (1-\beta_1)\sum_s \beta_1^{t-s} g_s$, so the claim to check is
# $m = -(1-\beta_1)\,u/\alpha$.

# %%
beta_1, beta_2, lr = 0.875, 0.999, 0.25
k_adam = K.Adam(lr, beta_1=beta_1, beta_2=beta_2)
k_mom, k_rms = K.SGD(lr, momentum=beta_1), K.RMSprop(lr, rho=beta_2)
var = {name: tf.Variable(init[0]) for name in ("adam", "mom", "rms")}
for grads in grad_seq:
    g = tf.constant(grads[0])
    k_adam.apply_gradients([(g, var["adam"])])
    k_mom.apply_gradients([(g, var["mom"])])
    k_rms.apply_gradients([(g, var["rms"])])
adam_m, adam_v = k_adam.variables[1].numpy(), k_adam.variables[2].numpy()
momentum_u, rms_v = k_mom.variables[1].numpy(), k_rms.variables[1].numpy()

# %% tags=["remove-input"]
report.record(
    "opt",
    adam_m_vs_momentum_rel_diff=compare.max_rel_diff(adam_m,
                                                     -(1 - beta_1) * momentum_u / lr),
    adam_v_vs_rmsprop_rel_diff=compare.max_rel_diff(adam_v, rms_v),
)

# %% [markdown]
# Adam's first moment equals $-(1-\beta_1)\,u/\alpha$, momentum's velocity with the
# learning rate divided out and the sign flipped, scaled by $(1-\beta_1)$ (relative
# difference {glue:text}`opt_adam_m_vs_momentum_rel_diff:.1e`), and its second moment
# equals RMSprop's accumulator ({glue:text}`opt_adam_v_vs_rmsprop_rel_diff:.1e`). Adam
# **combines momentum and RMSprop**, plus bias correction; "SGD" is not a component
# (every method here is a variant of SGD).
#
# (ch03-adam-variance)=
# ### Adam's second moment is not a variance
#
# The source calls Adam's two averages "一阶矩估计（均值）和二阶矩估计（方差）" (the
# first-moment estimate, "the mean", and the second-moment estimate, "the variance"). The
# second moment is the *uncentred* $E[g^2]$, which is the variance plus the squared mean:
# $E[g^2] = \operatorname{Var}[g] + E[g]^2$. The two agree only when the gradients
# average to zero, which is exactly when training has nothing left to learn. We feed
# Keras's Adam gradients with a persistent mean (a direction every step agrees on) plus
# noise of standard deviation 0.5, and compare its bias-corrected $\hat v$ with the
# running mean square and with the running variance, both computed with Adam's own
# weights $\beta_2^{t-s}$.

# %%
drift = rng.normal(size=shapes[0])                       # the mean gradient
stream = [drift + rng.normal(scale=0.5, size=shapes[0]) for _ in range(steps)]
k_adam2, v_var = K.Adam(lr, beta_1=beta_1, beta_2=beta_2), tf.Variable(init[0])
ema_g, ema_g2 = np.zeros(shapes[0]), np.zeros(shapes[0])
for g_t in stream:
    k_adam2.apply_gradients([(tf.constant(g_t), v_var)])
    ema_g = beta_2 * ema_g + (1 - beta_2) * g_t
    ema_g2 = beta_2 * ema_g2 + (1 - beta_2) * g_t**2
norm = 1 - beta_2 ** len(stream)
v_hat = k_adam2.variables[2].numpy() / norm             # Adam's bias-corrected v
mean_square, variance = ema_g2 / norm, ema_g2 / norm - (ema_g / norm) ** 2
moments = pd.Series({"Adam's v̂": v_hat.mean(),
                     "running mean of g²": mean_square.mean(),
                     "running variance of g": variance.mean(),
                     "squared running mean of g": ((ema_g / norm) ** 2).mean()},
                    name="average over the parameters")
report.table(moments.to_frame(), digits=3)

# %% tags=["remove-input"]
report.record(
    "opt",
    adam_v_vs_mean_square_rel_diff=compare.max_rel_diff(v_hat, mean_square),
    adam_v_vs_variance_rel_diff=compare.max_rel_diff(v_hat, variance),
    adam_v_over_variance=v_hat.mean() / variance.mean(),
)

# %% [markdown]
# Adam's $\hat v$ equals the running mean of $g^2$ to
# {glue:text}`opt_adam_v_vs_mean_square_rel_diff:.0e`; it is on average
# {glue:text}`opt_adam_v_over_variance:.1f` times the running variance (largest relative
# difference {glue:text}`opt_adam_v_vs_variance_rel_diff:.2f`). Because $\hat v$
# contains the squared mean, a coordinate whose gradient is large *and consistent* gets a
# step of about $\alpha$, not a huge one: dividing by $\sqrt{E[g^2]}$ normalizes the
# step's size, while dividing by the standard deviation would blow up consistent
# gradients.
#
# (ch03-inertia)=
# ### Momentum coefficient, not "inertia weight"
#
# The source lists "动量项、惯性权重等" (momentum term, inertia weight and so on) as
# optimizer parameters. The **inertia weight** $w$ belongs to particle swarm optimization
# {cite:p}`shi1998modified`, a derivative-free method whose particles move by
# $v \leftarrow w v + c_1 r_1 (p_{\text{best}} - x) + c_2 r_2 (g_{\text{best}} - x)$:
# attractions to the best positions found so far, not a gradient. Gradient optimizers
# have no such parameter. The factor that keeps part of the previous step in momentum
# SGD (and, as $\beta_1$, in Adam) is the **momentum coefficient** $\mu$. Keras's own
# signature says so:

# %%
arguments = list(inspect.signature(K.SGD).parameters)
report.record("opt", sgd_has_momentum_argument="momentum" in arguments,
              sgd_has_inertia_argument=any("inertia" in a for a in arguments))

# %% [markdown]
# ## One problem to compare them on
#
# Logistic regression on the breast-cancer data bundled with scikit-learn (30
# standardized features, {glue:text}`opt_n_train` training examples), with a small L2
# penalty so that the optimum is unique. The features are strongly correlated, which makes
# the problem ill-conditioned: exactly where the methods differ. We write the loss and its
# gradient by hand and find the optimum $J^*$ with SciPy's L-BFGS (polished by Newton
# steps), so every curve can be drawn as the gap $J - J^*$.

# %%
split = data.load("breast_cancer", seed=seed)
ones = np.ones((len(split.x_train), 1))                 # the bias column
X = np.hstack([split.x_train.astype(np.float64), ones])
Y = split.y_train.astype(np.float64)
n, d = X.shape


def loss_grad(params: list[np.ndarray],
              idx: np.ndarray) -> tuple[float, list[np.ndarray]]:
    """Mean logistic loss over the examples idx, plus (l2/2)·|w|², and its gradient."""
    (w,) = params
    z = X[idx] @ w
    loss = np.mean(np.logaddexp(0.0, z) - Y[idx] * z) + 0.5 * l2 * w @ w
    p = 1.0 / (1.0 + np.exp(-z))
    return float(loss), [X[idx].T @ (p - Y[idx]) / len(idx) + l2 * w]


everything = np.arange(n)
best = scipy_minimize(lambda w: loss_grad([w], everything)[0], np.zeros(d),
                      jac=lambda w: loss_grad([w], everything)[1][0], method="L-BFGS-B",
                      options={"gtol": 1e-12, "ftol": 1e-15, "maxiter": 10_000})


def hessian(w: np.ndarray) -> np.ndarray:
    p = 1 / (1 + np.exp(-X @ w))
    return (X * (p * (1 - p))[:, None]).T @ X / n + l2 * np.eye(d)


w_star = best.x
for _ in range(10):   # a few Newton steps polish L-BFGS's answer to float64 precision
    newton = np.linalg.solve(hessian(w_star), loss_grad([w_star], everything)[1][0])
    w_star = w_star - newton
J_star = loss_grad([w_star], everything)[0]
hessian_eigs = np.linalg.eigvalsh(hessian(w_star))

# %% tags=["remove-input"]
report.record("opt", n_train=n,
              logreg_condition_number=hessian_eigs[-1] / hessian_eigs[0])

# %% [markdown]
# The Hessian at the optimum has condition number
# {glue:text}`opt_logreg_condition_number:.0f`: the loss is a long narrow valley.
#
# (ch03-bgd-check)=
# ### Full-batch gradient descent *is* gradient descent
#
# The source presents "批量梯度下降（BGD）" (batch gradient descent) as an improvement of
# gradient descent. It is the same algorithm: the gradient of $J$ *is* the average over
# the whole training set. The variants are the stochastic ones, which estimate that
# gradient from one example (SGD) or a mini-batch. `optim.minimize` decides which by
# `batch_size` alone; with `batch_size=None` its trajectory is identical, to the last bit,
# to a hand-written $\theta \leftarrow \theta - \alpha\nabla J(\theta)$ loop.

# %%
w_driver = [np.zeros(d)]
optim.minimize(loss_grad, w_driver, optim.SGD(0.5, keras_rounding=False), n, steps=50)
w_hand = np.zeros(d)
for _ in range(50):
    w_hand = w_hand - 0.5 * loss_grad([w_hand], everything)[1][0]

# %%
report.record("opt",
              full_batch_equals_gd_max_diff=compare.max_abs_diff(w_driver[0], w_hand))

# %% [markdown]
# (ch03-sgd-check)=
# ### What a stochastic gradient is
#
# The source describes SGD as computing "the gradient of $J$" on a random mini-batch. SGD
# proper uses **one** example $i$ per step and the gradient of *its* loss $\ell_i$, not of
# $J$. That gradient is an *unbiased* but *noisy* estimate of $\nabla J$: its average over
# all examples is $\nabla J$ exactly, while a single one can point far away.

# %%
w0 = rng.normal(scale=0.1, size=d)
full_grad = loss_grad([w0], everything)[1][0]
per_example = np.stack([loss_grad([w0], np.array([i]))[1][0] for i in range(n)])
full_norm = np.linalg.norm(full_grad)

# %% tags=["remove-input"]
report.record(
    "opt",
    sgd_gradient_mean_rel_error=np.linalg.norm(per_example.mean(axis=0) - full_grad)
    / full_norm,
    sgd_gradient_noise_ratio=np.linalg.norm(per_example - full_grad, axis=1).mean()
    / full_norm,
)

# %% [markdown]
# The mean of the per-example gradients matches the full gradient to
# {glue:text}`opt_sgd_gradient_mean_rel_error:.0e`, while a single one is off by
# {glue:text}`opt_sgd_gradient_noise_ratio:.1f` times the full gradient's length on
# average. That noise is why SGD with a constant rate does not settle at the optimum but
# keeps bouncing around it (we measure it below), and why SGD needs a decaying rate.
#
# ## Convergence compared, step by step
#
# First the deterministic methods: each takes {glue:text}`opt_gd_steps` full-batch steps,
# so the only difference is the rule. Each runs with the learning rate from `lr_grid`
# that reaches the lowest loss (a small tuning grid keeps the comparison fair; default
# rates would favour whichever method they happen to suit). All start from zero.

# %%
def run(opt_factory, lr: float, *, steps_: int, bs: int | None = None,
        record_every: int = 1) -> pd.DataFrame:
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        trace = optim.minimize(loss_grad, [np.zeros(d)], opt_factory(lr), n,
                               steps=steps_, batch_size=bs, seed=seed,
                               record_every=record_every)
    # below ~1e-15 the gap is float64 round-off: clip it there
    trace["gap"] = (trace["loss"] - J_star).clip(lower=1e-16)
    trace["lr"] = lr
    return trace


def tuned(opt_factory, **kwargs) -> pd.DataFrame:
    """The run with the lowest final gap over lr_grid (a diverged run counts as inf)."""
    runs = [run(opt_factory, lr, **kwargs) for lr in lr_grid]
    finals = [r["gap"].iloc[-1] if np.isfinite(r["gap"].iloc[-1]) else np.inf
              for r in runs]
    return runs[int(np.argmin(finals))]


full_batch = {
    "GD": lambda lr: optim.SGD(lr),
    "momentum": lambda lr: optim.SGD(lr, momentum=0.9),
    "Nesterov": lambda lr: optim.SGD(lr, momentum=0.9, nesterov=True),
    "AdaGrad": lambda lr: optim.AdaGrad(lr),
    "RMSprop": lambda lr: optim.RMSprop(lr),
    "Adam": lambda lr: optim.Adam(lr),
}
curves = pd.concat([tuned(f, steps_=gd_steps, record_every=max(1, gd_steps // 200))
                    .assign(method=name) for name, f in full_batch.items()],
                   ignore_index=True)
summary = curves.groupby("method", sort=False).agg(
    lr=("lr", "first"), final_gap=("gap", "last"), seconds=("seconds", "last"))
report.table(summary, digits=3)

# %% tags=["remove-cell"]
floor = 1e-12
colors = dict(zip(full_batch, sns.color_palette(n_colors=len(full_batch)), strict=True))
fig, axes = plots.subplots(2, sharey=True)
shown = curves.assign(gap=curves["gap"].clip(lower=floor))
sns.lineplot(data=shown, x="step", y="gap", hue="method", palette=colors, ax=axes[0])
sns.lineplot(data=shown, x="seconds", y="gap", hue="method", palette=colors, ax=axes[1],
             legend=False)
axes[0].set(yscale="log", ylabel="J − J*", title="Gap per step")
axes[1].set(xlabel="seconds of gradient and update work", title="… and per second")
report.figure("opt_full_batch_fig", fig)

# %% tags=["remove-input"]
def gap_at(trace: pd.DataFrame, seconds: float) -> float:
    """The gap a run had reached after `seconds` of work (its last record before)."""
    return float(trace.loc[trace["seconds"] <= seconds, "gap"].iloc[-1])


budget = summary["seconds"].min()          # every method ran at least this long
per_second = pd.Series({m: gap_at(curves[curves["method"] == m], budget)
                        for m in full_batch})
per_step = summary["final_gap"]
methods = list(full_batch)
agree = [np.sign(per_step[a] - per_step[b]) == np.sign(per_second[a] - per_second[b])
         for i, a in enumerate(methods) for b in methods[i + 1:]]
step_time = summary["seconds"] / gd_steps
gaps = summary["final_gap"]
report.record(
    "opt",
    gd_steps=gd_steps,
    gd_final_gap=gaps["GD"],
    momentum_final_gap=gaps["momentum"],
    nesterov_final_gap=gaps["Nesterov"],
    adagrad_final_gap=gaps["AdaGrad"],
    rmsprop_final_gap=gaps["RMSprop"],
    adam_final_gap=gaps["Adam"],
    rank_agreement_per_second=np.mean(agree),
    step_time_spread=step_time.max() / step_time.min(),
)

# %% [markdown]
# ```{glue:figure} opt_full_batch_fig
# :alt: Two panels sharing a log-scale y axis of J minus J-star; left against step, right against seconds. Gradient descent ends highest; momentum, Nesterov, AdaGrad, RMSprop and Adam end lower, the momentum methods and Adam by orders of magnitude.
# :name: fig-opt-full-batch
#
# Gap to the optimum of six full-batch methods, each at its best rate from `lr_grid`,
# per step (left) and per second of gradient and update work (right).
# ```
#
# After {glue:text}`opt_gd_steps` steps plain gradient descent is still
# {glue:text}`opt_gd_final_gap:.1e` above the optimum, while momentum reaches
# {glue:text}`opt_momentum_final_gap:.1e`, Nesterov
# {glue:text}`opt_nesterov_final_gap:.1e`, AdaGrad {glue:text}`opt_adagrad_final_gap:.1e`,
# RMSprop {glue:text}`opt_rmsprop_final_gap:.1e` and Adam
# {glue:text}`opt_adam_final_gap:.1e` (gaps are clipped at 1e-16, where float64
# round-off begins). In a narrow valley the gradient points mostly across it; gradient
# descent must keep its rate small enough not to bounce off the steep walls and so crawls
# along the floor. Momentum accumulates the consistent along-valley component and
# Nesterov corrects it with a look-ahead. AdaGrad's steps shrink as its sum of squared
# gradients grows, and RMSprop with a constant rate takes steps of roughly the rate's
# size however small the gradient becomes, so it hovers near the optimum; Adam's momentum
# average damps that hovering.
#
# Per second is a different question, and the answer depends on the machine. In this run
# the slowest method spent {glue:text}`opt_step_time_spread:.1f` times as long per step
# as the fastest (the adaptive rules do a few more array operations, and timings of a
# problem this small are noisy), and at the time budget every method reached,
# {glue:text}`opt_rank_agreement_per_second:.0%` of the pairs of methods are ordered as
# they are per step. Timings vary from run to run and with the machine's load; the
# per-step comparison is the reproducible one.
#
# ## Full batch, mini-batch, one example
#
# Now the three ways of estimating the gradient, compared per **epoch** (one pass over the
# data, i.e. the same number of per-example gradient computations) and per second.

# %%
stochastic = {"GD (full batch)": None, "SGD (batch 1)": 1,
              f"mini-batch SGD ({batch_size})": batch_size}
sgd_curves = []
for name, bs in stochastic.items():
    per_epoch = 1 if bs is None else int(np.ceil(n / bs))
    sgd_curves.append(tuned(lambda lr: optim.SGD(lr), steps_=epochs * per_epoch, bs=bs,
                            record_every=max(1, per_epoch // 4)).assign(method=name))
sgd_curves = pd.concat(sgd_curves, ignore_index=True)
sgd_summary = sgd_curves.groupby("method", sort=False).agg(
    lr=("lr", "first"), final_gap=("gap", "last"), seconds=("seconds", "last"))
sgd_summary["gap_after_1_epoch"] = (sgd_curves[sgd_curves["epoch"] >= 1]
                                    .groupby("method", sort=False)["gap"].first())
report.table(sgd_summary, digits=3)

# %% tags=["remove-cell"]
colors = dict(zip(stochastic, sns.color_palette(n_colors=len(stochastic)), strict=True))
fig, axes = plots.subplots(2, sharey=True)
shown = sgd_curves.assign(gap=sgd_curves["gap"].clip(lower=floor))
sns.lineplot(data=shown, x="epoch", y="gap", hue="method", palette=colors, ax=axes[0])
sns.lineplot(data=shown, x="seconds", y="gap", hue="method", palette=colors, ax=axes[1],
             legend=False)
axes[0].set(yscale="log", ylabel="J − J*", xlabel="epochs (passes over the data)",
            title="Gap per epoch")
axes[1].set(xscale="log", xlabel="seconds of gradient and update work",
            title="… and per second")
report.figure("opt_stochastic_fig", fig)

# %% tags=["remove-input"]
mb = f"mini-batch SGD ({batch_size})"
report.record(
    "opt",
    epochs=epochs,
    batch_size=batch_size,
    fullbatch_gap_after_one_epoch=sgd_summary.loc["GD (full batch)",
                                                  "gap_after_1_epoch"],
    sgd_gap_after_one_epoch=sgd_summary.loc["SGD (batch 1)", "gap_after_1_epoch"],
    fullbatch_epochs_final_gap=sgd_summary.loc["GD (full batch)", "final_gap"],
    sgd_final_gap=sgd_summary.loc["SGD (batch 1)", "final_gap"],
    minibatch_final_gap=sgd_summary.loc[mb, "final_gap"],
    sgd_seconds=sgd_summary.loc["SGD (batch 1)", "seconds"],
    fullbatch_seconds=sgd_summary.loc["GD (full batch)", "seconds"],
)

# %% [markdown]
# ```{glue:figure} opt_stochastic_fig
# :alt: Two panels sharing a log-scale y axis of J minus J-star; left against epochs, where SGD with batch 1 and mini-batch SGD end below full-batch gradient descent; right against seconds on a log axis, where full-batch gradient descent finishes its epochs in a fraction of SGD's time.
# :name: fig-opt-stochastic
#
# Full-batch gradient descent, SGD on one example and mini-batch SGD, each at its best
# constant rate, per epoch (left) and per second (right).
# ```
#
# After one epoch full-batch GD has taken one step and is
# {glue:text}`opt_fullbatch_gap_after_one_epoch:.3f` above the optimum; SGD has taken
# {glue:text}`opt_n_train` steps and is {glue:text}`opt_sgd_gap_after_one_epoch:.4f` above
# it. Per epoch, the stochastic estimates win: after
# {glue:text}`opt_epochs` epochs SGD is at {glue:text}`opt_sgd_final_gap:.1e`, mini-batch
# SGD (batch {glue:text}`opt_batch_size`) at {glue:text}`opt_minibatch_final_gap:.1e` and
# full-batch GD at {glue:text}`opt_fullbatch_epochs_final_gap:.1e`. Per *second* the
# picture changes: SGD spent {glue:text}`opt_sgd_seconds:.2f` s against
# {glue:text}`opt_fullbatch_seconds:.1e` s for full-batch GD, because NumPy computes one
# gradient on {glue:text}`opt_n_train` examples almost as fast as on one, so Python's
# per-step overhead dominates. Mini-batches are the compromise: vectorized work per step,
# many steps per epoch. On accelerators and large data the same compromise is why deep
# learning trains with mini-batches. The grid chose a small constant rate for SGD because
# a large one leaves it bouncing in the noise: the next section's schedules deal with
# that.
#
# ## Learning-rate schedules
#
# A schedule changes the rate as training goes on. Keras provides them as objects that map
# a step number to a rate; since they are callables, our NumPy optimizers take them
# directly. We read each one into a table first (calling TensorFlow at every step would
# be slow), at peak rate 1, and scale it: all five are proportional to their peak. We
# train mini-batch SGD with each, its peak rate tuned on the same grid as before.

# %%
S = tf.keras.optimizers.schedules
total = epochs * int(np.ceil(n / batch_size))
warm = max(1, total // 10)


def schedules_for(peak: float) -> dict:
    return {
        "constant": lambda step: peak,
        "step (÷10 at 50%, 75%)": S.PiecewiseConstantDecay(
            [total // 2, 3 * total // 4], [peak, peak / 10, peak / 100]),
        "exponential (×0.01 overall)": S.ExponentialDecay(peak, decay_steps=total,
                                                          decay_rate=0.01),
        "cosine": S.CosineDecay(peak, decay_steps=total),
        "warm-up + cosine": S.CosineDecay(peak / 100, decay_steps=total - warm,
                                          warmup_target=peak, warmup_steps=warm),
    }


# every schedule here is proportional to its peak: tabulate at peak 1, then scale
tables = {name: np.array([float(s(i)) for i in range(total + 1)])
          for name, s in schedules_for(1.0).items()}
sched_curves = []
for name, tab in tables.items():
    sched_curves.append(tuned(lambda lr, tab=tab: optim.SGD(lambda t: lr * tab[t]),
                              steps_=total, bs=batch_size,
                              record_every=max(1, total // 120)).assign(method=name))
sched_curves = pd.concat(sched_curves, ignore_index=True)
sched_summary = sched_curves.groupby("method", sort=False).agg(
    peak_lr=("lr", "first"), final_gap=("gap", "last"))
report.table(sched_summary, digits=3)

# %% tags=["remove-cell"]
colors = dict(zip(tables, sns.color_palette(n_colors=len(tables)), strict=True))
fig, axes = plots.subplots(2)
for name, tab in tables.items():
    axes[0].plot(tab, label=name, color=colors[name])
axes[0].set(xlabel="step", ylabel="learning rate / peak", title="Five schedules")
axes[0].legend()
sns.lineplot(data=sched_curves.assign(gap=sched_curves["gap"].clip(lower=floor)),
             x="epoch", y="gap", hue="method", palette=colors, ax=axes[1], legend=False)
axes[1].set(yscale="log", ylabel="J − J*",
            title=f"Mini-batch SGD ({batch_size}) with each")
report.figure("opt_schedules_fig", fig)

# %% tags=["remove-input"]
keys = ["constant", "step", "exponential", "cosine", "warmup_cosine"]
sched = dict(zip(keys, sched_summary["final_gap"], strict=True))
report.record(
    "opt",
    schedule_constant_final_gap=sched["constant"],
    schedule_step_final_gap=sched["step"],
    schedule_exponential_final_gap=sched["exponential"],
    schedule_cosine_final_gap=sched["cosine"],
    schedule_warmup_cosine_final_gap=sched["warmup_cosine"],
    schedule_decay_gain=sched["constant"] / sched["cosine"],
)

# %% [markdown]
# ```{glue:figure} opt_schedules_fig
# :alt: Left, five learning-rate schedules against the step, each scaled to peak 1; right, the gap to the optimum per epoch of mini-batch SGD trained with each schedule, on a log scale, in the same colours.
# :name: fig-opt-schedules
#
# Five learning-rate schedules (left) and mini-batch SGD trained with each at its best
# peak rate (right).
# ```
#
# With its best constant rate mini-batch SGD ends
# {glue:text}`opt_schedule_constant_final_gap:.1e` above the optimum; with cosine decay
# and its own best peak rate it ends at {glue:text}`opt_schedule_cosine_final_gap:.1e`
# (the constant rate's gap divided by cosine's is
# {glue:text}`opt_schedule_decay_gain:.1f`; above one, the schedule helped). Step decay
# ends at {glue:text}`opt_schedule_step_final_gap:.1e`, exponential decay at
# {glue:text}`opt_schedule_exponential_final_gap:.1e` and warm-up plus cosine at
# {glue:text}`opt_schedule_warmup_cosine_final_gap:.1e`: the shape matters, and a
# schedule that decays too early (exponential, which spends most of the run at a fraction
# of its peak) need not beat a well-chosen constant rate, and on short runs none may.
# Where decay helps, it is because of the noise measured above: a stochastic step of size
# $\alpha$ keeps the iterate in a cloud whose size shrinks with $\alpha$, so a schedule
# can start large (fast progress) and end small (settling). Warm-up matters little on a convex problem like this one; its use is early
# stability in deep networks trained with large rates and batches
# {cite:p}`goyal2017accurate`, where the first large steps can throw the weights into a
# bad region. A schedule is about the *speed and stability* of optimization, not about
# over- or under-fitting (see the {doc}`errata </book/errata>`).
#
# ## Summary
#
# * Each NumPy optimizer in `scalekit.optim` matches its `tf.keras.optimizers`
#   counterpart over {glue:text}`opt_steps` steps (Adam to
#   {glue:text}`opt_adam_vs_keras:.0e`), once Keras's float32 constants are copied.
# * Adam's $m$ is $-(1-\beta_1)u/\alpha$ for momentum's velocity $u$ and its $v$ is
#   RMSprop's accumulator (both to {glue:text}`opt_adam_m_vs_momentum_rel_diff:.0e`): it
#   combines momentum and RMSprop. $v$ is the mean of $g^2$, here
#   {glue:text}`opt_adam_v_over_variance:.1f` times the variance; the source's formula
#   turns {glue:text}`opt_source_adam_nan_fraction:.0%` of the parameters into NaN.
# * On the ill-conditioned logistic regression (condition number
#   {glue:text}`opt_logreg_condition_number:.0f`), momentum ends
#   {glue:text}`opt_momentum_final_gap:.0e` above the optimum where plain gradient
#   descent ends {glue:text}`opt_gd_final_gap:.0e` above it.
# * Per epoch SGD beats full-batch descent ({glue:text}`opt_sgd_final_gap:.0e` against
#   {glue:text}`opt_fullbatch_epochs_final_gap:.0e`); its gradient is unbiased but
#   {glue:text}`opt_sgd_gradient_noise_ratio:.1f` times the full gradient's length off.
# * Cosine decay changes mini-batch SGD's final gap by a factor
#   {glue:text}`opt_schedule_decay_gain:.1f` relative to the best constant rate.
#
# ## Exercises
#
# 1. Remove the L2 penalty (`l2 = 0`). The data are almost separable: what happens to
#    $\|w\|$ and to the gap for each method?
# 2. Compare `optim.Adam(adaptive_epsilon=True)` with the default on the logistic
#    regression. When would $\epsilon$'s placement matter?
# 3. Plot the per-step gap of SGD with a constant rate for three rates. How does the
#    height of the noise floor scale with the rate?
# 4. Add AdaGrad to the schedule study. Why does it need no decaying schedule?
# 5. Replace $\hat v$ by the running variance in `optim.Adam` (a subclass overriding
#    `_update`) and train the logistic regression. What happens to coordinates whose
#    gradient is consistent?

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
# (ch14-critical-batch)=
# # The critical batch size and the gradient noise scale
#
# A larger batch gives a less noisy gradient, so fewer steps reach a given loss — but
# only up to a point. Beyond the **critical batch size**, doubling the batch barely
# reduces the steps and doubles the examples processed. {cite:t}`mccandlish2018empirical`
# predict where the bend lies from a quantity measurable during training, the **gradient
# noise scale**. This page estimates it from per-example gradients of a small network,
# then measures steps-to-target-loss across batch sizes and compares the two.

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
seed = 0
batch_size = 32             # the reference run along which the noise scale is measured
learning_rate = 0.1         # its SGD learning rate
epochs = 60                 # longest reference run (it stops at target_loss)
batch_sizes = [4, 8, 16, 32, 64, 128, 256, 512, 1024]   # the steps-to-target sweep
lr_grid = [0.2, 0.4, 0.8, 1.6, 3.2]    # SGD rates tried at every batch size
target_loss = 0.1           # training loss to reach
max_steps = 4000            # a run that has not reached the target by then is dropped
eval_every = 5              # steps between evaluations of the full training loss
repeats = 2                 # seeds per (batch size, rate); the median steps is kept
hidden = 32

# %%
import numpy as np
import pandas as pd

from scalekit import data, efficiency, env, plots, report

tf = env.setup(seed=seed)
plots.set_theme()

# %% [markdown]
# ## The noise scale
#
# Let $G$ be the true gradient and $\Sigma$ the covariance of one example's gradient. A
# batch of $B$ examples estimates $G$ with covariance $\Sigma/B$. For plain SGD on a
# locally quadratic loss, the best step with a noisy gradient achieves a fraction
# $1/(1 + \mathcal B/B)$ of the improvement of a step with the true gradient, where the
# noise scale is, in its simple form,
#
# $$\mathcal B_\text{simple} = \frac{\operatorname{tr}\Sigma}{|G|^2}.$$
#
# Batches much smaller than $\mathcal B$ are dominated by noise (doubling $B$ halves the
# steps); batches much larger waste examples. Both quantities come from **per-example
# gradients**: `tf.vectorized_map` computes the gradient of each example's loss in one
# vectorized call, and `efficiency.noise_scale` averages them. We compute them for every
# training example, the whole population SGD samples from, so the mean is $G$ itself.
# (The more exact noise scale $\operatorname{tr}(H\Sigma)/G^\top H G$ weighs the noise
# by the curvature $H$; $\mathcal B_\text{simple}$ equals it when $H$ is a multiple of
# the identity.)

# %%
split = data.load("digits", seed=seed)
x_all = tf.constant(split.x_train)
y_all = tf.constant(split.y_train.astype("int32"))
n_train = len(split.x_train)


def initial(run_seed):
    """Glorot-uniform weights and zero biases, drawn from ``run_seed`` (stateless)."""
    lim1, lim2 = (6 / (64 + hidden)) ** 0.5, (6 / (hidden + 10)) ** 0.5
    return [tf.random.stateless_uniform((64, hidden), [run_seed, 1], -lim1, lim1),
            tf.zeros(hidden),
            tf.random.stateless_uniform((hidden, 10), [run_seed, 2], -lim2, lim2),
            tf.zeros(10)]


def loss_of(params, x, y):
    w1, b1, w2, b2 = params
    logits = tf.tanh(x @ w1 + b1) @ w2 + b2
    return tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))


def per_example_grads(params):
    def one(example):
        x, y = example
        with tf.GradientTape() as tape:
            loss = loss_of(params, x[None], y[None])
        grads = tape.gradient(loss, params)
        return tf.concat([tf.reshape(g, [-1]) for g in grads], axis=0)

    return tf.vectorized_map(one, (x_all, y_all))


params = [tf.Variable(t) for t in initial(seed)]
print(per_example_grads(params).shape, "= (examples, parameters)")

# %% [markdown]
# ### Along a training run
#
# We train with batch {glue:text}`noise_reference_batch` and SGD, and every few steps
# compute all per-example gradients on the training set, until the training loss
# reaches the target.

# %%
@tf.function
def sgd_step(batch, lr, step_seed):
    idx = tf.random.stateless_uniform([batch], step_seed, 0, n_train, dtype=tf.int32)
    with tf.GradientTape() as tape:
        loss = loss_of(params, tf.gather(x_all, idx), tf.gather(y_all, idx))
    for v, g in zip(params, tape.gradient(loss, params), strict=True):
        v.assign_sub(lr * g)


trajectory = []
steps_per_epoch = n_train // batch_size
for step in range(epochs * steps_per_epoch + 1):
    if step % (4 * eval_every) == 0:
        loss = float(loss_of(params, x_all, y_all))
        ns = efficiency.noise_scale(per_example_grads(params).numpy(),
                                    whole_population=True)
        trajectory.append({"step": step, "training loss": loss, **ns})
        if loss <= target_loss:
            break
    sgd_step(tf.constant(batch_size), tf.constant(learning_rate),
             tf.constant([seed, step]))
trajectory = pd.DataFrame(trajectory).set_index("step")
report.table(trajectory.drop(columns="batch").iloc[:: max(1, len(trajectory) // 8)])

# %% [markdown]
# The noise scale grows as the loss falls, from {glue:text}`noise_scale_initial:.0f`
# examples at the start: near the optimum the mean gradient shrinks faster than the
# per-example spread. Like {cite:t}`mccandlish2018empirical`, who average numerator and
# denominator separately, we divide the last three measurements' mean
# $\operatorname{tr}\Sigma$ by their mean $|G|^2$: at the target loss the noise scale is
# {glue:text}`noise_scale_b_simple:.0f` examples.

# %% tags=["remove-input"]
tail = trajectory.tail(3)
b_simple = tail["trace_sigma"].mean() / tail["grad_sq_norm"].mean()
report.record("noise", scale_b_simple=b_simple,
              scale_initial=trajectory["b_simple"].iloc[0], reference_batch=batch_size,
              target_reached=bool(trajectory["training loss"].iloc[-1] <= target_loss))

# %% [markdown]
# (ch14-critical-batch-sweep)=
# ## Steps to the target across batch sizes
#
# For every batch size we train from the same initial weights with each rate of a grid
# and keep the fewest steps that reach the target loss (the prediction assumes a
# well-tuned rate at every batch size). One compiled loop runs a whole training run.

# %%
@tf.function
def steps_to_target(batch, lr, run_seed):
    for v, value in zip(params, initial(run_seed), strict=True):
        v.assign(value)

    def cond(step, loss):
        return tf.logical_and(step < max_steps, loss > target_loss)

    def body(step, loss):
        for i in range(eval_every):
            sgd_step(batch, lr, tf.stack([run_seed, step + i]))
        return step + eval_every, loss_of(params, x_all, y_all)

    return tf.while_loop(cond, body, (tf.constant(0), tf.constant(np.inf)))


rows = []
for b in batch_sizes:
    for lr in lr_grid:
        for r in range(repeats):
            step, loss = steps_to_target(tf.constant(b), tf.constant(lr),
                                         tf.constant(seed + r))
            reached = bool(loss <= target_loss)
            rows.append({"batch": b, "lr": lr, "seed": seed + r,
                         "steps": int(step) if reached else np.nan})
sweep = pd.DataFrame(rows)
best = (sweep.groupby(["batch", "lr"])["steps"].median().dropna()
        .groupby("batch").agg(["min", "idxmin"]))
best = pd.DataFrame({"steps": best["min"], "best lr": [i[1] for i in best["idxmin"]]})
best["examples"] = best["steps"] * best.index
s_min, b_crit = efficiency.fit_critical_batch(list(best.index), list(best["steps"]))
report.table(best)

# %% [markdown]
# The fit of $S(B) = S_\text{min}(1 + \mathcal B_\text{crit}/B)$ (linear in $1/B$) gives
# $S_\text{min}$ = {glue:text}`cbs_s_min:.0f` steps and $\mathcal B_\text{crit}$ =
# {glue:text}`cbs_b_crit:.0f`, against a noise scale of
# {glue:text}`noise_scale_b_simple:.0f` at the target: a ratio of
# {glue:text}`cbs_crit_over_simple:.2f`. Equivalently $(S/S_\text{min} - 1)(E/E_\text{min} - 1) = 1$ with $E = BS$ examples: at
# $B = \mathcal B_\text{crit}$ training takes twice the minimal steps and twice the
# minimal examples.

# %% tags=["remove-input"]
ceiling = best["best lr"].max()
report.record("cbs", s_min=s_min, b_crit=b_crit, crit_over_simple=b_crit / b_simple,
              batch_sizes_reached=len(best), lr_ceiling=ceiling,
              lr_ceiling_batch=int(best.index[best["best lr"] == ceiling].min()))

# %% tags=["remove-cell"]
fig, axes = plots.subplots(2)
bb = np.geomspace(min(batch_sizes), max(batch_sizes), 100)
ax = axes[0]
ax.plot(best.index, best["steps"], "o", label="measured (best rate)")
ax.plot(bb, s_min * (1 + b_crit / bb), label="fit S_min(1 + B_crit/B)")
ax.axvline(b_simple, color="gray", ls=":", label="B_simple at the target")
ax.axvline(trajectory["b_simple"].iloc[0], color="gray", ls="--",
           label="B_simple at the start")
ax.set(xscale="log", yscale="log", xlabel="batch size B", ylabel="steps to target",
       title="Steps fall, then flatten")
ax.legend(fontsize=9)
ax = axes[1]
ax.plot(best["steps"], best["examples"], "o-")
for b, row in best.iterrows():
    ax.annotate(str(b), (row["steps"], row["examples"]), fontsize=9,
                xytext=(3, 3), textcoords="offset points")
ax.set(xscale="log", yscale="log", xlabel="steps S", ylabel="examples E = B·S",
       title="The steps–examples trade-off")
report.figure("cbs_fig", fig)

# %% [markdown]
# ```{glue:figure} cbs_fig
# :alt: Left, steps to reach the target loss fall with batch size and then flatten, with the fitted curve and a vertical line at the measured noise scale near the bend. Right, examples processed against steps, a hyperbola-like curve labelled by batch size.
# :name: fig-cbs
#
# Left: steps to the target loss (best rate per batch size), the fitted
# $S_\text{min}(1 + \mathcal B_\text{crit}/B)$ and the noise scale measured at the target.
# Right: the same runs as examples processed against steps taken.
# ```
#
# ## Where the prediction and the measurement part
#
# The fitted bend lies at {glue:text}`cbs_crit_over_simple:.2f` times the noise scale at
# the target. In the book's run it is far below it, near the noise scale at the
# *start* of training instead. The "best lr" column says why: the best rate grows with
# the batch up to {glue:text}`cbs_lr_ceiling:.1f`, reached at batch
# {glue:text}`cbs_lr_ceiling_batch`, and no further, because the next rate of the grid
# diverges. The analysis of {cite:t}`mccandlish2018empirical` assumes that the step can
# grow with the gradient's quality; plain SGD's step is capped by the curvature (a rate
# above $2/\lambda_\text{max}$ of the Hessian diverges), so beyond that batch a cleaner
# gradient cannot be turned into fewer steps. Momentum, Adam and learning-rate
# schedules, which McCandlish et al. use, push that ceiling out, and the noise scale
# becomes the limit. What holds either way: steps fall about as $1/B$ only for small
# batches, and a batch far beyond the bend spends examples without saving steps.
#
# This is the large-batch learning-rate rule of chapter 5.3 ({ref}`ch05-distributed`)
# seen from the other side: scaling the rate linearly with the batch
# {cite:p}`goyal2017accurate` works while the batch is below the critical size and the
# rate below its stability ceiling. Because the noise scale grows as the loss falls,
# the batch can grow during training, as large language model runs do.
#
# ## Summary
#
# * The simple gradient noise scale $\operatorname{tr}\Sigma/|G|^2$, from per-example
#   gradients of the whole training set, grows during training from
#   {glue:text}`noise_scale_initial:.0f` to {glue:text}`noise_scale_b_simple:.0f`
#   examples at the target loss.
# * Steps to the target fall with the batch and flatten above
#   $\mathcal B_\text{crit}$ = {glue:text}`cbs_b_crit:.0f` (fitted), at
#   {glue:text}`cbs_crit_over_simple:.2f` times the noise scale at the target.
# * Plain SGD's best rate stops growing at batch {glue:text}`cbs_lr_ceiling_batch`:
#   the curvature, not the gradient noise, sets this model's bend.
# * Batches far beyond the bend spend examples without saving steps; the linear
#   learning-rate scaling rule is a small-batch rule.
#
# ## Exercises
#
# 1. Lower `target_loss` to 0.05. How do the noise scale and the fitted critical batch
#    move?
# 2. Replace plain SGD by SGD with momentum 0.9 in `sgd_step` (keep a velocity
#    variable per weight). Does the bend move towards the noise scale?
# 3. Compute the noise scale from a random *batch* of 64 per-example gradients with
#    `efficiency.noise_scale(..., whole_population=False)`. How noisy is the estimate?
# 4. The sampled estimator subtracts $\operatorname{tr}\Sigma/B$ from $|\bar g|^2$. Show
#    that without it the estimate of $|G|^2$ is biased upwards, and by how much.

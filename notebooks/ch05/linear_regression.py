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
# (ch05-linear-regression)=
# # The linear-regression project: run as written, then right
#
# The source's project starts from the smallest model there is: one `Dense(1)` unit (a
# slope and an intercept) trained with stochastic gradient descent on synthetic house
# prices, y = 2x + 3 + noise with x (the floor area) drawn uniformly from [0, 100]. The
# source presents the code as working. It does not: run as written, the loss overflows to
# infinity and then to NaN within a few epochs, and Keras reports no error. This page
# runs the source's code unchanged, shows the explosion and explains it, then fixes the
# training step by step and checks the result against the exact answer, the closed-form
# least-squares line.

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
seed = 0                # seeds data, initialization and shuffling of the fixed runs
n_samples = 100         # training examples (the source uses 100)
noise_std = 10.0        # σ of the label noise (source: 10); the noise floor is σ²
epochs = 100            # epochs of the fixed training runs
learning_rate = 0.1     # learning rate of the fixed runs (on standardized data)
n_test = 100_000        # held-out examples for the noise-floor check
noise_repeats = 200     # data sets per noise level in the "does noise help?" check

# %% [markdown]
# ## Set-up
#
# `scalekit.env.setup` selects Keras 2 behind `tf.keras`, silences TensorFlow's start-up
# logging and seeds Python, NumPy and TensorFlow. It returns the `tensorflow` module; here
# we leave the `import tensorflow as tf` to the source's own cell below.

# %%
import warnings

import pandas as pd

from scalekit import data, env, plots, report

env.setup(seed=seed)
plots.set_theme()
warnings.filterwarnings("ignore", category=RuntimeWarning)  # overflow warnings below

# %% [markdown]
# (ch05-seed-code)=
# ## The source's code, exactly as written
#
# The next cell is the source's §5.2.1 listing, character for character (§5.3.1 and
# §5.3.2 repeat it in two parts), plus one last line of ours that keeps the loss log. It
# does not raise an exception, so the notebook runs on; read the `loss` column of the
# training log.

# %%
import tensorflow as tf
import numpy as np

# 设置随机种子，确保结果可重复
tf.random.set_seed(42)

# 创建训练数据集
# 假设有100个样本，每个样本包含房屋面积和房价
x_train = np.random.uniform(0, 100, size=(100, 1))
y_train = 2 * x_train + 3 + np.random.normal(0, 10, size=(100, 1))

# 定义线性回归模型
model = tf.keras.Sequential([
    tf.keras.layers.Dense(units=1, input_shape=(1,))
])

# 编译模型，指定优化器和损失函数
model.compile(optimizer='sgd', loss='mse')

# 训练模型
model.fit(x_train, y_train, epochs=10)
seed_history = np.array(model.history.history["loss"])  # (ours) the loss log of fit

# %% [markdown]
# (The comments say: set the random seed to make results reproducible; create the training
# set, 100 samples of floor area and price; define the linear-regression model; compile it
# with an optimizer and a loss; train it.)
#
# Keras keeps the log of the last `fit` in `model.history`; the cell's last line, which
# is ours, reads it rather than the printout:

# %%
seed_weights = [float(v.ravel()[0]) for v in model.get_weights()]
finite = np.isfinite(seed_history)
first_bad = int(np.argmin(finite)) + 1 if not finite.all() else 0
print("loss per epoch:", seed_history)
print("final slope, intercept:", seed_weights)

# %%
report.record("linreg", source_final_loss_is_finite=np.isfinite(seed_history[-1]),
              source_first_nonfinite_epoch=first_bad,
              source_epochs_run=len(seed_history), source_first_loss=seed_history[0])

# %% [markdown]
# The first epoch already ends with a mean squared error of
# {glue:text}`linreg_source_first_loss:.3g` (the labels are at most about 200, so a
# sensible model has an MSE near σ² = 100). From epoch
# {glue:text}`linreg_source_first_nonfinite_epoch` the loss is no longer a finite number, and
# the weights end as NaN. `fit` nevertheless runs all {glue:text}`linreg_source_epochs_run`
# epochs and returns normally: Keras does not stop on a NaN loss unless you pass the
# `tf.keras.callbacks.TerminateOnNaN()` callback, and it never stops "when the loss
# converges" (the source's §5.2.1 says it does) unless you add `EarlyStopping`.
#
# (ch05-why-it-explodes)=
# ## Why it explodes: the size of the gradient
#
# The model is ŷ = w·x + b and the loss is L = mean((ŷ − y)²). Its gradient is
#
# $$\frac{\partial L}{\partial w} = \frac{2}{B}\sum_i (\hat y_i - y_i)\,x_i, \qquad
#   \frac{\partial L}{\partial b} = \frac{2}{B}\sum_i (\hat y_i - y_i).$$
#
# With x up to 100 and errors of about a hundred at the start, ∂L/∂w is of order
# 2 · 100 · 50 = 10⁴. The `'sgd'` string means `SGD(learning_rate=0.01)`, so the first
# step changes w by about 100, when the right answer is 2. The new errors are then about a
# hundred times larger, so is the next gradient, and so on.
#
# The precise statement: L is a quadratic in (w, b) with Hessian
# H = (2/n)·[[Σx², Σx], [Σx, n]]. Gradient descent with rate η multiplies the error along
# H's top eigenvector by |1 − η·λ_max| per step, so it converges only if η < 2/λ_max.
# We compute both from the source's data:

# %%
X = np.hstack([x_train, np.ones_like(x_train)])
H = 2.0 / len(x_train) * X.T @ X
lam_max = float(np.linalg.eigvalsh(H).max())
sgd_lr = float(tf.keras.optimizers.get("sgd").learning_rate.numpy())
growth = abs(1.0 - sgd_lr * lam_max)

# %%
report.record("linreg", source_lambda_max=lam_max, source_max_stable_lr=2.0 / lam_max,
              source_sgd_lr=sgd_lr, source_growth_per_step=growth,
              source_loss_growth_per_epoch=growth ** (2 * 4))

# %% [markdown]
# The largest stable learning rate is {glue:text}`linreg_source_max_stable_lr:.1e`; `'sgd'`
# uses {glue:text}`linreg_source_sgd_lr:.2f`, so each step multiplies the error by about
# {glue:text}`linreg_source_growth_per_step:.0f` and the squared error by its square. With
# 100 examples and Keras's default batch size of 32, an epoch is 4 steps, so the loss can
# grow by a factor of about {glue:text}`linreg_source_loss_growth_per_epoch:.0e` per
# epoch; float32 overflows at 3.4·10³⁸, after which
# the updates produce inf − inf = NaN.
#
# To watch it step by step we rerun the same code with a callback that records the
# weights after every batch, and evaluate the full-data loss and gradient norm at each
# step in NumPy (float64, so we can follow the numbers past float32's range for a while).

# %%
class WeightRecorder(tf.keras.callbacks.Callback):
    """Record (w, b) before training and after every batch."""

    def on_train_begin(self, logs=None):
        self.steps = [[float(v.ravel()[0]) for v in self.model.get_weights()]]

    def on_train_batch_end(self, batch, logs=None):
        self.steps.append([float(v.ravel()[0]) for v in self.model.get_weights()])


tf.random.set_seed(42)
replay = tf.keras.Sequential([tf.keras.layers.Dense(units=1, input_shape=(1,))])
replay.compile(optimizer="sgd", loss="mse")
recorder = WeightRecorder()
replay.fit(x_train, y_train, epochs=10, verbose=0, callbacks=[recorder])

wb = np.array(recorder.steps)                       # (steps + 1, 2)
residual = X @ wb.T - y_train                       # (n, steps + 1)
step_loss = np.mean(residual**2, axis=0)
step_grad = 2.0 / len(x_train) * np.linalg.norm(X.T @ residual, axis=0)
trace = pd.DataFrame({"step": np.arange(len(wb)), "w": wb[:, 0], "b": wb[:, 1],
                      "loss": step_loss, "gradient norm": step_grad})
report.table(trace.head(8), digits=3, index=False)

# %% tags=["remove-cell"]
ok = np.isfinite(trace["loss"]) & (trace["loss"] > 0)
fig, ax = plots.subplots(height=3.6)
ax.semilogy(trace["step"][ok], trace["loss"][ok], "o-", color="C0",
            label="MSE (full data)")
ax.semilogy(trace["step"][ok], trace["gradient norm"][ok], "s--", color="C1",
            label="‖∇L‖")
ax.axhline(np.finfo(np.float32).max, color="grey", lw=1, ls=":")
ax.text(0, np.finfo(np.float32).max, "float32 max", va="bottom", fontsize=9)
ax.set(xlabel="SGD step (4 per epoch)", ylabel="value (log scale)",
       title="The source's training run explodes")
ax.legend(loc="upper left")
report.figure("linreg_explosion_fig", fig)

# %%
report.record("linreg", source_initial_grad_norm=trace["gradient norm"].iloc[0])

# %% [markdown]
# ```{glue:figure} linreg_explosion_fig
# :alt: Log-scale line chart over SGD steps of the source's run: the full-data MSE and the gradient norm both rise along straight lines until they pass float32's maximum.
# :name: fig-ch05-linreg-explosion
#
# The source's run, step by step: loss and gradient norm grow geometrically.
# ```
#
# The gradient starts at a norm of {glue:text}`linreg_source_initial_grad_norm:.3g` and grows
# geometrically, the loss with it: a straight line on a log axis. This is the *exploding
# gradient* problem of {ref}`Chapter 3 <ch03-gradients>` in its simplest form. There it comes from
# products of layer Jacobians in deep networks; here a single layer suffices, because the input scale
# (x up to 100) makes the loss surface so steep and so elongated that no fixed learning
# rate suitable for the intercept is small enough for the slope.
#
# ## The target: the least-squares line
#
# For a linear model with MSE loss there is no need to guess whether training worked:
# the optimum has a closed form, the least-squares solution of X·θ ≈ y with
# X = [x, 1]. Every trained model below is compared with it. From here on the data are
# drawn with `scalekit.data.house_prices`, the same distribution as the source's but from
# a seeded generator (`n_samples`, `noise_std` and `seed` are parameters of this page), and
# a large independent test set of `n_test` examples.

# %%
x_tr, y_tr = data.house_prices(n_samples, seed=seed, noise_std=noise_std)
x_te, y_te = data.house_prices(n_test, seed=seed + 1, noise_std=noise_std)

X_tr = np.hstack([x_tr, np.ones_like(x_tr)])
(lstsq_slope, lstsq_intercept), *_ = np.linalg.lstsq(X_tr, y_tr.ravel(), rcond=None)
lstsq_mse = float(np.mean((X_tr @ [lstsq_slope, lstsq_intercept] - y_tr.ravel()) ** 2))

# %%
report.record("linreg", lstsq_slope=lstsq_slope, lstsq_intercept=lstsq_intercept,
              lstsq_train_mse=lstsq_mse)

# %% [markdown]
# The least-squares line is y = {glue:text}`linreg_lstsq_slope:.4f`·x +
# {glue:text}`linreg_lstsq_intercept:.4f` with a training MSE of
# {glue:text}`linreg_lstsq_train_mse:.3f`. (It is not exactly 2x + 3: with
# {glue:text}`linreg_lstsq_slope:.4f` and {glue:text}`linreg_lstsq_intercept:.4f` the line fits *this*
# noisy sample best. No training procedure can do better on the training data.)
#
# ## The fix, step by step
#
# ### Step 1: standardize x and y
#
# Subtract the training mean and divide by the training standard deviation, for the
# input and (because the labels are in the hundreds too) for the target. This is the
# classic preparation for gradient training {cite:p}`lecun1998efficient`: after it, Σx = 0 and
# Σx² = n, so the Hessian becomes H = 2·I, perfectly round, and every learning rate
# below 1 is stable. We keep everything else as in the source: `'sgd'`, 10 epochs.

# %%
x_mean, x_std = x_tr.mean(), x_tr.std()
y_mean, y_std = y_tr.mean(), y_tr.std()
xs, ys = (x_tr - x_mean) / x_std, (y_tr - y_mean) / y_std
Xs = np.hstack([xs, np.ones_like(xs)])
print("Hessian of the standardized problem:\n", 2.0 / n_samples * Xs.T @ Xs)


def to_original_units(model) -> tuple[float, float]:
    """Map (w, b) learned on standardized data back to slope and intercept of y(x)."""
    w, b = (float(v.ravel()[0]) for v in model.get_weights())
    slope = y_std * w / x_std
    return slope, y_mean + y_std * b - slope * x_mean


def train_mse(slope: float, intercept: float) -> float:
    return float(np.mean((slope * x_tr + intercept - y_tr) ** 2))


results = []


def add_run(name: str, model, history) -> None:
    slope, intercept = to_original_units(model)
    mse = train_mse(slope, intercept)
    results.append({"run": name, "slope": slope, "intercept": intercept,
                    "train MSE": mse,
                    "gap vs least squares": (mse - lstsq_mse) / lstsq_mse,
                    "loss": np.array(history.history["loss"]) * y_std**2})


tf.keras.utils.set_random_seed(seed)
model = tf.keras.Sequential([tf.keras.layers.Dense(units=1, input_shape=(1,))])
model.compile(optimizer="sgd", loss="mse")
history = model.fit(xs, ys, epochs=10, verbose=0)
add_run("standardized, 'sgd', 10 epochs", model, history)
report.table(pd.DataFrame(results).drop(columns="loss"), index=False)

# %% [markdown]
# The run no longer explodes. But ten epochs at η = 0.01 are few small steps (40 for the
# source's 100 examples in batches of 32), each shrinking the distance to the optimum by
# a factor of only about 1 − 2η = 0.98; after 40 of them the weights have covered only
# about half of the way from their random initial values (0.98⁴⁰ ≈ 0.45). Here the
# relative gap to the least-squares training MSE, (MSE − MSE_lstsq)/MSE_lstsq, is still
# {glue:text}`linreg_standardized_only_rel_gap:.2f`. How far off it ends depends on the
# random start; a working recipe must not.
#
# ### Step 2: an adequate learning rate and number of epochs
#
# On the standardized problem gradient descent contracts the error by |1 − 2η| per step,
# so η = `learning_rate` (default 0.1) and `epochs` (default 100) are ample. We also pass
# `batch_size=len(xs)`: each step then uses the gradient of the whole training loss,
# which is plain gradient descent and converges to the exact minimizer. This is the
# fixed model.

# %%
tf.keras.utils.set_random_seed(seed)
fixed = tf.keras.Sequential([tf.keras.layers.Dense(units=1, input_shape=(1,))])
fixed.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=learning_rate),
              loss="mse")
fixed_history = fixed.fit(xs, ys, epochs=epochs, batch_size=len(xs), verbose=0)
add_run(f"standardized, SGD η={learning_rate}, {epochs} epochs, full batch", fixed,
        fixed_history)
fixed_slope, fixed_intercept = to_original_units(fixed)
print(f"fixed model: y = {fixed_slope:.4f}·x + {fixed_intercept:.4f}")

# %% [markdown]
# ### Step 3: mini-batches, and Adam
#
# With Keras's default `batch_size=32` each step follows the gradient of a random 32
# examples (or of the 4 left over at the end of an epoch), whose noise does not vanish at
# the optimum: with a constant learning rate, SGD keeps jittering around the least-squares
# line instead of settling on it. Adam {cite:p}`kingma2015adam`, the optimizer most of
# this book uses, divides each parameter's step by a running estimate of its gradient's
# size, so its steps stay near the learning rate whatever the input scale (exercise 5);
# with mini-batches it jitters too.

# %%
for name, optimizer, n_epochs in [
    (f"standardized, SGD η={learning_rate}, {epochs} epochs, batch 32",
     tf.keras.optimizers.SGD(learning_rate=learning_rate), epochs),
    (f"standardized, Adam η=0.01, {2 * epochs} epochs, batch 32",
     tf.keras.optimizers.Adam(learning_rate=0.01), 2 * epochs),
]:
    tf.keras.utils.set_random_seed(seed)
    m = tf.keras.Sequential([tf.keras.layers.Dense(units=1, input_shape=(1,))])
    m.compile(optimizer=optimizer, loss="mse")
    add_run(name, m, m.fit(xs, ys, epochs=n_epochs, batch_size=32, verbose=0))

table = pd.DataFrame(results).drop(columns="loss")
table.loc[len(table)] = {"run": "least squares (np.linalg.lstsq)", "slope": lstsq_slope,
                         "intercept": lstsq_intercept, "train MSE": lstsq_mse,
                         "gap vs least squares": 0.0}
report.table(table, digits={"slope": 6, "intercept": 6, "train MSE": 6}, index=False)

# %% tags=["remove-input"]
fixed_gap = (train_mse(fixed_slope, fixed_intercept) - lstsq_mse) / lstsq_mse
report.record("linreg", fixed_slope=fixed_slope, fixed_intercept=fixed_intercept,
              fixed_mse_rel_gap_vs_lstsq=fixed_gap,
              standardized_only_rel_gap=results[0]["gap vs least squares"],
              minibatch_sgd_rel_gap=results[2]["gap vs least squares"],
              minibatch_adam_rel_gap=results[3]["gap vs least squares"])

# %% [markdown]
# The fixed model, y = {glue:text}`linreg_fixed_slope:.4f`·x +
# {glue:text}`linreg_fixed_intercept:.4f`, reaches the least-squares training MSE to a
# relative gap of {glue:text}`linreg_fixed_mse_rel_gap_vs_lstsq:.1e`: it *is* the
# least-squares line, up to float32 rounding. Mini-batch SGD at the same learning rate
# ended with a relative gap of {glue:text}`linreg_minibatch_sgd_rel_gap:.1e` and
# mini-batch Adam with {glue:text}`linreg_minibatch_adam_rel_gap:.1e`. Those are small in
# absolute terms, but they are the noise of the last steps, not convergence; a learning
# rate that decays to zero ({ref}`Chapter 3 <ch03-optimizers>`) removes it.

# %% tags=["remove-cell"]
SHORT = ["standardized, 'sgd', 10 epochs", "SGD, full batch (fixed)", "SGD, batch 32",
         "Adam, batch 32"]
fig, (top_ax, bottom_ax) = plots.subplots(1, 2, height=6.4)
epoch = np.arange(1, len(seed_history) + 1)
good = np.isfinite(seed_history)
f32_max = np.finfo(np.float32).max
top_ax.semilogy(epoch[good], seed_history[good], "o-", color="0.3", label="finite loss")
top_ax.scatter(epoch[~good], np.full((~good).sum(), f32_max), marker="x", color="0.3",
               s=60, label="inf or NaN (drawn at float32 max)", zorder=3)
top_ax.axhline(f32_max, color="grey", ls=":", lw=1)
top_ax.set(xlabel="epoch", ylabel="training MSE (log)", xticks=epoch,
           title="The source's code: raw x, 'sgd'")
top_ax.legend(loc="lower right")
for k, (r, label) in enumerate(zip(results, SHORT, strict=True)):
    bottom_ax.plot(np.arange(1, len(r["loss"]) + 1), r["loss"], color=f"C{k}",
                   label=label)
bottom_ax.axhline(lstsq_mse, color="black", ls=":", lw=1, label="least-squares optimum")
bottom_ax.set(yscale="log", xlabel="epoch", ylabel="training MSE (log)",
              title="Fixed runs, in the original units")
bottom_ax.legend(loc="upper right", ncols=2)
report.figure("linreg_curves_fig", fig)

# %% [markdown]
# ```{glue:figure} linreg_curves_fig
# :alt: Two log-scale panels of training MSE per epoch. Top, the source's run climbs by orders of magnitude each epoch until its loss is inf or NaN. Bottom, four fixed runs fall to the dotted least-squares optimum; the full-batch run lands on it, the mini-batch runs hover just above it.
# :name: fig-ch05-linreg-curves
#
# Top: the source's run diverges. Bottom: the fixed runs (standardized loss times the
# variance of y), against the least-squares training MSE.
# ```
#
# ## Data, fitted line and the noise floor

# %% tags=["remove-cell"]
fig, ax = plots.subplots(height=3.8)
ax.scatter(x_tr, y_tr, s=12, alpha=0.6, color="C0", label="training data")
grid = np.linspace(0, 100, 2)
ax.plot(grid, lstsq_slope * grid + lstsq_intercept, lw=5, alpha=0.35, color="C1",
        label="least squares")
ax.plot(grid, fixed_slope * grid + fixed_intercept, "k--", lw=1.5,
        label="trained Dense(1)")
ax.plot(grid, 2 * grid + 3, ":", color="grey", label="true line 2x + 3")
ax.set(xlabel="floor area x", ylabel="price y",
       title="The fixed model is the least-squares line")
ax.legend(loc="upper left")
report.figure("linreg_fit_fig", fig)

# %% [markdown]
# ```{glue:figure} linreg_fit_fig
# :alt: Scatter of the training data (price against floor area) with three straight lines: the least-squares line, the trained Dense(1) model drawn dashed on top of it, and the true line 2x + 3 dotted nearby.
# :name: fig-ch05-linreg-fit
#
# The trained model coincides with the least-squares line; both differ slightly from
# the true line because the sample is noisy.
# ```
#
# On new data the best any model can do is the noise floor: the noise ε ~ N(0, σ²) is
# independent of x, so the expected test MSE of a line is σ² plus the squared distance
# between the fitted and the true line. With σ = {glue:text}`linreg_noise_std:.0f` and
# {glue:text}`linreg_n_test` test examples:

# %%
test_mse = float(np.mean((fixed_slope * x_te + fixed_intercept - y_te) ** 2))
report.record("linreg", noise_std=noise_std, n_test=n_test, fixed_test_mse=test_mse,
              test_mse_over_noise_floor=test_mse / noise_std**2,
              expected_excess=2 / n_samples)

# %% [markdown]
# The test MSE is {glue:text}`linreg_fixed_test_mse:.2f`,
# {glue:text}`linreg_test_mse_over_noise_floor:.3f` times the noise floor σ². For a
# least-squares line fitted to n examples, the excess over σ² is about 2σ²/n on average
# (two fitted parameters), i.e. about {glue:text}`linreg_expected_excess:.1%` here: the
# model is as good as its noisy examples allow.
#
# (ch05-noise-check)=
# ## Does the noise "improve generalization"?
#
# The source's §5.3.1 says the labels get random noise "to improve the model's
# generalization ability". The noise in this data set stands for what the floor area does
# not explain (location, condition, luck); it is part of the problem, not a training aid.
# Less noise means a fitted line closer to the true one. We measure that with the
# closed-form fit on `noise_repeats` fresh training sets per noise level and report the
# mean squared distance between fitted and true line over x ∈ [0, 100]:

# %%
x_grid = np.linspace(0, 100, 201)
rows = []
for sigma in [0.0, 1.0, 5.0, 10.0, 20.0, 40.0]:
    errs = []
    for r in range(noise_repeats):
        xn, yn = data.house_prices(n_samples, seed=10_000 + r, noise_std=sigma)
        Xn = np.hstack([xn, np.ones_like(xn)])
        coef, *_ = np.linalg.lstsq(Xn, yn.ravel(), rcond=None)
        errs.append(np.mean((coef[0] * x_grid + coef[1] - (2 * x_grid + 3)) ** 2))
    rows.append({"noise σ": sigma,
                 "mean squared distance to the true line": np.mean(errs)})
noise_table = pd.DataFrame(rows)
report.table(noise_table, digits=3, index=False)

# %% tags=["remove-input"]
distance = noise_table["mean squared distance to the true line"]
report.record("linreg", noise_zero_distance=distance.iloc[0],
              noise_default_distance=distance[noise_table["noise σ"] == 10.0].iloc[0],
              noise_distance_increasing=bool(np.all(np.diff(distance) > 0)))

# %% [markdown]
# Without noise the fit recovers 2x + 3 to rounding error
# ({glue:text}`linreg_noise_zero_distance:.1e`); at σ = 10 the fitted line is on average
# {glue:text}`linreg_noise_default_distance:.2f` (squared units) away from the truth, and
# the distance grows with every increase of σ (at every step:
# {glue:text}`linreg_noise_distance_increasing`). Noise *injected during training* can
# act as a regularizer for models that overfit (data augmentation, dropout,
# {ref}`ch02-regularization`); label noise baked into the data, as here, only makes the
# estimate worse.
#
# (ch05-seed-check)=
# ## Does `tf.random.set_seed(42)` make it reproducible?
#
# The source comments its first line with "set the random seed to ensure reproducible
# results". It seeds TensorFlow only, but the data come from NumPy's global generator,
# which that call does not touch:

# %%
tf.random.set_seed(42)
first = np.random.uniform(0, 100, size=(3, 1)).ravel()
tf.random.set_seed(42)
second = np.random.uniform(0, 100, size=(3, 1)).ravel()
print("first draw: ", first)
print("second draw:", second)

# %%
report.record("linreg", source_data_repeatable=np.array_equal(first, second))

# %% [markdown]
# Same seed, different data (repeatable: {glue:text}`linreg_source_data_repeatable`), so a fresh interpreter gets a different training set each
# time (in this notebook, `scalekit.env.setup` happens to have seeded NumPy first). Use
# `tf.keras.utils.set_random_seed(seed)`, which seeds Python, NumPy and TensorFlow at
# once, or, better, a NumPy generator of your own, `np.random.default_rng(seed)`, as
# `scalekit.data.house_prices` does.
#
# ## Summary
#
# * The source's code, run as written, diverges without an error: the loss is no longer
#   finite from epoch {glue:text}`linreg_source_first_nonfinite_epoch`, and `fit` still
#   runs all {glue:text}`linreg_source_epochs_run` epochs.
# * The cause is the input scale: the largest stable learning rate is
#   {glue:text}`linreg_source_max_stable_lr:.1e`, and `'sgd'` uses
#   {glue:text}`linreg_source_sgd_lr:.2f`, so the error grows about
#   {glue:text}`linreg_source_growth_per_step:.0f`-fold per step.
# * Standardized, with an adequate rate and full batches, training lands on the
#   least-squares line (relative gap {glue:text}`linreg_fixed_mse_rel_gap_vs_lstsq:.1e`),
#   and its test MSE is {glue:text}`linreg_test_mse_over_noise_floor:.3f` times the noise
#   floor σ².
# * Label noise does not help: the fitted line moves away from the truth as σ grows.
# * `tf.random.set_seed` does not seed NumPy, so the source's data are not repeatable.
#
# ## Exercises
#
# 1. In step 2, set `learning_rate = 0.5`. How many epochs does full-batch gradient
#    descent need now, and why? (Hint: H = 2·I.) What happens at 1.0 and at 1.1?
# 2. Keep the raw, unstandardized x and find the largest `SGD` learning rate that does
#    not diverge. Compare it with 2/λ_max above. How many epochs does it need to reach
#    the least-squares MSE within 0.1%?
# 3. Add `tf.keras.callbacks.TerminateOnNaN()` to the source's `fit`. After how many
#    epochs does it stop?
# 4. Train with mini-batches of 32 and a learning rate that decays to zero
#    (`tf.keras.optimizers.schedules.PolynomialDecay`). Does the gap to least squares
#    shrink below that of the constant rate?
# 5. Run the source's code with `optimizer=tf.keras.optimizers.Adam(learning_rate=0.1)`
#    on the raw x. Does it diverge? How many epochs does it need to come within 1% of the
#    least-squares MSE, compared with the standardized runs?

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
# (ch01-teaser)=
# # A first measurement: more parameters, more data, lower loss
#
# Before any definitions, one experiment. We train the *same* family of models, a
# one-hidden-layer perceptron, at several widths, and then the same model on several
# amounts of data, and we measure the loss on examples the model never saw. The data are
# the 1,797 handwritten digits (8×8 pixels) that ship inside scikit-learn, so nothing is
# downloaded and the whole notebook runs on a laptop CPU in a few minutes.
#
# Everything the book says later about scaling is already visible here in miniature:
# loss falls as a smooth curve when the model grows, then flattens when the data, not
# the model, becomes the limit.

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
seed = 0                                  # every random draw follows from it
widths = [2, 4, 8, 16, 32, 64, 128, 256]  # hidden units of the MLP
train_sizes = [100, 200, 400, 800, 1347]  # training examples (data sweep)
data_sweep_width = 64                     # width used in the data sweep
repeats = 3                               # seeds averaged per point
max_epochs = 200                          # early stopping ends sooner

# %% [markdown]
# ## Set-up
#
# `scalekit.env.setup` selects Keras 2 behind `tf.keras` (the book needs it for the
# TensorFlow Model Optimization toolkit), silences TensorFlow's start-up logging and
# seeds Python, NumPy and TensorFlow from `seed`.

# %%
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from scalekit import data, env, models, plots, report

tf = env.setup(seed=seed)
plots.set_theme()

split = data.load("digits", seed=seed)
print(f"train {split.x_train.shape}, test {split.x_test.shape}, "
      f"classes {split.num_classes}")

# %% [markdown]
# ## One training run
#
# Each point of the curves below is one call of this function: build an MLP of a given
# width, train it with Adam on (a subset of) the training split, stop when the loss on a
# held-back 20% of the training data stops improving, and report the cross-entropy on the
# test split. The test examples never influence training or stopping.

# %%
def train_and_test(width, train_size, run_seed):
    tf.keras.utils.set_random_seed(run_seed)
    s = data.load("digits", seed=seed, train_size=train_size)
    model = models.mlp(s.num_features, s.num_classes, width=width)
    model.compile(
        optimizer=tf.keras.optimizers.Adam(learning_rate=1e-2),
        loss=tf.keras.losses.SparseCategoricalCrossentropy(
            from_logits=True),
        metrics=["accuracy"],
    )
    stop = tf.keras.callbacks.EarlyStopping(
        patience=10, restore_best_weights=True)
    model.fit(s.x_train, s.y_train, validation_split=0.2,
              epochs=max_epochs, batch_size=64, callbacks=[stop],
              verbose=0)
    loss, acc = model.evaluate(s.x_test, s.y_test, verbose=0)
    return {"width": width, "train_size": len(s.x_train),
            "seed": run_seed, "params": model.count_params(),
            "test_loss": loss, "test_accuracy": acc}


# %% [markdown]
# ## Loss versus model size
#
# Widths grow geometrically, so the parameter count (about 75 per hidden unit: 64 inputs,
# 10 outputs and a bias each) does too. Each width is trained `repeats` times with
# different seeds; the table shows the means.

# %%
size_runs = pd.DataFrame([train_and_test(w, None, seed + r)
                          for w in widths for r in range(repeats)])
by_size = size_runs.groupby("width", as_index=False).agg(
    params=("params", "first"),
    test_loss=("test_loss", "mean"),
    test_accuracy=("test_accuracy", "mean"))
report.table(by_size, index=False)

# %% [markdown]
# ## Loss versus data
#
# Now the width is fixed at `data_sweep_width` and the number of training examples grows.

# %%
data_runs = pd.DataFrame([train_and_test(data_sweep_width, n, seed + r)
                          for n in train_sizes for r in range(repeats)])
by_data = data_runs.groupby("train_size", as_index=False).agg(
    test_loss=("test_loss", "mean"),
    test_accuracy=("test_accuracy", "mean"))
report.table(by_data, index=False)

# %% [markdown]
# Both sweeps on log–log axes, the way scaling curves are always drawn (a power law is a
# straight line there):

# %% tags=["remove-input"]
def log_ticks(ax, axis):
    """Plain-number ticks at 1, 2 and 5 per decade on a log axis; no minor labels."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    target.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,g}"))
    target.set_minor_formatter(NullFormatter())


fig, (ax_n, ax_d) = plots.subplots(2, height=3.4)
plots.loglog(size_runs, "params", "test_loss", ax=ax_n,
             title="Growing the model", xlabel="parameters N",
             ylabel="test cross-entropy (nats)")
plots.loglog(data_runs, "train_size", "test_loss", ax=ax_d,
             title=f"Growing the data (width {data_sweep_width})",
             xlabel="training examples D", ylabel="")
ax_d.set_ylabel("")
for ax in (ax_n, ax_d):
    log_ticks(ax, "x")
    log_ticks(ax, "y")
    ax.tick_params(axis="x", labelrotation=30)
report.figure("teaser_curves_fig", fig)

# %% [markdown]
# ```{glue:figure} teaser_curves_fig
# :alt: Two log-log panels of test cross-entropy. Left, against parameter count for MLPs of growing width, the loss falls steeply and then flattens. Right, against the number of training examples at a fixed width, the loss falls steadily.
# :name: fig-teaser-curves
#
# Test loss of one-hidden-layer MLPs on the digits: against model size (left, all
# training data) and against training-set size (right, fixed width). Points are the mean
# over `repeats` seeds; the band shows their spread.
# ```
#
# ## What we measured

# %%
def loglog_slope(x, y):
    """Minus the slope of a straight-line fit of log y against log x."""
    return float(-np.polyfit(np.log(x), np.log(y), 1)[0])


# %% tags=["remove-input"]
smallest, largest = by_size.iloc[0], by_size.iloc[-1]
n, loss_n = by_size["params"], by_size["test_loss"]
report.record(
    "teaser",
    loss_smallest=smallest["test_loss"], loss_largest=largest["test_loss"],
    params_smallest=int(smallest["params"]), params_largest=int(largest["params"]),
    loss_ratio=smallest["test_loss"] / largest["test_loss"],
    data_loss_first=by_data["test_loss"].iloc[0],
    data_loss_last=by_data["test_loss"].iloc[-1],
    train_size_max=by_data["train_size"].iloc[-1],
    # log-log slopes over each sweep: a first, crude scaling exponent
    slope_params=loglog_slope(n, loss_n),
    slope_data=loglog_slope(by_data["train_size"], by_data["test_loss"]),
    # the same slope between the two smallest and between the two largest models
    slope_params_small=loglog_slope(n[:2], loss_n[:2]),
    slope_params_large=loglog_slope(n[-2:], loss_n[-2:]),
)

# %% [markdown]
# Going from {glue:text}`teaser_params_smallest` to {glue:text}`teaser_params_largest`
# parameters lowered the test cross-entropy from {glue:text}`teaser_loss_smallest:.3f` to
# {glue:text}`teaser_loss_largest:.3f` nats, a factor of
# {glue:text}`teaser_loss_ratio:.1f`; growing the training set from the smallest to the
# largest size lowered it from {glue:text}`teaser_data_loss_first:.3f` to
# {glue:text}`teaser_data_loss_last:.3f`. The straight-line fits over the whole sweeps
# have slopes of {glue:text}`teaser_slope_params:.2f` (model size) and
# {glue:text}`teaser_slope_data:.2f` (data) on log–log axes.
#
# Two honest caveats. First, the size curve is not a straight line: between the two
# smallest models its slope is {glue:text}`teaser_slope_params_small:.2f`, between the two
# largest only {glue:text}`teaser_slope_params_large:.2f`, because
# {glue:text}`teaser_train_size_max` training images cannot feed a model of
# {glue:text}`teaser_params_largest` parameters. Model size and data must grow
# *together*, which is exactly what the scaling laws of
# {ref}`Chapter 11 <ch11-scaling-laws>` formalize. Second, this is a toy: the slopes of a
# 1,797-image problem say nothing about those of a language model. The point is the method
# (sweep one resource, hold the rest fixed, measure held-out loss, plot on log–log axes),
# which the rest of the book applies with more care.
#
# ## Summary
#
# * Widening the MLP from {glue:text}`teaser_params_smallest` to
#   {glue:text}`teaser_params_largest` parameters divided the test loss by
#   {glue:text}`teaser_loss_ratio:.1f`.
# * More training data lowered it too, from {glue:text}`teaser_data_loss_first:.3f` to
#   {glue:text}`teaser_data_loss_last:.3f` nats.
# * On log–log axes the size curve flattens (local slope
#   {glue:text}`teaser_slope_params_small:.2f` for the smallest models,
#   {glue:text}`teaser_slope_params_large:.2f` for the largest): with the data fixed, size
#   alone stops paying.
# * The method (sweep one resource, measure held-out loss, plot on log–log axes) is the
#   one Part II applies at scale.
#
# ## Exercises
#
# 1. Rerun with `repeats = 1` and several seeds. How much of the curve's wiggle is noise?
# 2. Make the model deeper instead of wider (`models.mlp(..., depth=2)`). Does loss fall
#    faster per parameter?
# 3. Fix the width at 8 and sweep the data. Where does the small model stop profiting?

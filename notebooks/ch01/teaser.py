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
# downloaded and the whole notebook runs on a laptop CPU in well under a minute.
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
from myst_nb import glue

from scalekit import data, env, models, plots

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
# 10 outputs and a bias each) does too. We plot both axes on a log scale, the way scaling
# curves are always drawn: a power law is a straight line there.

# %%
size_runs = pd.DataFrame([train_and_test(w, None, seed + r)
                          for w in widths for r in range(repeats)])
by_size = size_runs.groupby("width", as_index=False).agg(
    params=("params", "first"),
    test_loss=("test_loss", "mean"),
    test_accuracy=("test_accuracy", "mean"))
by_size

# %%
ax = plots.loglog(size_runs, "params", "test_loss",
                  title="Test loss falls as the model grows",
                  xlabel="parameters N",
                  ylabel="test cross-entropy (nats)")

# %% [markdown]
# ## Loss versus data
#
# Now the width is fixed and the number of training examples grows.

# %%
data_runs = pd.DataFrame([train_and_test(data_sweep_width, n, seed + r)
                          for n in train_sizes for r in range(repeats)])
by_data = data_runs.groupby("train_size", as_index=False).agg(
    test_loss=("test_loss", "mean"),
    test_accuracy=("test_accuracy", "mean"))
by_data

# %%
ax = plots.loglog(data_runs, "train_size", "test_loss",
                  title=f"More data, lower loss (width {data_sweep_width})",
                  xlabel="training examples D",
                  ylabel="test cross-entropy (nats)")

# %% [markdown]
# ## What we measured

# %%
def loglog_slope(x, y):
    """Minus the slope of a straight-line fit of log y against log x."""
    return float(-np.polyfit(np.log(x), np.log(y), 1)[0])


smallest, largest = by_size.iloc[0], by_size.iloc[-1]
results = {
    "teaser_loss_smallest": float(smallest["test_loss"]),
    "teaser_loss_largest": float(largest["test_loss"]),
    "teaser_params_smallest": int(smallest["params"]),
    "teaser_params_largest": int(largest["params"]),
    "teaser_loss_ratio": float(smallest["test_loss"] / largest["test_loss"]),
    "teaser_data_loss_first": float(by_data["test_loss"].iloc[0]),
    "teaser_data_loss_last": float(by_data["test_loss"].iloc[-1]),
    "teaser_train_size_max": int(by_data["train_size"].iloc[-1]),
    # log-log slopes over each sweep: a first, crude scaling exponent
    "teaser_slope_params": loglog_slope(by_size["params"], by_size["test_loss"]),
    "teaser_slope_data": loglog_slope(by_data["train_size"], by_data["test_loss"]),
}
for name, value in results.items():
    glue(name, value, display=False)
pd.Series(results, name="value").to_frame()

# %% [markdown]
# Going from {glue:text}`teaser_params_smallest` to {glue:text}`teaser_params_largest`
# parameters lowered the test cross-entropy from {glue:text}`teaser_loss_smallest:.3f` to
# {glue:text}`teaser_loss_largest:.3f` nats, a factor of {glue:text}`teaser_loss_ratio:.1f`;
# growing the training set from the smallest to the largest size lowered it from
# {glue:text}`teaser_data_loss_first:.3f` to {glue:text}`teaser_data_loss_last:.3f`.
# The straight-line fits over the whole sweeps have slopes of
# {glue:text}`teaser_slope_params:.2f` (model size) and {glue:text}`teaser_slope_data:.2f`
# (data) on log–log axes.
#
# Two honest caveats. First, the size curve is not a straight line: it falls steeply and
# then flattens, because {glue:text}`teaser_train_size_max` training images cannot feed a
# model of {glue:text}`teaser_params_largest` parameters.
# Model size and data must grow *together*, which is exactly what the scaling laws of
# {ref}`Chapter 11 <ch11-scaling-laws>` formalize. Second, this is a toy: the
# slopes of a 1,797-image problem say nothing about those of a language model. The point is
# the method (sweep one resource, hold the rest fixed, measure held-out loss, plot on
# log–log axes), which the rest of the book applies with more care.
#
# ## Exercises
#
# 1. Rerun with `repeats = 1` and several seeds. How much of the curve's wiggle is noise?
# 2. Make the model deeper instead of wider (`models.mlp(..., depth=2)`). Does loss fall
#    faster per parameter?
# 3. Fix the width at 8 and sweep the data. Where does the small model stop profiting?

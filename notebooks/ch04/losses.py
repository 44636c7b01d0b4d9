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
# (ch04-losses)=
# # Loss functions: mean squared error and cross-entropy
#
# A loss function turns "how wrong is the model" into one number that training can
# minimize. This section writes the two losses the source names (§2.3.1) in NumPy, checks
# each against `tf.keras.losses` on random inputs, corrects the source's cross-entropy
# formula, and shows why Keras classifiers should output *logits* and use
# `from_logits=True`.

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
seed = 0               # every random draw follows from it
n_examples = 256       # examples in the random batches compared with tf.keras.losses
n_classes = 5          # classes of the categorical example
large_logit = 1000.0   # size of the logits in the overflow example

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from myst_nb import glue

from scalekit import env, losses, plots

tf = env.setup(seed=seed)
plots.set_theme()
rng = np.random.default_rng(seed)

# %% [markdown]
# ## Mean squared error
#
# For targets $y_i$ and predictions $\hat y_i$, $i=1,\dots,n$,
#
# $$
# \operatorname{MSE} = \frac{1}{n}\sum_{i=1}^{n} \left(y_i - \hat y_i\right)^2 .
# $$
#
# The source states it correctly. `scalekit.losses.mse` is that line of algebra; Keras
# averages over the last axis and then over the batch, which for equal-length rows is the
# same mean. We compare the two on a random batch with several outputs per example.

# %%
y_true = rng.normal(size=(n_examples, 3))
y_pred = rng.normal(size=(n_examples, 3))
ours = losses.mse(y_true, y_pred)
keras = float(tf.keras.losses.MeanSquaredError()(y_true, y_pred))
print(f"scalekit {ours:.12f}   tf.keras {keras:.12f}")

# %% [markdown]
# ## Cross-entropy, binary and categorical
#
# A classifier outputs probabilities. For **binary** labels $y_i\in\{0,1\}$ and predicted
# probabilities $p_i = P(y_i = 1)$, the cross-entropy (the negative log-likelihood of the
# labels under the model) is
#
# $$
# \operatorname{BCE} = -\frac{1}{n}\sum_{i=1}^{n}\Big[y_i\log p_i + (1-y_i)\log(1-p_i)\Big].
# $$
#
# For $K$ **classes**, with one-hot labels $y_{ik}$ and predicted probabilities $p_{ik}$
# ($\sum_k p_{ik}=1$),
#
# $$
# \operatorname{CE} = -\frac{1}{n}\sum_{i=1}^{n}\sum_{k=1}^{K} y_{ik}\log p_{ik}.
# $$
#
# Both are checked against Keras on random labels and probabilities. Keras clips
# probabilities to $[10^{-7}, 1-10^{-7}]$ and adds $10^{-7}$ inside the binary logarithm, so
# the binary values agree to about $10^{-7}$ relative rather than to machine precision.

# %%
y_bin = rng.integers(0, 2, size=(n_examples, 1)).astype(float)
p_bin = rng.uniform(0.01, 0.99, size=(n_examples, 1))
labels = rng.integers(0, n_classes, size=n_examples)
y_cat = np.eye(n_classes)[labels]
logits = rng.normal(0.0, 2.0, size=(n_examples, n_classes))
p_cat = losses.softmax(logits)

rows = [
    ("MSE", ours, keras),
    ("binary CE", losses.binary_crossentropy(y_bin, p_bin),
     float(tf.keras.losses.BinaryCrossentropy()(y_bin, p_bin))),
    ("categorical CE", losses.categorical_crossentropy(y_cat, p_cat),
     float(tf.keras.losses.CategoricalCrossentropy()(y_cat, p_cat))),
    ("binary CE from logits", losses.binary_crossentropy_from_logits(y_bin, logits[:, :1]),
     float(tf.keras.losses.BinaryCrossentropy(from_logits=True)(y_bin, logits[:, :1]))),
    ("categorical CE from logits", losses.categorical_crossentropy_from_logits(y_cat, logits),
     float(tf.keras.losses.CategoricalCrossentropy(from_logits=True)(y_cat, logits))),
]
table = pd.DataFrame(rows, columns=["loss", "scalekit (NumPy)", "tf.keras"])
table["relative difference"] = (table["scalekit (NumPy)"] - table["tf.keras"]).abs() / table["tf.keras"].abs()
glue("losses_max_rel_diff_vs_keras", float(table["relative difference"].max()), display=False)
table

# %% [markdown]
# Across the five losses the largest relative difference from `tf.keras.losses` is
# {glue:text}`losses_max_rel_diff_vs_keras:.1e`: the formulas above are the ones Keras
# computes.
#
# (ch04-source-ce)=
# ### The source's cross-entropy drops half of the binary loss
#
# The source writes cross-entropy as $-\frac1n\sum_i y_i\log\hat y_i$ with $\hat y_i$ "the
# predicted probability". Read with one probability per example, which is what a binary
# classifier outputs, the term $(1-y_i)\log(1-\hat y_i)$ is missing: examples with $y_i=0$
# contribute nothing, whatever the model predicts for them. A useless model that answers
# "positive" for every input then has the *lowest* loss. We compare it with a reasonable
# model on the binary labels from above.

# %%
def source_ce(y, p):
    """The source's §2.3.1 formula, read with one probability per example."""
    return float(-np.mean(y * np.log(p)))


always_positive = np.full_like(p_bin, 0.999)                 # says "1" to everything
reasonable = np.where(y_bin == 1, 0.9, 0.1)                  # right with 90% confidence
compare = pd.DataFrame({
    "model": ["always positive (p = 0.999)", "reasonable (p = 0.9 on the true class)"],
    "source formula": [source_ce(y_bin, always_positive), source_ce(y_bin, reasonable)],
    "binary cross-entropy": [losses.binary_crossentropy(y_bin, always_positive),
                             losses.binary_crossentropy(y_bin, reasonable)],
})
glue("source_ce_always_positive", float(compare.iloc[0, 1]), display=False)
glue("source_ce_reasonable", float(compare.iloc[1, 1]), display=False)
glue("bce_always_positive", float(compare.iloc[0, 2]), display=False)
glue("bce_reasonable", float(compare.iloc[1, 2]), display=False)
compare

# %% [markdown]
# The source's formula scores the always-positive model at
# {glue:text}`source_ce_always_positive:.4f` and the reasonable one at
# {glue:text}`source_ce_reasonable:.4f`: it prefers the useless model. The binary
# cross-entropy ranks them correctly ({glue:text}`bce_always_positive:.3f` versus
# {glue:text}`bce_reasonable:.3f`). The source's expression is right only as the
# *categorical* formula, with a sum over classes $k$ and one-hot $y_{ik}$ (for $K=2$ that sum
# recovers both binary terms).
#
# (ch04-stable-ce)=
# ## Why `from_logits=True` is the stable form
#
# Networks compute unbounded scores, the **logits** $z$, and turn them into probabilities
# with the sigmoid $\sigma(z)=1/(1+e^{-z})$ or the softmax $e^{z_k}/\sum_j e^{z_j}$. Taking
# the logarithm of those probabilities *after* computing them is where floating point
# fails: $e^{z}$ overflows to `inf` for $z$ above about 710 in float64 (about 89 in
# float32), and a probability that rounds to exactly 0 or 1 makes the logarithm infinite.
# Written directly in terms of the logits, the same losses need no exponential of a large
# number:
#
# $$
# -\log\operatorname{softmax}(z)_k = \log\sum_j e^{z_j} - z_k
#   = m + \log\sum_j e^{z_j - m} - z_k,\qquad m=\max_j z_j,
# $$
#
# $$
# \operatorname{BCE}(y, z) = \max(z, 0) - z\,y + \log\left(1 + e^{-|z|}\right).
# $$
#
# Every exponent is now $\le 0$. We feed one example with large logits to both forms.

# %%
big_logits = np.array([[large_logit, 0.0, -large_logit]])   # three classes
big_label = np.array([[0.0, 0.0, 1.0]])                      # the true class has the lowest score
bin_logit = np.array([[-large_logit]])                       # binary: very sure it is a 0 ...
bin_label = np.array([[1.0]])                                # ... but it is a 1

with np.errstate(all="ignore"):
    naive_cat = losses.categorical_crossentropy(big_label, losses.softmax(big_logits))
    naive_bin = losses.binary_crossentropy(bin_label, losses.sigmoid(bin_logit))
stable_cat = losses.categorical_crossentropy_from_logits(big_label, big_logits)
stable_bin = losses.binary_crossentropy_from_logits(bin_label, bin_logit)
keras_cat = float(tf.keras.losses.CategoricalCrossentropy(from_logits=True)(big_label, big_logits))
keras_bin = float(tf.keras.losses.BinaryCrossentropy(from_logits=True)(bin_label, bin_logit))

naive_ok = bool(np.isfinite(naive_cat) and np.isfinite(naive_bin))
stable_ok = bool(np.isfinite(stable_cat) and np.isfinite(stable_bin))
glue("naive_ce_is_finite", naive_ok, display=False)
glue("stable_ce_is_finite", stable_ok, display=False)
glue("stable_cat_ce_large_logit", float(stable_cat), display=False)
glue("stable_bin_ce_large_logit", float(stable_bin), display=False)
glue("stable_vs_keras_large_logit_rel_diff",
     float(max(abs(stable_cat - keras_cat) / keras_cat, abs(stable_bin - keras_bin) / keras_bin)),
     display=False)
pd.DataFrame({"naive (probabilities first)": [naive_cat, naive_bin],
              "stable (from logits)": [stable_cat, stable_bin],
              "tf.keras, from_logits=True": [keras_cat, keras_bin]},
             index=["categorical", "binary"])

# %% [markdown]
# The naive forms return `nan` (softmax: $\infty/\infty$) and `inf` (sigmoid: the
# probability rounds to 0 and $\log 0=-\infty$). The stable forms return the true values,
# {glue:text}`stable_cat_ce_large_logit:.1f` and {glue:text}`stable_bin_ce_large_logit:.1f`
# nats, and agree with Keras's `from_logits=True` to
# {glue:text}`stable_vs_keras_large_logit_rel_diff:.1e` relative. A single `nan` in a batch
# loss turns every weight into `nan` at the next update.
#
# Keras's probability path does not return `nan`: it clips probabilities to
# $[10^{-7}, 1-10^{-7}]$. That avoids the crash but hides the loss: beyond a moderate logit
# the clipped loss is flat (near $-\log 10^{-7}$) and its gradient is zero, so a
# confidently wrong example stops teaching the model anything. The figure shows the loss of
# a label-0 example as its logit grows, in float32 (the dtype Keras trains in).

# %%
z = np.linspace(-20.0, 60.0, 401).astype(np.float32)
y0 = np.zeros_like(z)
with np.errstate(all="ignore"):
    p32 = (1.0 / (1.0 + np.exp(-z))).astype(np.float32)
    naive32 = -np.log(np.float32(1.0) - p32)                  # the formula, as written
keras_prob = tf.keras.losses.binary_crossentropy(y0[:, None], tf.sigmoid(z)[:, None]).numpy()
keras_logit = tf.keras.losses.binary_crossentropy(y0[:, None], z[:, None], from_logits=True).numpy()
first_inf = float(z[np.argmax(~np.isfinite(naive32))])
glue("naive_float32_inf_from_logit", first_inf, display=False)
glue("keras_prob_plateau", float(keras_prob.max()), display=False)

fig, ax = plt.subplots()
ax.plot(z, keras_logit, label="from logits (stable)", lw=2.5)
ax.plot(z, keras_prob, label="Keras from probabilities (clipped)", ls="--")
ax.plot(z[np.isfinite(naive32)], naive32[np.isfinite(naive32)], label="naive float32 (inf beyond)", ls=":")
ax.axvline(first_inf, color="grey", lw=0.8)
ax.annotate("naive float32 loss = inf from here", (first_inf, 45), xytext=(4, 0),
            textcoords="offset points", fontsize=9)
ax.set(xlabel="logit z of an example whose label is 0", ylabel="binary cross-entropy (nats)",
       title="Only the logit form keeps measuring the error")
ax.legend()
plt.show()

# %% [markdown]
# In float32 the naive formula is already infinite from $z\approx$
# {glue:text}`naive_float32_inf_from_logit:.1f` (where $\sigma(z)$ rounds to 1), and the
# clipped Keras loss stays at {glue:text}`keras_prob_plateau:.2f` nats however wrong the
# model is. The stable form grows like $z$, as the true loss does. Hence the book's rule,
# which every classifier in it follows: **the last layer outputs logits (no activation),
# and the loss is built with `from_logits=True`** (`SparseCategoricalCrossentropy` when the
# labels are class indices).
#
# ## Exercises
#
# 1. Show algebraically that $\max(z,0) - zy + \log(1+e^{-|z|})$ equals
#    $-[y\log\sigma(z) + (1-y)\log(1-\sigma(z))]$, then check it numerically with
#    `losses.binary_crossentropy_from_logits` and `losses.binary_crossentropy` for
#    $|z| < 30$.
# 2. Repeat the overflow example with `large_logit = 50`. Which of the naive forms break in
#    float64, and which only in float32?
# 3. The gradient of the softmax cross-entropy with respect to the logits is
#    $\operatorname{softmax}(z) - y$. Verify it with `tf.GradientTape` on the random batch
#    above (remember Keras divides by the batch size).

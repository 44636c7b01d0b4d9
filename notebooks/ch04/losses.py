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
seed = 0                 # every random draw follows from it
n_examples = 256         # examples in the random batches compared with tf.keras.losses
n_classes = 5            # classes of the categorical example
large_logit = 1000.0     # size of the logits in the overflow example
confident_logit = 100.0  # logit of the confidently wrong example in the clipping study

# %% [markdown]
# ## Set-up

# %%
import numpy as np
import pandas as pd

from scalekit import compare, env, losses, plots, report

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
report.table(pd.DataFrame({"scalekit": [ours], "tf.keras": [keras]}, index=["MSE"]),
             digits=12)

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
# probabilities to $[10^{-7}, 1-10^{-7}]$ and adds $10^{-7}$ inside the binary logarithm,
# so the binary values agree to about $10^{-7}$ relative rather than to machine precision.

# %%
y_bin = rng.integers(0, 2, size=(n_examples, 1)).astype(float)
p_bin = rng.uniform(0.01, 0.99, size=(n_examples, 1))
labels = rng.integers(0, n_classes, size=n_examples)
y_cat = np.eye(n_classes)[labels]
logits = rng.normal(0.0, 2.0, size=(n_examples, n_classes))
p_cat = losses.softmax(logits)
L = tf.keras.losses

rows = [
    ("MSE", ours, keras),
    ("binary CE", losses.binary_crossentropy(y_bin, p_bin),
     float(L.BinaryCrossentropy()(y_bin, p_bin))),
    ("categorical CE", losses.categorical_crossentropy(y_cat, p_cat),
     float(L.CategoricalCrossentropy()(y_cat, p_cat))),
    ("binary CE from logits",
     losses.binary_crossentropy_from_logits(y_bin, logits[:, :1]),
     float(L.BinaryCrossentropy(from_logits=True)(y_bin, logits[:, :1]))),
    ("categorical CE from logits",
     losses.categorical_crossentropy_from_logits(y_cat, logits),
     float(L.CategoricalCrossentropy(from_logits=True)(y_cat, logits))),
]
versus = pd.DataFrame(rows, columns=["loss", "scalekit (NumPy)", "tf.keras"])
versus["relative difference"] = [compare.max_rel_diff(a, b) for _, a, b in rows]
report.table(versus.set_index("loss"), digits=6)

# %%
report.record("loss", max_rel_diff_vs_keras=versus["relative difference"].max())

# %% [markdown]
# Across the five losses the largest relative difference from `tf.keras.losses` is
# {glue:text}`loss_max_rel_diff_vs_keras:.1e`: the formulas above are the ones Keras
# computes.
#
# (ch04-source-ce)=
# ### The source's cross-entropy drops half of the binary loss
#
# The source writes cross-entropy as $-\frac1n\sum_i y_i\log\hat y_i$ with $\hat y_i$
# "模型预测概率" (the model's predicted probability). Read with one probability per
# example, which is what a binary classifier outputs, the term $(1-y_i)\log(1-\hat y_i)$
# is missing: examples with $y_i=0$ contribute nothing, whatever the model predicts for
# them. A useless model that answers "positive" for every input then has the *lowest*
# loss. We compare it with a reasonable model on the binary labels from above.

# %%
def source_ce(y, p):
    """The source's §2.3.1 formula, read with one probability per example."""
    return float(-np.mean(y * np.log(p)))


always_positive = np.full_like(p_bin, 0.999)                 # says "1" to everything
reasonable = np.where(y_bin == 1, 0.9, 0.1)                  # right with 90% confidence
models = pd.DataFrame({
    "source formula": [source_ce(y_bin, always_positive), source_ce(y_bin, reasonable)],
    "binary cross-entropy": [losses.binary_crossentropy(y_bin, always_positive),
                             losses.binary_crossentropy(y_bin, reasonable)],
}, index=["always positive (p = 0.999)", "reasonable (p = 0.9 on the true class)"])
report.table(models, digits=4)

# %% tags=["remove-input"]
report.record(
    "loss",
    source_ce_always_positive=models.iloc[0, 0],
    source_ce_reasonable=models.iloc[1, 0],
    bce_always_positive=models.iloc[0, 1],
    bce_reasonable=models.iloc[1, 1],
)

# %% [markdown]
# The source's formula scores the always-positive model at
# {glue:text}`loss_source_ce_always_positive:.4f` and the reasonable one at
# {glue:text}`loss_source_ce_reasonable:.4f`: it prefers the useless model. The binary
# cross-entropy ranks them correctly ({glue:text}`loss_bce_always_positive:.3f` versus
# {glue:text}`loss_bce_reasonable:.3f`). The source's expression is right only as the
# *categorical* formula, with a sum over classes $k$ and one-hot $y_{ik}$ (for $K=2$ that
# sum recovers both binary terms).
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
big_label = np.array([[0.0, 0.0, 1.0]])       # the true class has the lowest score
bin_logit = np.array([[-large_logit]])        # binary: very sure it is a 0 ...
bin_label = np.array([[1.0]])                 # ... but it is a 1

with np.errstate(all="ignore"):
    naive_cat = losses.categorical_crossentropy(big_label, losses.softmax(big_logits))
    naive_bin = losses.binary_crossentropy(bin_label, losses.sigmoid(bin_logit))
stable_cat = losses.categorical_crossentropy_from_logits(big_label, big_logits)
stable_bin = losses.binary_crossentropy_from_logits(bin_label, bin_logit)
keras_cat = float(L.CategoricalCrossentropy(from_logits=True)(big_label, big_logits))
keras_bin = float(L.BinaryCrossentropy(from_logits=True)(bin_label, bin_logit))
overflow = pd.DataFrame({"naive (probabilities first)": [naive_cat, naive_bin],
                         "stable (from logits)": [stable_cat, stable_bin],
                         "tf.keras, from_logits=True": [keras_cat, keras_bin]},
                        index=["categorical", "binary"])
report.table(overflow, digits=6)

# %% tags=["remove-input"]
report.record(
    "loss",
    naive_ce_is_finite=bool(np.isfinite(naive_cat) and np.isfinite(naive_bin)),
    stable_ce_is_finite=bool(np.isfinite(stable_cat) and np.isfinite(stable_bin)),
    stable_cat_ce_large_logit=stable_cat,
    stable_bin_ce_large_logit=stable_bin,
    stable_vs_keras_large_logit_rel_diff=compare.max_rel_diff(
        [stable_cat, stable_bin], [keras_cat, keras_bin]),
)

# %% [markdown]
# The naive forms return `nan` (softmax: $\infty/\infty$) and `inf` (sigmoid: the
# probability rounds to 0 and $\log 0=-\infty$). The stable forms return the true values,
# {glue:text}`loss_stable_cat_ce_large_logit:.1f` and
# {glue:text}`loss_stable_bin_ce_large_logit:.1f` nats, and agree with Keras's
# `from_logits=True` to {glue:text}`loss_stable_vs_keras_large_logit_rel_diff:.1e`
# relative. A single `nan` in a batch loss turns every weight into `nan` at the next
# update.
#
# (ch04-keras-clipping)=
# ### When Keras clips, and when it quietly uses the logits
#
# Keras's probability path (`from_logits=False`, the default) does not return `nan`: it
# clips probabilities to $[10^{-7}, 1-10^{-7}]$. Whether that clipping ever happens depends
# on where the probabilities come from. `tf_keras` looks at the probability tensor first:
# if it is the output of a sigmoid (or softmax) that Keras can see, either Keras's own
# activation (which attaches its input, the logits, to its output as `_keras_logits`) or
# a `Sigmoid` operation inside a traced `tf.function` such as `fit` and `evaluate`, it
# throws the probabilities away and computes the stable loss from the logits. Only
# probabilities it cannot trace back are clipped. We take one example with label 0 and
# logit $z=$ {glue:text}`loss_confident_logit:.0f`, confidently wrong, and compute the loss
# and its gradient with respect to $z$ in four ways.

# %%
z_wrong = np.array([[confident_logit]], dtype=np.float32)
label0 = np.zeros((1, 1), dtype=np.float32)
bce = L.BinaryCrossentropy()           # from_logits=False: probabilities expected


def tanh_sigmoid(z):                   # σ(z) = (1 + tanh(z/2)) / 2: no Sigmoid op
    return 0.5 * (1.0 + tf.tanh(0.5 * z))


def loss_and_slope(probability_fn, traced: bool) -> tuple[float, float]:
    """The loss of the wrong example and ∂loss/∂z, eagerly or inside a tf.function."""
    z = tf.Variable(z_wrong)

    def step():
        with tf.GradientTape() as tape:
            value = bce(label0, probability_fn(z))
        return value, tape.gradient(value, z)

    value, slope = (tf.function(step) if traced else step)()
    return float(value), float(slope[0, 0])


model = tf.keras.Sequential([tf.keras.Input(shape=(1,)), tf.keras.layers.Dense(
    1, activation="sigmoid", use_bias=False,
    kernel_initializer=tf.keras.initializers.Constant(confident_logit))])
model.compile(loss="binary_crossentropy")
one = np.ones((1, 1), dtype=np.float32)       # input 1, so the logit is the kernel
with tf.GradientTape() as tape:
    model_loss = bce(label0, model(one))
cases = {
    "tf.sigmoid, eager": loss_and_slope(tf.sigmoid, traced=False),
    "σ written with tanh, in tf.function": loss_and_slope(tanh_sigmoid, traced=True),
    "tf.sigmoid, in tf.function": loss_and_slope(tf.sigmoid, traced=True),
    'Dense(activation="sigmoid"), evaluate': (
        model.evaluate(one, label0, verbose=0),
        float(tape.gradient(model_loss, model.trainable_variables[0])[0, 0])),
}
clip_cases = pd.DataFrame(cases, index=["loss (nats)", "∂loss/∂z"]).T
report.table(clip_cases, digits=4)

# %% tags=["remove-input"]
report.record(
    "loss",
    confident_logit=confident_logit,
    clipped_eager_loss=cases["tf.sigmoid, eager"][0],
    clipped_eager_grad=cases["tf.sigmoid, eager"][1],
    clipped_rewritten_loss=cases["σ written with tanh, in tf.function"][0],
    traced_sigmoid_loss=cases["tf.sigmoid, in tf.function"][0],
    keras_model_loss=cases['Dense(activation="sigmoid"), evaluate'][0],
    keras_model_grad=cases['Dense(activation="sigmoid"), evaluate'][1],
)

# %% [markdown]
# A model that ends in `Dense(activation="sigmoid")` is safe: `evaluate` reports
# {glue:text}`loss_keras_model_loss:.1f` nats, the true loss $\log(1+e^{z})\approx z$, and
# the gradient with respect to the logit is {glue:text}`loss_keras_model_grad:.2f`
# ($\sigma(z) - y$), as with `from_logits=True`; so is `tf.sigmoid` inside a
# `tf.function` ({glue:text}`loss_traced_sigmoid_loss:.1f`). But probabilities computed
# eagerly, or by any other operation (here the same function written with `tanh`, or
# averaged over an ensemble, rescaled, loaded from disk), are clipped: the loss is
# {glue:text}`loss_clipped_eager_loss:.2f` nats (eager) and
# {glue:text}`loss_clipped_rewritten_loss:.2f` (rewritten), near $-\log(2\cdot 10^{-7})$ however wrong
# the model is, and the gradient is {glue:text}`loss_clipped_eager_grad:.1f`: a
# confidently wrong example stops teaching the model anything. The figure shows the
# clipped case, the loss of a label-0 example as its logit grows, in float32 (the dtype
# Keras trains in), with probabilities from `tf.sigmoid` called eagerly.

# %%
z = np.linspace(-20.0, 60.0, 401).astype(np.float32)
y0 = np.zeros_like(z)
with np.errstate(all="ignore"):
    p32 = (1.0 / (1.0 + np.exp(-z))).astype(np.float32)
    naive32 = -np.log(np.float32(1.0) - p32)                  # the formula, as written
keras_prob = L.binary_crossentropy(y0[:, None], tf.sigmoid(z)[:, None]).numpy()
keras_logit = L.binary_crossentropy(y0[:, None], z[:, None], from_logits=True).numpy()
first_inf = float(z[np.argmax(~np.isfinite(naive32))])

# %% tags=["remove-input"]
report.record("loss", naive_float32_inf_from_logit=first_inf,
              keras_prob_plateau=keras_prob.max())

# %% tags=["remove-cell"]
fig, ax = plots.subplots(height=3.8)
finite = np.isfinite(naive32)
ax.plot(z, keras_logit, label="from logits (stable)", lw=2.5)
ax.plot(z, keras_prob, label="Keras, eager probabilities (clipped)", ls="--")
ax.plot(z[finite], naive32[finite], label="naive float32 (inf beyond)", ls=":")
ax.axvline(first_inf, color="grey", lw=0.8)
ax.annotate("naive float32 loss = inf from here", (first_inf, 45), xytext=(4, 0),
            textcoords="offset points")
ax.set(xlabel="logit z of an example whose label is 0",
       ylabel="binary cross-entropy (nats)",
       title="Only the logit form keeps measuring the error")
ax.legend(loc="upper left")
report.figure("loss_clipping_fig", fig)

# %% [markdown]
# ```{glue:figure} loss_clipping_fig
# :alt: Binary cross-entropy of a label-0 example against its logit from -20 to 60; the stable logit form rises as a straight line, Keras's clipped loss on eagerly computed probabilities flattens near 15 nats, and the naive float32 formula stops where it becomes infinite, near logit 17.
# :name: fig-loss-clipping
#
# The loss of a confidently wrong example: stable logit form, Keras on eagerly computed
# probabilities (clipped), and the naive float32 formula.
# ```
#
# In float32 the naive formula is already infinite from $z\approx$
# {glue:text}`loss_naive_float32_inf_from_logit:.1f` (where $\sigma(z)$ rounds to 1), and
# the clipped Keras loss stays at {glue:text}`loss_keras_prob_plateau:.2f` nats however
# wrong the model is. The stable form grows like $z$, as the true loss does. Hence the
# book's rule, which every classifier in it follows: **the last layer outputs logits (no
# activation), and the loss is built with `from_logits=True`**
# (`SparseCategoricalCrossentropy` when the labels are class indices). It does not rely
# on Keras recognizing where the probabilities came from.
#
# ## Summary
#
# * The NumPy losses in `scalekit.losses` equal `tf.keras.losses` to
#   {glue:text}`loss_max_rel_diff_vs_keras:.0e` relative.
# * The source's cross-entropy, read for a binary classifier, prefers a model that says
#   "positive" to everything ({glue:text}`loss_source_ce_always_positive:.4f` against
#   {glue:text}`loss_source_ce_reasonable:.4f`); the binary cross-entropy does not.
# * Computing probabilities first overflows for large logits; the log-sum-exp forms give
#   {glue:text}`loss_stable_cat_ce_large_logit:.0f` and
#   {glue:text}`loss_stable_bin_ce_large_logit:.0f` nats, as Keras's `from_logits=True`.
# * Keras clips probabilities it cannot trace to a sigmoid (loss stuck at
#   {glue:text}`loss_clipped_eager_loss:.1f` nats, gradient
#   {glue:text}`loss_clipped_eager_grad:.0f`); for a model ending in a sigmoid layer it
#   uses the logits (loss {glue:text}`loss_keras_model_loss:.0f`, gradient
#   {glue:text}`loss_keras_model_grad:.0f`).
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
# 4. Average the sigmoid outputs of two models (a small ensemble) and train with
#    `from_logits=False`. Does Keras still use the logits? What would you pass instead?

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
# (ch02-parameters)=
# # Parameters: what a model learns, counted
#
# A model's **parameters** are the numbers training changes: the weights of every connection
# and the bias of every unit. Everything else that shapes training (the learning rate, the
# batch size, the number of layers and units, the regularization strength) is a
# **hyper-parameter**: chosen before training and left alone by it. The source (§2.1.1)
# lists the learning rate among the parameters; this page shows why it is not one, and counts
# the parameters of the four model families of this chapter with closed-form formulas,
# checked against what Keras reports.

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
seed = 0                    # every random draw follows from it

# %%
import numpy as np
import pandas as pd
import seaborn as sns

from scalekit import env, params, plots, report

tf = env.setup(seed=seed)
plots.set_theme()
L = tf.keras.layers

# %% [markdown]
# ## The formulas
#
# A `Dense` layer maps $n_\text{in}$ inputs to $n_\text{out}$ outputs with an
# $n_\text{in}\times n_\text{out}$ weight matrix and one bias per output:
# $n_\text{in} n_\text{out} + n_\text{out}$ parameters. Stacking layers adds their
# counts. A `Conv2D` layer with $f$ filters of size $k_h\times k_w$ on $c$ input channels
# has $k_h k_w c f + f$, *whatever the image size*: the same small kernel slides over every
# position {cite:p}`lecun1989backpropagation`. A recurrent layer with $u$ units on $n$
# input features has, per gate, an input matrix $n\times u$, a recurrent matrix $u\times u$
# and a bias $u$: $u(n+u+1)$. A `SimpleRNN` has one such block, an LSTM four
# {cite:p}`hochreiter1997long`, a GRU three {cite:p}`cho2014learning`, and Keras's GRU
# adds $3u$ more biases with its default `reset_after=True`, which keeps separate input
# and recurrent biases. The sequence length never enters: the same weights are reused at
# every step.
#
# `scalekit.params` writes these formulas in plain Python (no Keras): each
# `*_count` function returns an integer. Below, each one is compared with
# `model.count_params()` of the corresponding Keras model, for several shapes.

# %%
def seq(input_shape, *layers):
    return tf.keras.Sequential([tf.keras.Input(shape=input_shape), *layers])


def cnn_model(shape, filters, dense, out=10):
    convs = [L.Conv2D(f, 3, padding="same", activation="relu") for f in filters]
    return seq(shape, *convs, L.MaxPooling2D(2), L.Flatten(),
               *[L.Dense(u, activation="relu") for u in dense], L.Dense(out))


RNN_LAYERS = {"simple_rnn": L.SimpleRNN, "gru": L.GRU, "lstm": L.LSTM}
rows = []
for n_in, n_out in [(64, 10), (30, 1)]:
    rows.append(("perceptron", f"{n_in}→{n_out}", params.perceptron_count(n_in, n_out),
                 seq((n_in,), L.Dense(n_out)).count_params()))
for hidden in [[32], [128, 64], [16, 16, 16]]:
    keras = seq((64,), *[L.Dense(h, activation="relu") for h in hidden], L.Dense(10))
    rows.append(("MLP", f"64→{'→'.join(map(str, hidden))}→10",
                 params.mlp_count(64, hidden, 10), keras.count_params()))
for shape, filters, dense in [((8, 8, 1), [16, 32], [64]), ((28, 28, 3), [8, 16], [])]:
    rows.append(("CNN", f"{shape}, filters {filters}, dense {dense}",
                 params.cnn_count(shape, filters, 10, dense_units=dense),
                 cnn_model(shape, filters, dense).count_params()))
for kind, layer in RNN_LAYERS.items():
    for n_in, units in [(8, 32), (3, 7)]:
        rows.append((kind, f"{n_in} features, {units} units → 10",
                     params.rnn_count(kind, n_in, units, 10),
                     seq((8, n_in), layer(units), L.Dense(10)).count_params()))
counts = pd.DataFrame(rows, columns=["family", "shape", "formula", "count_params()"])
counts["match"] = counts["formula"] == counts["count_params()"]
gru_extra = (seq((8, 8), L.GRU(32)).count_params()
             - seq((8, 8), L.GRU(32, reset_after=False)).count_params())
report.table(counts, index=False)

# %%
report.record("param", count_formula_matches=bool(counts["match"].all()),
              count_cases=len(counts), gru_reset_after_extra=gru_extra)

# %% [markdown]
# All {glue:text}`param_count_cases` formulas agree with Keras
# (`count_formula_matches` is {glue:text}`param_count_formula_matches`). For a
# `GRU(32)`, `reset_after=True` adds {glue:text}`param_gru_reset_after_extra` biases,
# exactly $3u$.
#
# Where do the parameters sit? The plot splits each family's digit classifier of the
# {ref}`next sections <ch02-architectures>` into weights and biases.

# %%
examples = {
    "perceptron": seq((64,), L.Dense(10)),
    "MLP": seq((64,), L.Dense(64, activation="relu"), L.Dense(10)),
    "CNN": cnn_model((8, 8, 1), [16, 32], [64]),
    "LSTM": seq((8, 8), L.LSTM(32), L.Dense(10)),
}
split_rows = []
for family, model in examples.items():
    for w in model.trainable_weights:
        kind = "bias" if "bias" in w.name else "weights"
        split_rows.append({"family": family, "kind": kind,
                           "count": int(np.prod(w.shape))})
split = pd.DataFrame(split_rows).groupby(["family", "kind"], as_index=False)
split = split["count"].sum()
by_kind = split.pivot(index="family", columns="kind", values="count")
weight_share = by_kind["weights"] / by_kind.sum(axis=1)

# %% tags=["remove-input"]
report.record("param", min_weight_share=weight_share.min())
fig, ax = plots.subplots(height=3.4)
sns.barplot(data=split, x="family", y="count", hue="kind", order=list(examples), ax=ax)
ax.set(yscale="log", ylabel="parameters (log scale)", xlabel="",
       title="Weights and biases of four digit classifiers")
ax.legend(title="", loc="upper left")
report.figure("param_split_fig", fig)

# %% [markdown]
# ```{glue:figure} param_split_fig
# :alt: Bar chart on a log scale of weight and bias counts for a perceptron, an MLP, a CNN and an LSTM digit classifier. In every family there are tens to hundreds of times more weights than biases; the CNN has the most weights.
# :name: fig-param-split
#
# Weights and biases of the four digit classifiers used in this chapter.
# ```
#
# Weights dominate everywhere: in every family they are at least
# {glue:text}`param_min_weight_share:.0%` of the parameters. A convolution is cheap; the
# dense layer after it is not.
#
# (ch02-lr-not-parameter)=
# ## The learning rate is not a parameter
#
# The source lists "weights, biases and the learning rate" as the model's parameters.
# Three checks separate them. The learning rate lives in the *optimizer*, not the model:
# compiling the same model with two learning rates leaves `count_params()` and the list of
# trainable variables unchanged. Training updates every weight *and* every bias, by the
# same gradient step (biases are not "fine-tuned" differently, as §2.1.6.1 suggests), and
# leaves the learning rate exactly where it was set. And no gradient flows to it: the loss
# is a function of the weights and the data only.

# %%
x = np.random.default_rng(seed).normal(size=(256, 64)).astype("float32")
y = (x[:, :10].argmax(axis=1)).astype("int64")
model = seq((64,), L.Dense(16, activation="relu"), L.Dense(10))
before = [w.numpy().copy() for w in model.trainable_weights]
seen = {}
for lr in (0.1, 0.001):
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=lr),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    seen[lr] = (model.count_params(), [w.name for w in model.trainable_weights])
model.fit(x, y, epochs=1, batch_size=256, verbose=0)     # one SGD step at lr = 0.001
changed = {w.name: float(np.mean(w.numpy() != b))
           for w, b in zip(model.trainable_weights, before, strict=True)}
with tf.GradientTape() as tape:
    loss = model.loss(tf.constant(y), model(x))
grads = tape.gradient(loss, [*model.trainable_weights, model.optimizer.learning_rate])
report.table(pd.DataFrame({"variable": list(changed),
                           "fraction changed by one step": list(changed.values())}),
             index=False)

# %% tags=["remove-input"]
report.record(
    "param",
    lr_changes_count=seen[0.1] != seen[0.001],
    lr_after_training=model.optimizer.learning_rate.numpy(),
    lr_has_gradient=grads[-1] is not None,
    bias_fraction_updated=np.mean([v for k, v in changed.items() if "bias" in k]),
)

# %% [markdown]
# `count_params()` and the trainable variables are the same for both learning rates
# (changed: {glue:text}`param_lr_changes_count`); one training step changed a fraction
# {glue:text}`param_bias_fraction_updated:.2f` of the biases, as it changed the weights;
# the learning rate after training is still {glue:text}`param_lr_after_training:g`; and
# `tape.gradient` finds no path from the loss to it (it returns `None`; has a gradient:
# {glue:text}`param_lr_has_gradient`). The learning rate is a hyper-parameter, tuned
# *around* training (by a sweep, {ref}`later in this chapter <ch02-tuning>`) or changed
# by a schedule *you* write, never learned by the gradient step itself. This matters for
# scaling: the $N$ of a scaling law counts weights and biases only.
#
# ## Summary
#
# * Closed-form counts agree with Keras's `count_params()` in all
#   {glue:text}`param_count_cases` cases (perceptron, MLP, CNN, SimpleRNN, GRU, LSTM).
# * Keras's default GRU has {glue:text}`param_gru_reset_after_extra` more parameters
#   than the textbook formula for 32 units: its second bias vector.
# * Weights are at least {glue:text}`param_min_weight_share:.0%` of every classifier's
#   parameters.
# * The learning rate is not a parameter: it does not change the count (changed:
#   {glue:text}`param_lr_changes_count`), receives no gradient (has one:
#   {glue:text}`param_lr_has_gradient`) and is untouched by training.
#
# ## Exercises
#
# 1. Predict, then check with `params.cnn_count`, how the count of the CNN above changes
#    if the images were 16×16 instead of 8×8. Which layer grows, and why not the
#    convolutions?
# 2. An LSTM and a GRU with the same number of parameters: how many units does each get
#    for an input of 8 features and a budget of 10,000 parameters?
# 3. Write the count of a `Conv2D` layer with `groups=g` and check it against Keras.

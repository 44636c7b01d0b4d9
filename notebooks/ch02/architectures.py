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
# (ch02-architectures)=
# # Architectures: one task, four families
#
# The source (§2.1.3) lists four model families: the single-layer perceptron, the
# multi-layer perceptron (MLP), the convolutional network (CNN) and the recurrent network
# (RNN). Descriptions of them are easy to find; here they race. The task is the same for
# all four: the 8×8 handwritten digits bundled with scikit-learn. Each family reads the
# image its own way:
#
# * the **perceptron** (softmax regression) sees 64 numbers and draws linear boundaries;
# * the **MLP** adds one hidden layer of ReLU units;
# * the **CNN** slides 3×3 filters over the 8×8 grid, so it knows which pixels are neighbours;
# * the **RNN** (an LSTM) reads the image as a sequence of 8 rows of 8 pixels, top to bottom.
#
# For each we record the parameter count (formula and Keras), the training time and the
# test accuracy.

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
seed = 0                  # seeds the split and the initial weights
epochs = 40               # training epochs for every family
batch_size = 32
learning_rate = 3e-3      # Adam, the same for all four

# %%
import time

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from myst_nb import glue

from scalekit import data, env, params, plots

tf = env.setup(seed=seed)
plots.set_theme()
L = tf.keras.layers

flat = data.load("digits", seed=seed)                   # (n, 64), pixels in [0, 1]
img = data.load("digits", seed=seed, images=True)       # (n, 8, 8, 1), the same split

# %% [markdown]
# ## The four models
#
# Sizes are modest: from under a thousand parameters (perceptron) to a few tens of
# thousands (CNN). Each line also computes the count from the closed-form formula of
# {ref}`ch02-parameters`.

# %%
def build(family: str):
    if family == "perceptron":
        layers, n = [L.Dense(10)], params.perceptron(64, 10)
        shape = (64,)
    elif family == "MLP":
        layers, n = [L.Dense(64, activation="relu"), L.Dense(10)], params.mlp(64, [64], 10)
        shape = (64,)
    elif family == "CNN":
        layers = [L.Conv2D(16, 3, padding="same", activation="relu"),
                  L.Conv2D(32, 3, padding="same", activation="relu"),
                  L.MaxPooling2D(2), L.Flatten(), L.Dense(64, activation="relu"), L.Dense(10)]
        n, shape = params.cnn((8, 8, 1), [16, 32], 10, dense_units=[64]), (8, 8, 1)
    elif family == "RNN (LSTM)":
        layers, n = [L.LSTM(32), L.Dense(10)], params.rnn("lstm", 8, 32, 10)
        shape = (8, 8)
    else:
        raise ValueError(family)
    return tf.keras.Sequential([tf.keras.Input(shape=shape), *layers], name=family[:3]), n, shape


def inputs(shape, which):
    if len(shape) == 1:
        return getattr(flat, f"x_{which}")
    x = getattr(img, f"x_{which}")
    return x if len(shape) == 3 else x.reshape(-1, 8, 8)     # RNN: 8 rows of 8 pixels


rows, histories = [], []
for family in ["perceptron", "MLP", "CNN", "RNN (LSTM)"]:
    tf.keras.utils.set_random_seed(seed)
    model, formula, shape = build(family)
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    start = time.perf_counter()
    hist = model.fit(inputs(shape, "train"), flat.y_train, epochs=epochs,
                     batch_size=batch_size, validation_data=(inputs(shape, "test"), flat.y_test),
                     verbose=0)
    seconds = time.perf_counter() - start
    _, acc = model.evaluate(inputs(shape, "test"), flat.y_test, verbose=0)
    rows.append({"family": family, "parameters": model.count_params(), "formula": formula,
                 "train seconds": seconds, "test accuracy": acc})
    histories.append(pd.DataFrame({"epoch": range(1, epochs + 1), "family": family,
                                   "test accuracy": hist.history["val_accuracy"]}))
results = pd.DataFrame(rows).set_index("family")
results

# %% [markdown]
# (The test split is passed as `validation_data` only to *record* the learning curves below;
# it plays no part in training or model selection.)

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
sns.lineplot(data=pd.concat(histories), x="epoch", y="test accuracy", hue="family", ax=axes[0])
axes[0].set(title="Learning curves", ylim=(0.5, 1.0))
sns.scatterplot(data=results.reset_index(), x="parameters", y="test accuracy", hue="family",
                s=90, ax=axes[1], legend=False)
for fam, r in results.iterrows():
    axes[1].annotate(fam, (r["parameters"], r["test accuracy"]), xytext=(5, -12),
                     textcoords="offset points", fontsize=9)
_ = axes[1].set(xscale="log", title="Accuracy against parameters")
fig.tight_layout()

# %%
key = {"perceptron": "perceptron", "MLP": "mlp", "CNN": "cnn", "RNN (LSTM)": "rnn"}
for fam, r in results.iterrows():
    glue(f"arch_acc_{key[fam]}", float(r["test accuracy"]), display=False)
    glue(f"arch_params_{key[fam]}", int(r["parameters"]), display=False)
    glue(f"arch_seconds_{key[fam]}", float(r["train seconds"]), display=False)
glue("arch_formula_matches", bool((results["parameters"] == results["formula"]).all()),
     display=False)
glue("epochs", int(epochs), display=False)
glue("arch_best", str(results["test accuracy"].idxmax()), display=False)

# %% [markdown]
# ## What the race shows
#
# After {glue:text}`epochs` epochs the test accuracies are: perceptron
# {glue:text}`arch_acc_perceptron:.3f` ({glue:text}`arch_params_perceptron` parameters), MLP
# {glue:text}`arch_acc_mlp:.3f` ({glue:text}`arch_params_mlp`), CNN
# {glue:text}`arch_acc_cnn:.3f` ({glue:text}`arch_params_cnn`) and LSTM
# {glue:text}`arch_acc_rnn:.3f` ({glue:text}`arch_params_rnn`); the best is the
# {glue:text}`arch_best`. Training took {glue:text}`arch_seconds_perceptron:.1f` s,
# {glue:text}`arch_seconds_mlp:.1f` s, {glue:text}`arch_seconds_cnn:.1f` s and
# {glue:text}`arch_seconds_rnn:.1f` s respectively on this machine.
#
# Three lessons carry over to large models. First, even a linear model is strong on tiny,
# centred digits: architecture matters more as the input grows and its structure (locality
# in images, order in text) carries more of the signal. Second, parameters are not cost: the
# CNN reuses each kernel at every position, so its compute per example is much larger than
# its parameter count suggests, and the LSTM runs its cell 8 times in sequence, which is why
# it trains slowest per parameter. Third, a ranking on one small data set, one seed and one
# learning rate is a weak claim; the exercises ask you to test it.
#
# ## Exercises
#
# 1. Rerun with three seeds and put error bars on the accuracies. Which differences survive?
# 2. Give the MLP as many parameters as the CNN (width ≈ `arch_params_cnn / 75`). Does the
#    gap close?
# 3. Replace the LSTM with a `GRU` and a `SimpleRNN` of the same width; compare parameters
#    (use `scalekit.params.rnn`) and accuracy.

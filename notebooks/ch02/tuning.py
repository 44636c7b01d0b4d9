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
# (ch02-tuning)=
# # Tuning: learning rate, initialization, regularization
#
# The source's §2.1.5–2.1.6.1 describe how the "parameters" (really: hyper-parameters and
# initial values) shape the result. Three of its claims are tested here, on the digits:
#
# 1. a learning rate that is too large causes *over-fitting*, one that is too small
#    *under-fitting*;
# 2. random initialization avoids vanishing and exploding gradients;
# 3. L1, L2 and dropout regularization reduce over-fitting.
#
# The first two turn out to be wrong as stated, the third right, and each answer is a
# measurement.

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
seed = 0                                       # seeds the split, label noise and weights
epochs = 20                                    # epochs per learning rate in the sweep
lr_grid = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0]  # plain SGD
init_epochs = 10                               # epochs per initialization scheme
init_depth = 5                                 # hidden layers of the initialization network
reg_train_size = 300                           # training examples of the over-fitting setup
label_noise = 0.2                              # fraction of its labels replaced at random
reg_epochs = 150                               # epochs per regularization variant

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.colors import LogNorm
from myst_nb import glue

from scalekit import data, env, models, plots

tf = env.setup(seed=seed)
plots.set_theme()
L = tf.keras.layers
split = data.load("digits", seed=seed)
xent = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)

# %% [markdown]
# (ch02-lr-sweep)=
# ## A learning-rate sweep
#
# One MLP (64 → 64 ReLU → 10), plain SGD with batches of 64, the same initial weights for
# every rate, {glue:text}`sweep_epochs` epochs per rate, rates on a log grid. We record the
# training loss before training and after every epoch. A run **diverges** when its loss
# becomes NaN or infinite, or rises above where it started.

# %%
glue("sweep_epochs", int(epochs), display=False)
curves, summary = [], []
for lr in lr_grid:
    tf.keras.utils.set_random_seed(seed)                  # same initial weights for every rate
    model = models.mlp(split.num_features, split.num_classes, width=64)
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=lr), loss=xent)
    start = model.evaluate(split.x_train, split.y_train, verbose=0)
    losses = model.fit(split.x_train, split.y_train, epochs=epochs, batch_size=64,
                       verbose=0).history["loss"]
    losses = np.asarray(losses, dtype=float)
    diverged = bool(~np.isfinite(losses).all() or (losses > start).any())
    val = model.evaluate(split.x_test, split.y_test, verbose=0)
    hidden_out = model.layers[0](split.x_train).numpy()       # ReLU outputs of the hidden layer
    dead = float(np.mean((hidden_out <= 0).all(axis=0)))      # units silent on every example
    summary.append({"lr": lr, "start loss": start, "final train loss": losses[-1],
                    "max train loss": np.nanmax(np.where(np.isfinite(losses), losses, np.inf)),
                    "held-out loss": val, "dead ReLU units": dead, "diverged": diverged})
    curves += [{"lr": lr, "epoch": e, "train loss": v}
               for e, v in enumerate([start, *losses])]
sweep = pd.DataFrame(summary)
curves = pd.DataFrame(curves)
sweep

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
shown = curves.assign(**{"train loss": curves["train loss"].clip(upper=1e3)})
sns.lineplot(data=shown, x="epoch", y="train loss", hue="lr", palette="viridis",
             hue_norm=LogNorm(), ax=axes[0], legend="full")
axes[0].set(yscale="log", title="Training loss per epoch")
axes[0].legend(title="learning rate", fontsize=7, ncol=2)
ok = sweep[~sweep["diverged"]]
axes[1].plot(sweep["lr"], sweep["final train loss"].clip(upper=1e3), "o-", label="final train loss")
axes[1].plot(sweep["lr"], sweep["held-out loss"].clip(upper=1e3), "s--", label="held-out loss")
axes[1].scatter(sweep.loc[sweep["diverged"], "lr"],
                sweep.loc[sweep["diverged"], "final train loss"].clip(upper=1e3),
                s=160, facecolors="none", edgecolors="red", label="diverged")
axes[1].axhline(sweep["start loss"].iloc[0], color="grey", lw=1, ls=":", label="start")
axes[1].set(xscale="log", yscale="log", xlabel="learning rate", ylabel="loss",
            title=f"After {epochs} epochs")
axes[1].legend(fontsize=8)
fig.tight_layout()

# %%
diverging = sweep.loc[sweep["diverged"], "lr"]
lr_diverges_at = float(diverging.min()) if len(diverging) else float("nan")
best = ok.loc[ok["final train loss"].idxmin()]
smallest = sweep.iloc[0]
stable_below = ok[ok["lr"] < lr_diverges_at] if len(diverging) else ok
glue("lr_diverges_at", lr_diverges_at, display=False)
glue("lr_all_below_converge", bool(not sweep.loc[sweep["lr"] < lr_diverges_at, "diverged"].any()),
     display=False)
glue("lr_best", float(best["lr"]), display=False)
glue("lr_best_loss", float(best["final train loss"]), display=False)
glue("lr_best_gap", float(best["held-out loss"] - best["final train loss"]), display=False)
glue("lr_start_loss", float(smallest["start loss"]), display=False)
glue("lr_smallest", float(smallest["lr"]), display=False)
glue("lr_smallest_loss", float(smallest["final train loss"]), display=False)
glue("lr_smallest_drop", float(smallest["start loss"] - smallest["final train loss"]),
     display=False)
failing = sweep[(sweep["lr"] > best["lr"])
                & (sweep["final train loss"] >= 0.9 * sweep["start loss"])]
glue("lr_fails_at", float(failing["lr"].min()) if len(failing) else float("nan"), display=False)
glue("lr_fails_loss", float(failing["final train loss"].iloc[0]) if len(failing) else float("nan"),
     display=False)
glue("lr_fails_dead", float(failing["dead ReLU units"].iloc[0]) if len(failing)
     else float("nan"), display=False)
glue("lr_best_dead", float(best["dead ReLU units"]), display=False)
glue("lr_diverged_max_loss", float(sweep.loc[sweep["diverged"], "max train loss"].max())
     if len(diverging) else float("nan"), display=False)
print(f"first diverging rate: {lr_diverges_at:g}; best: {best['lr']:g}")

# %% [markdown]
# From a rate of {glue:text}`lr_diverges_at:g` on, the training loss rises above its
# starting value of {glue:text}`lr_start_loss:.3f` during training (the largest loss seen in
# the sweep is {glue:text}`lr_diverged_max_loss:.3g`): the steps overshoot the valley instead
# of descending into it. At the edge of stability a run can still recover (compare the final
# losses in the table); at {glue:text}`lr_fails_at:g` it does not: its final training loss
# is {glue:text}`lr_fails_loss:.3f`, about that of guessing (ln 10 ≈ 2.303), because the
# huge steps pushed {glue:text}`lr_fails_dead:.0%` of the hidden ReLU units into their flat
# region, where they output zero for every training image and stop learning (at the best
# rate: {glue:text}`lr_best_dead:.0%`). This is not
# over-fitting: over-fitting means a *low* training loss and a high held-out loss, while a
# too-large rate
# does not fit even the training set. At the other end, the smallest rate,
# {glue:text}`lr_smallest:g`, lowered the loss by only {glue:text}`lr_smallest_drop:.3f` in
# {glue:text}`sweep_epochs` epochs: it is not under-fitting for lack of capacity (the same
# network reaches {glue:text}`lr_best_loss:.3f` at rate {glue:text}`lr_best:g`), it is
# *slow*. The plot below makes that precise: for the stable small rates, loss is nearly a
# function of learning rate × epochs alone, so a ten times smaller rate needs about ten times
# more steps to get to the same place.

# %%
small = curves[curves["lr"] <= 1e-2].assign(**{"lr × epoch": lambda d: d["lr"] * d["epoch"]})
ax = sns.lineplot(data=small[small["epoch"] > 0], x="lr × epoch", y="train loss", hue="lr",
                  palette="viridis", hue_norm=LogNorm(), marker="o", legend="full")
_ = ax.set(xscale="log", title="Small rates are slow, not different: loss vs lr × epochs")

# %% [markdown]
# (ch02-init-check)=
# ## Initialization: randomness breaks symmetry, scale sets the gradients
#
# The source says random initialization "avoids vanishing and exploding gradients". Random
# values are needed for a different reason: if all weights start equal (zero, say), every
# unit of a layer computes the same thing and receives the same update, forever. Whether
# gradients vanish or explode depends on the *scale* of the random values: each layer
# multiplies the signal by roughly $\sigma\sqrt{n}$ for $n$ inputs, so over many layers a
# slightly wrong $\sigma$ compounds. Glorot initialization {cite:p}`glorot2010understanding`
# and He initialization {cite:p}`he2015delving` choose $\sigma$ so that this factor is about
# one. We build a deeper ReLU network ({glue:text}`init_depth` hidden layers of 64) with
# each scheme and measure, at initialization, the spread of the last hidden layer's
# activations relative to the input and the gradient norm of the first layer, then train
# each for {glue:text}`init_epochs` epochs with SGD.

# %%
glue("init_depth", int(init_depth), display=False)
glue("init_epochs", int(init_epochs), display=False)
schemes = {
    "zeros": tf.keras.initializers.Zeros(),
    "normal σ=0.01": tf.keras.initializers.RandomNormal(stddev=0.01, seed=seed),
    "normal σ=1": tf.keras.initializers.RandomNormal(stddev=1.0, seed=seed),
    "Glorot uniform": tf.keras.initializers.GlorotUniform(seed=seed),
    "He normal": tf.keras.initializers.HeNormal(seed=seed),
}
x_probe, y_probe = split.x_train[:256], split.y_train[:256]
init_rows = []
for name, init in schemes.items():
    tf.keras.utils.set_random_seed(seed)
    hidden = [L.Dense(64, activation="relu", kernel_initializer=init) for _ in range(init_depth)]
    model = tf.keras.Sequential([tf.keras.Input((64,)), *hidden,
                                 L.Dense(10, kernel_initializer=init)])
    body = tf.keras.Sequential([tf.keras.Input((64,)), *hidden])
    with tf.GradientTape() as tape:
        loss0 = xent(y_probe, model(x_probe))
    g_first = tape.gradient(loss0, hidden[0].kernel)
    act_ratio = float(np.std(body(x_probe).numpy()) / np.std(x_probe))
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.05), loss=xent,
                  metrics=["accuracy"])
    model.fit(split.x_train, split.y_train, epochs=init_epochs, batch_size=64, verbose=0)
    loss, acc = model.evaluate(split.x_test, split.y_test, verbose=0)
    init_rows.append({"initialization": name, "activation spread (out/in)": act_ratio,
                      "first-layer gradient norm": float(tf.norm(g_first)),
                      "held-out loss": loss, "held-out accuracy": acc})
inits = pd.DataFrame(init_rows).set_index("initialization")
for key, name in [("zeros", "zeros"), ("small", "normal σ=0.01"), ("large", "normal σ=1"),
                  ("glorot", "Glorot uniform"), ("he", "He normal")]:
    glue(f"init_acc_{key}", float(inits.loc[name, "held-out accuracy"]), display=False)
    glue(f"init_grad_{key}", float(inits.loc[name, "first-layer gradient norm"]), display=False)
    glue(f"init_spread_{key}", float(inits.loc[name, "activation spread (out/in)"]),
         display=False)
inits

# %%
ax = sns.barplot(data=inits.reset_index(), x="initialization", y="held-out accuracy")
_ = ax.set(xlabel="", ylim=(0, 1), title=f"Held-out accuracy after {init_epochs} epochs, "
           f"{init_depth} hidden layers")
ax.tick_params(axis="x", labelsize=8)

# %% [markdown]
# Zero initialization gives a first-layer gradient norm of exactly
# {glue:text}`init_grad_zeros:.3g` and a held-out accuracy of {glue:text}`init_acc_zeros:.3f`:
# nothing below the output layer ever learns. *Random* initialization with a small scale
# (σ = 0.01) shrinks the signal to {glue:text}`init_spread_small:.2g` of its input spread
# by the last hidden layer, the first-layer gradient vanishes
# ({glue:text}`init_grad_small:.2g`) and accuracy stays at {glue:text}`init_acc_small:.3f`;
# with σ = 1 the signal grows by a factor of {glue:text}`init_spread_large:.3g` and the
# gradient explodes ({glue:text}`init_grad_large:.3g`), accuracy {glue:text}`init_acc_large:.3f`.
# He initialization, derived for ReLU, keeps the spread near one
# ({glue:text}`init_spread_he:.2f`); Glorot's, derived for symmetric activations such as tanh,
# loses a factor of about √2 per ReLU layer ({glue:text}`init_spread_glorot:.2f` after
# {glue:text}`init_depth` layers). They train to {glue:text}`init_acc_he:.3f` (He) and
# {glue:text}`init_acc_glorot:.3f` (Glorot) in the same number of epochs. Randomness is
# necessary to break symmetry; the *scale* is what avoids vanishing and exploding gradients.
#
# (ch02-regularization)=
# ## Regularization closes the train/validation gap
#
# Over-fitting needs a model that can memorize its training set. We build one on purpose:
# {glue:text}`reg_train_size` training digits, {glue:text}`label_noise_pct:.0f`% of their
# labels replaced at random, and a large MLP (two hidden layers of 256). Without
# regularization it learns the wrong labels too. We compare four variants trained
# identically with Adam for {glue:text}`reg_epochs` epochs: none, an L2 penalty on the weights
# (3·10⁻³), an L1 penalty (3·10⁻⁴), and dropout (rate 0.5) after each hidden layer
# {cite:p}`srivastava2014dropout`. The gap is training accuracy (on the noisy labels the
# model was given) minus accuracy on the clean held-out split.

# %%
glue("reg_train_size", int(reg_train_size), display=False)
glue("label_noise_pct", float(100 * label_noise), display=False)
glue("reg_epochs", int(reg_epochs), display=False)
few = data.load("digits", seed=seed, train_size=reg_train_size)
rng = np.random.default_rng(seed)
y_noisy = few.y_train.copy()
flip = rng.random(len(y_noisy)) < label_noise
y_noisy[flip] = rng.integers(0, 10, int(flip.sum()))

variants = {"none": (None, 0.0), "L2": (tf.keras.regularizers.L2(3e-3), 0.0),
            "L1": (tf.keras.regularizers.L1(3e-4), 0.0), "dropout": (None, 0.5)}
reg_rows = []
for name, (reg, rate) in variants.items():
    tf.keras.utils.set_random_seed(seed)
    layers = [tf.keras.Input((64,))]
    for _ in range(2):
        layers.append(L.Dense(256, activation="relu", kernel_regularizer=reg))
        if rate:
            layers.append(L.Dropout(rate))
    layers.append(L.Dense(10, kernel_regularizer=reg))
    model = tf.keras.Sequential(layers)
    model.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss=xent, metrics=["accuracy"])
    model.fit(few.x_train, y_noisy, epochs=reg_epochs, batch_size=32, verbose=0)
    train_acc = model.evaluate(few.x_train, y_noisy, verbose=0)[1]
    val_acc = model.evaluate(split.x_test, split.y_test, verbose=0)[1]
    reg_rows.append({"regularization": name, "train accuracy": train_acc,
                     "validation accuracy": val_acc, "gap": train_acc - val_acc})
regs = pd.DataFrame(reg_rows).set_index("regularization")
gap = regs["gap"]
glue("dropout_gap_reduction", float(gap["none"] - gap["dropout"]), display=False)
glue("l2_gap_reduction", float(gap["none"] - gap["L2"]), display=False)
glue("l1_gap_reduction", float(gap["none"] - gap["L1"]), display=False)
glue("gap_none", float(gap["none"]), display=False)
glue("gap_dropout", float(gap["dropout"]), display=False)
glue("val_acc_none", float(regs.loc["none", "validation accuracy"]), display=False)
glue("val_acc_dropout", float(regs.loc["dropout", "validation accuracy"]), display=False)
regs

# %%
long = regs[["train accuracy", "validation accuracy"]].reset_index().melt(
    id_vars="regularization", var_name="split", value_name="accuracy")
ax = sns.barplot(data=long, x="regularization", y="accuracy", hue="split")
_ = ax.set(ylim=(0.5, 1.02), xlabel="", title="Train (noisy labels) vs validation accuracy")

# %% [markdown]
# Without regularization the gap is {glue:text}`gap_none:.3f`; dropout brings it to
# {glue:text}`gap_dropout:.3f`, a reduction of {glue:text}`dropout_gap_reduction:.3f`, and
# validation accuracy moves from {glue:text}`val_acc_none:.3f` to
# {glue:text}`val_acc_dropout:.3f`. L2 reduces the gap by {glue:text}`l2_gap_reduction:.3f`
# and L1 by {glue:text}`l1_gap_reduction:.3f` at these strengths. A negative gap means the
# regularized model declined to learn some of the random labels, which is the desired
# behaviour. Unlike the learning rate, the regularization strength really is a knob for
# over-fitting, and like every hyper-parameter it is chosen on validation data.
#
# ## Exercises
#
# 1. Repeat the sweep with Adam instead of SGD. Where does it diverge now, and why is its
#    useful range of rates narrower in absolute terms but similar in shape?
# 2. Add a `BatchNormalization` layer after each hidden layer of the σ = 1 network. Does it
#    still explode?
# 3. Sweep the dropout rate from 0 to 0.8. Where does the validation accuracy peak?

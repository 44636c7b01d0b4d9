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
seed = 0                  # seeds the split, label noise and weights
epochs = 20               # epochs per learning rate in the sweep
lr_grid = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0]  # SGD
init_epochs = 10          # epochs per initialization scheme
init_depth = 5            # hidden layers of the initialization network
reg_train_size = 300      # training examples of the over-fitting setup
label_noise = 0.2         # fraction of its labels replaced at random
reg_epochs = 150          # epochs per regularization variant

# %%
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LogNorm

from scalekit import data, env, models, plots, report

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
# every rate, {glue:text}`tune_sweep_epochs` epochs per rate, rates on a log grid. We
# record the training loss before training and after every epoch. A run **diverges** when
# its loss becomes NaN or infinite, or rises above where it started.

# %%
curves, summary = [], []
for lr in lr_grid:
    tf.keras.utils.set_random_seed(seed)     # the same initial weights for every rate
    model = models.mlp(split.num_features, split.num_classes, width=64)
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=lr), loss=xent)
    start = model.evaluate(split.x_train, split.y_train, verbose=0)
    losses = model.fit(split.x_train, split.y_train, epochs=epochs, batch_size=64,
                       verbose=0).history["loss"]
    losses = np.asarray(losses, dtype=float)
    diverged = bool(~np.isfinite(losses).all() or (losses > start).any())
    val = model.evaluate(split.x_test, split.y_test, verbose=0)
    hidden_out = model.layers[0](split.x_train).numpy()   # ReLU outputs, hidden layer
    dead = float(np.mean((hidden_out <= 0).all(axis=0)))  # silent on every example
    finite = np.where(np.isfinite(losses), losses, np.inf)
    summary.append({"lr": lr, "start loss": start, "final train loss": losses[-1],
                    "max train loss": np.nanmax(finite), "held-out loss": val,
                    "dead ReLU units": dead, "diverged": diverged})
    curves += [{"lr": lr, "epoch": e, "train loss": v}
               for e, v in enumerate([start, *losses])]
sweep = pd.DataFrame(summary)
curves = pd.DataFrame(curves)
report.table(sweep, index=False, digits={"lr": 2})

# %% tags=["remove-input"]
norm = LogNorm(vmin=min(lr_grid), vmax=max(lr_grid))
fig, (ax_c, ax_f) = plots.subplots(1, 2, height=6.4)
shown = curves.assign(**{"train loss": curves["train loss"].clip(upper=1e3)})
sns.lineplot(data=shown, x="epoch", y="train loss", hue="lr", palette="viridis",
             hue_norm=norm, ax=ax_c, legend=False)
ax_c.set(yscale="log", title="Training loss per epoch")
bar = fig.colorbar(ScalarMappable(norm=norm, cmap="viridis"), ax=ax_c)
bar.set_label("learning rate")
ax_f.plot(sweep["lr"], sweep["final train loss"].clip(upper=1e3), "o-",
          label="final train loss")
ax_f.plot(sweep["lr"], sweep["held-out loss"].clip(upper=1e3), "s--",
          label="held-out loss")
ax_f.scatter(sweep.loc[sweep["diverged"], "lr"],
             sweep.loc[sweep["diverged"], "final train loss"].clip(upper=1e3),
             s=160, facecolors="none", edgecolors="red", label="diverged")
ax_f.axhline(sweep["start loss"].iloc[0], color="grey", lw=1, ls=":", label="start")
ax_f.set(xscale="log", yscale="log", xlabel="learning rate", ylabel="loss",
         title=f"After {epochs} epochs")
ax_f.legend(loc="upper left")
report.figure("tune_lr_fig", fig)

# %% [markdown]
# ```{glue:figure} tune_lr_fig
# :alt: Top, training loss per epoch on a log axis for each learning rate, coloured from dark (small rates) to yellow (large rates); small rates descend slowly, middle rates fast, the largest rates rise or stay high. Bottom, final training and held-out loss against learning rate on log axes, with diverged runs circled in red; both losses are lowest at intermediate rates and rise together at large rates.
# :name: fig-tune-lr
#
# The learning-rate sweep: loss per epoch for each rate (top) and the final training and
# held-out losses against the rate (bottom). Too large a rate ruins the *training* loss;
# it does not produce over-fitting.
# ```

# %% tags=["remove-input"]
ok = sweep[~sweep["diverged"]]
diverging = sweep.loc[sweep["diverged"], "lr"]
lr_diverges_at = float(diverging.min()) if len(diverging) else float("nan")
best = ok.loc[ok["final train loss"].idxmin()]
smallest = sweep.iloc[0]
failing = sweep[(sweep["lr"] > best["lr"])
                & (sweep["final train loss"] >= 0.9 * sweep["start loss"])]
nan = float("nan")
report.record(
    "tune",
    sweep_epochs=epochs,
    lr_diverges_at=lr_diverges_at,
    lr_all_below_converge=not sweep.loc[sweep["lr"] < lr_diverges_at, "diverged"].any(),
    lr_best=best["lr"],
    lr_best_loss=best["final train loss"],
    lr_start_loss=smallest["start loss"],
    lr_smallest=smallest["lr"],
    lr_smallest_drop=smallest["start loss"] - smallest["final train loss"],
    lr_fails_at=failing["lr"].min() if len(failing) else nan,
    lr_fails_loss=failing["final train loss"].iloc[0] if len(failing) else nan,
    lr_fails_dead=failing["dead ReLU units"].iloc[0] if len(failing) else nan,
    lr_best_dead=best["dead ReLU units"],
    lr_diverged_max_loss=(sweep.loc[sweep["diverged"], "max train loss"].max()
                          if len(diverging) else nan),
)

# %% [markdown]
# From a rate of {glue:text}`tune_lr_diverges_at:g` on, the training loss rises above its
# starting value of {glue:text}`tune_lr_start_loss:.3f` during training (the largest loss
# seen in the sweep is {glue:text}`tune_lr_diverged_max_loss:.3g`): the steps overshoot
# the valley instead of descending into it. At the edge of stability a run can still
# recover (compare the final losses in the table); at {glue:text}`tune_lr_fails_at:g` it
# does not: its final training loss is {glue:text}`tune_lr_fails_loss:.3f`, about that of
# guessing (ln 10 ≈ 2.303), because the huge steps pushed
# {glue:text}`tune_lr_fails_dead:.0%` of the hidden ReLU units into their flat region,
# where they output zero for every training image and stop learning (at the best rate:
# {glue:text}`tune_lr_best_dead:.0%`). This is not over-fitting: over-fitting means a
# *low* training loss and a high held-out loss, while a too-large rate does not fit even
# the training set. At the other end, the smallest rate, {glue:text}`tune_lr_smallest:g`,
# lowered the loss by only {glue:text}`tune_lr_smallest_drop:.3f` in
# {glue:text}`tune_sweep_epochs` epochs: it is not under-fitting for lack of capacity (the
# same network reaches {glue:text}`tune_lr_best_loss:.3f` at rate
# {glue:text}`tune_lr_best:g`), it is *slow*. The plot below makes that precise: for the
# stable small rates, loss is nearly a function of learning rate × epochs alone, so a ten
# times smaller rate needs about ten times more steps to get to the same place.

# %% tags=["remove-input"]
slow = curves[(curves["lr"] <= 1e-2) & (curves["epoch"] > 0)]
slow = slow.assign(**{"lr × epoch": slow["lr"] * slow["epoch"]})
fig, ax = plots.subplots(height=3.6)
sns.lineplot(data=slow, x="lr × epoch", y="train loss", hue="lr", palette="viridis",
             hue_norm=norm, marker="o", ax=ax)
ax.set(xscale="log", title="Small rates are slow, not different")
ax.legend(title="learning rate", loc="lower left")
report.figure("tune_slow_fig", fig)

# %% [markdown]
# ```{glue:figure} tune_slow_fig
# :alt: Training loss against learning rate times epochs on a log axis for the small learning rates; the curves of different rates lie nearly on top of one another.
# :name: fig-tune-slow
#
# For the stable small rates, training loss against learning rate × epochs: the curves
# nearly coincide, so a smaller rate only needs proportionally more steps.
# ```
#
# (ch02-init-check)=
# ## Initialization: randomness breaks symmetry, scale sets the gradients
#
# The source says random initialization "avoids vanishing and exploding gradients".
# Random values are needed for a different reason: if all weights start equal (zero,
# say), every unit of a layer computes the same thing and receives the same update,
# forever. Whether gradients vanish or explode depends on the *scale* of the random
# values: each layer multiplies the signal by roughly $\sigma\sqrt{n}$ for $n$ inputs, so
# over many layers a slightly wrong $\sigma$ compounds. Glorot initialization
# {cite:p}`glorot2010understanding` and He initialization {cite:p}`he2015delving` choose
# $\sigma$ so that this factor is about one. We build a deeper ReLU network
# ({glue:text}`tune_init_depth` hidden layers of 64) with each scheme and measure, at
# initialization, the spread of the last hidden layer's activations relative to the input
# and the gradient norm of the first layer, then train each for
# {glue:text}`tune_init_epochs` epochs with SGD at a rate of 0.01 (at 0.05 this deep
# network sometimes blows up late in training for some seeds, which would hide the
# effect of the initialization).

# %%
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
    hidden = [L.Dense(64, activation="relu", kernel_initializer=init)
              for _ in range(init_depth)]
    model = tf.keras.Sequential([tf.keras.Input((64,)), *hidden,
                                 L.Dense(10, kernel_initializer=init)])
    body = tf.keras.Sequential([tf.keras.Input((64,)), *hidden])
    with tf.GradientTape() as tape:
        loss0 = xent(y_probe, model(x_probe))
    g_first = tape.gradient(loss0, hidden[0].kernel)
    act_ratio = float(np.std(body(x_probe).numpy()) / np.std(x_probe))
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.01), loss=xent,
                  metrics=["accuracy"])
    model.fit(split.x_train, split.y_train, epochs=init_epochs, batch_size=64,
              verbose=0)
    loss, acc = model.evaluate(split.x_test, split.y_test, verbose=0)
    init_rows.append({"initialization": name, "activation spread (out/in)": act_ratio,
                      "first-layer gradient norm": float(tf.norm(g_first)),
                      "held-out loss": loss, "held-out accuracy": acc})
inits = pd.DataFrame(init_rows).set_index("initialization")
report.table(inits, digits=3)

# %% tags=["remove-input"]
acc, grad = inits["held-out accuracy"], inits["first-layer gradient norm"]
spread = inits["activation spread (out/in)"]
report.record(
    "tune",
    init_depth=init_depth, init_epochs=init_epochs,
    init_acc_zeros=acc["zeros"], init_acc_small=acc["normal σ=0.01"],
    init_acc_large=acc["normal σ=1"], init_acc_glorot=acc["Glorot uniform"],
    init_acc_he=acc["He normal"],
    init_grad_zeros=grad["zeros"], init_grad_small=grad["normal σ=0.01"],
    init_grad_large=grad["normal σ=1"], init_grad_glorot=grad["Glorot uniform"],
    init_grad_he=grad["He normal"],
    init_spread_small=spread["normal σ=0.01"], init_spread_large=spread["normal σ=1"],
    init_spread_glorot=spread["Glorot uniform"], init_spread_he=spread["He normal"],
)

# %% tags=["remove-input"]
fig, ax = plots.subplots(height=3.0)
sns.barplot(data=inits.reset_index(), y="initialization", x="held-out accuracy",
            color=sns.color_palette(plots.PALETTE)[0], ax=ax)
ax.set(ylabel="", xlim=(0, 1), title=f"Held-out accuracy after {init_epochs} epochs, "
       f"{init_depth} hidden layers")
report.figure("tune_init_fig", fig)

# %% [markdown]
# ```{glue:figure} tune_init_fig
# :alt: Horizontal bars of held-out accuracy for five initializations of a deep ReLU network; zeros, normal with sigma 0.01 and normal with sigma 1 stay at chance level, about 0.1; He normal trains furthest, with Glorot uniform behind it.
# :name: fig-tune-init
#
# Held-out accuracy of the same deep ReLU network after a few epochs of SGD, for five
# initializations.
# ```
#
# Zero initialization gives a first-layer gradient norm of exactly
# {glue:text}`tune_init_grad_zeros:.3g` and a held-out accuracy of
# {glue:text}`tune_init_acc_zeros:.3f`: nothing below the output layer ever learns.
# *Random* initialization with a small scale (σ = 0.01) shrinks the signal to
# {glue:text}`tune_init_spread_small:.2g` of its input spread by the last hidden layer,
# the first-layer gradient vanishes ({glue:text}`tune_init_grad_small:.2g`) and accuracy
# stays at {glue:text}`tune_init_acc_small:.3f`; with σ = 1 the signal grows by a factor
# of {glue:text}`tune_init_spread_large:.3g` and the gradient explodes
# ({glue:text}`tune_init_grad_large:.3g`), accuracy {glue:text}`tune_init_acc_large:.3f`.
# He initialization, derived for ReLU, keeps the spread near one
# ({glue:text}`tune_init_spread_he:.2f`); Glorot's, derived for symmetric activations
# such as tanh, loses a factor of about √2 per ReLU layer
# ({glue:text}`tune_init_spread_glorot:.2f` after {glue:text}`tune_init_depth` layers).
# They train to {glue:text}`tune_init_acc_he:.3f` (He) and
# {glue:text}`tune_init_acc_glorot:.3f` (Glorot) in the same number of epochs. Randomness
# is necessary to break symmetry; the *scale* is what avoids vanishing and exploding
# gradients.
#
# (ch02-regularization)=
# ## Regularization closes the train/validation gap
#
# Over-fitting needs a model that can memorize its training set. We build one on
# purpose: {glue:text}`tune_reg_train_size` training digits,
# {glue:text}`tune_label_noise_pct:.0f`% of their labels replaced at random, and a large
# MLP (two hidden layers of 256). Without regularization it learns the wrong labels too.
# We compare four variants trained identically with Adam for
# {glue:text}`tune_reg_epochs` epochs: none, an L2 penalty on the weights (3·10⁻³), an L1
# penalty (3·10⁻⁴), and dropout (rate 0.5) after each hidden layer
# {cite:p}`srivastava2014dropout`. The gap is training accuracy (on the noisy labels the
# model was given) minus accuracy on the clean held-out split.

# %%
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
    model.compile(optimizer=tf.keras.optimizers.Adam(1e-3), loss=xent,
                  metrics=["accuracy"])
    model.fit(few.x_train, y_noisy, epochs=reg_epochs, batch_size=32, verbose=0)
    train_acc = model.evaluate(few.x_train, y_noisy, verbose=0)[1]
    val_acc = model.evaluate(split.x_test, split.y_test, verbose=0)[1]
    reg_rows.append({"regularization": name, "train accuracy": train_acc,
                     "validation accuracy": val_acc, "gap": train_acc - val_acc})
regs = pd.DataFrame(reg_rows).set_index("regularization")
report.table(regs, digits=3)

# %% tags=["remove-input"]
gap = regs["gap"]
report.record(
    "tune",
    reg_train_size=reg_train_size, label_noise_pct=100 * label_noise,
    reg_epochs=reg_epochs,
    dropout_gap_reduction=gap["none"] - gap["dropout"],
    l2_gap_reduction=gap["none"] - gap["L2"],
    l1_gap_reduction=gap["none"] - gap["L1"],
    gap_none=gap["none"], gap_dropout=gap["dropout"],
    val_acc_none=regs.loc["none", "validation accuracy"],
    val_acc_dropout=regs.loc["dropout", "validation accuracy"],
)

# %% tags=["remove-input"]
long = regs[["train accuracy", "validation accuracy"]].reset_index().melt(
    id_vars="regularization", var_name="split", value_name="accuracy")
fig, ax = plots.subplots(height=3.4)
sns.barplot(data=long, x="regularization", y="accuracy", hue="split", ax=ax)
ax.set(ylim=(0.5, 1.02), xlabel="", title="Train (noisy labels) vs validation accuracy")
ax.legend(title="", loc="lower right")
report.figure("tune_reg_fig", fig)

# %% [markdown]
# ```{glue:figure} tune_reg_fig
# :alt: Grouped bars of training accuracy on noisy labels and validation accuracy for no regularization, L2, L1 and dropout; without regularization training accuracy is far above validation accuracy, and the regularized variants bring the two bars closer.
# :name: fig-tune-reg
#
# Training accuracy (on the noisy labels) and validation accuracy for four regularization
# settings of the same over-sized MLP.
# ```
#
# Without regularization the gap is {glue:text}`tune_gap_none:.3f`; dropout brings it to
# {glue:text}`tune_gap_dropout:.3f`, a reduction of
# {glue:text}`tune_dropout_gap_reduction:.3f`, and validation accuracy moves from
# {glue:text}`tune_val_acc_none:.3f` to {glue:text}`tune_val_acc_dropout:.3f`. L2
# reduces the gap by {glue:text}`tune_l2_gap_reduction:.3f` and L1 by
# {glue:text}`tune_l1_gap_reduction:.3f` at these strengths. A negative gap means the
# regularized model declined to learn some of the random labels, which is the desired
# behaviour. Unlike the learning rate, the regularization strength really is a knob for
# over-fitting, and like every hyper-parameter it is chosen on validation data.
#
# ## Summary
#
# * Too large a learning rate ({glue:text}`tune_lr_diverges_at:g` and up) makes the
#   *training* loss rise, not over-fit; too small a rate ({glue:text}`tune_lr_smallest:g`)
#   is slow, lowering the loss by only {glue:text}`tune_lr_smallest_drop:.3f`.
# * Zero initialization never learns (accuracy {glue:text}`tune_init_acc_zeros:.3f`);
#   random σ = 0.01 and σ = 1 make the gradients vanish or explode; He initialization
#   keeps the activation spread at {glue:text}`tune_init_spread_he:.2f` and trains to
#   {glue:text}`tune_init_acc_he:.3f`.
# * Dropout cut the train/validation gap from {glue:text}`tune_gap_none:.3f` to
#   {glue:text}`tune_gap_dropout:.3f`; L2 and L1 reduced it by
#   {glue:text}`tune_l2_gap_reduction:.3f` and {glue:text}`tune_l1_gap_reduction:.3f`.
#
# ## Exercises
#
# 1. Repeat the sweep with Adam instead of SGD. Where does it diverge now, and why is its
#    useful range of rates narrower in absolute terms but similar in shape?
# 2. Add a `BatchNormalization` layer after each hidden layer of the σ = 1 network. Does
#    it still explode?
# 3. Sweep the dropout rate from 0 to 0.8. Where does the validation accuracy peak?

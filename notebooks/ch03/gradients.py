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
# (ch03-gradients)=
# # Vanishing and exploding gradients
#
# Backpropagation multiplies. The gradient that reaches layer $l$ of a deep network is the
# loss gradient at the output times one Jacobian per layer above $l$:
#
# $$
# \frac{\partial L}{\partial h_l} = \frac{\partial L}{\partial h_L}\,
# \prod_{k=l+1}^{L} \frac{\partial h_k}{\partial h_{k-1}},
# \qquad \frac{\partial h_k}{\partial h_{k-1}} = \operatorname{diag}\big(f'(z_k)\big)\,W_k .
# $$
#
# If the typical factor is below one the product shrinks geometrically with depth
# (vanishing gradients); above one it grows geometrically (exploding gradients)
# {cite:p}`bengio1994learning,pascanu2013difficulty`. Everything in this notebook is a
# measurement of that product: which activations and initializations make it small or
# large, and which remedies work. The network is a plain multilayer perceptron on the
# handwritten digits bundled with scikit-learn, deep enough to show the effect.

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
seed = 0                   # every random draw follows from it
depth = 20                 # Dense layers of the deep network (hidden layers + output)
width = 64                 # units per hidden layer
epochs = 10                # training epochs of each comparison run
batch_size = 64            # mini-batch size
train_size = None          # use only this many training examples (None: all 1,347)
explode_gain = 1.5         # init standard deviation as a multiple of He's, for the exploding net
lr_sweep = [0.01, 0.1, 1.0, 10.0]   # SGD rates tried on the vanishing network

# %% [markdown]
# ## Set-up

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from myst_nb import glue

from scalekit import data, env, plots

tf = env.setup(seed=seed)
plots.set_theme()
split = data.load("digits", seed=seed, train_size=train_size)
x, y = split.x_train, split.y_train
loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
print(f"{len(x)} training images, {depth} Dense layers of width {width}")

# %% [markdown]
# ## The network and the measurement
#
# `deep_mlp` stacks `depth − 1` hidden Dense layers and a linear output layer. Two
# switches add the modern fixes: batch normalization before each hidden activation
# {cite:p}`ioffe2015batch`, and residual connections $h_k = h_{k-1} + f(W_k h_{k-1})$
# {cite:p}`he2016deep`. `layer_grad_norms` runs one forward and backward pass over the
# training set and returns the norm of the loss gradient with respect to each layer's
# weight matrix, from the first layer to the last.

# %%
def deep_mlp(activation: str, initializer, *, batch_norm: bool = False,
             residual: bool = False) -> tf.keras.Model:
    inputs = tf.keras.Input(shape=(x.shape[1],))
    h = tf.keras.layers.Dense(width, activation=activation, kernel_initializer=initializer)(inputs)
    for _ in range(depth - 2):
        z = tf.keras.layers.Dense(width, kernel_initializer=initializer,
                                  use_bias=not batch_norm)(h)
        if batch_norm:
            z = tf.keras.layers.BatchNormalization()(z)
        z = tf.keras.layers.Activation(activation)(z)
        h = tf.keras.layers.Add()([h, z]) if residual else z
    outputs = tf.keras.layers.Dense(10, kernel_initializer=initializer)(h)
    return tf.keras.Model(inputs, outputs)


def layer_grad_norms(model: tf.keras.Model, inputs=x, labels=y) -> np.ndarray:
    kernels = [v for v in model.trainable_variables if "kernel" in v.name]
    with tf.GradientTape() as tape:
        loss = loss_fn(labels, model(inputs, training=True))
    return np.array([float(tf.norm(g)) for g in tape.gradient(loss, kernels)])


naive = tf.keras.initializers.RandomNormal(mean=0.0, stddev=1.0)   # "Gaussian initialization"
configs = {
    "sigmoid, N(0, 1)": ("sigmoid", naive),
    "sigmoid, Glorot": ("sigmoid", "glorot_uniform"),      # Keras's default initializer
    "tanh, Glorot": ("tanh", "glorot_uniform"),
    "ReLU, N(0, 1)": ("relu", naive),
    "ReLU, Glorot": ("relu", "glorot_uniform"),
    "ReLU, He": ("relu", "he_normal"),
}
rows = []
for name, (activation, init) in configs.items():
    tf.keras.utils.set_random_seed(seed)
    for layer, norm in enumerate(layer_grad_norms(deep_mlp(activation, init)), start=1):
        rows.append({"network": name, "layer": layer, "gradient norm": norm})
norms = pd.DataFrame(rows)

ax = sns.lineplot(data=norms, x="layer", y="gradient norm", hue="network", marker="o")
ax.set(yscale="log", title=f"Per-layer gradient norms at initialization ({depth} layers)",
       xlabel="layer (1 = next to the input)", ylabel="‖∂L/∂W‖")
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
plt.gcf().set_size_inches(9, 4.5)

# %%
table = norms.pivot(index="layer", columns="network", values="gradient norm")
ratio = (table.iloc[0] / table.iloc[-1]).rename("first / last")
summary = pd.DataFrame({"first layer": table.iloc[0], "last layer": table.iloc[-1],
                        "first / last": ratio})
glue("grad_norm_ratio_sigmoid", float(ratio["sigmoid, Glorot"]), display=False)
glue("grad_norm_ratio_sigmoid_naive", float(ratio["sigmoid, N(0, 1)"]), display=False)
glue("grad_norm_ratio_tanh_glorot", float(ratio["tanh, Glorot"]), display=False)
glue("grad_norm_ratio_relu_he", float(ratio["ReLU, He"]), display=False)
glue("grad_norm_ratio_relu_glorot", float(ratio["ReLU, Glorot"]), display=False)
glue("grad_norm_first_relu_naive", float(table["ReLU, N(0, 1)"].iloc[0]), display=False)
glue("grad_norm_first_relu_glorot", float(table["ReLU, Glorot"].iloc[0]), display=False)
glue("grad_norm_first_relu_he", float(table["ReLU, He"].iloc[0]), display=False)
summary.style.format("{:.2e}")

# %% [markdown]
# Read the table as "how much weaker (or stronger) is the first layer's gradient than the
# last layer's":
#
# * **Sigmoid with Keras's default (Glorot) initialization vanishes.** The first layer's
#   gradient is {glue:text}`grad_norm_ratio_sigmoid:.1e` times the last layer's. The
#   sigmoid's slope is at most 1/4, and Glorot's initialization
#   {cite:p}`glorot2010understanding` keeps $\|W_k\|$ near one, so each layer multiplies the
#   backward signal by roughly 1/4.
# * **Glorot initialization works for the activation it was derived for.** With tanh (slope
#   1 at zero, symmetric outputs) the ratio is {glue:text}`grad_norm_ratio_tanh_glorot:.2f`.
# * **ReLU needs He's initialization** {cite:p}`he2015delving`. ReLU passes gradients with
#   slope 1, but only through the half of the units that are active, so the weights must
#   have variance $2/\text{fan-in}$ for the product to stay near one. With He's
#   initialization the ratio is {glue:text}`grad_norm_ratio_relu_he:.2f` and the first-layer
#   norm is {glue:text}`grad_norm_first_relu_he:.2f`. With Glorot's (variance about
#   $1/\text{fan-in}$ here) every norm is small: {glue:text}`grad_norm_first_relu_glorot:.1e`
#   at the first layer. With the "Gaussian initialization" $N(0, 1)$ the source recommends,
#   every layer amplifies by about $\sqrt{64/2} = 5.7$ and the first-layer norm is
#   {glue:text}`grad_norm_first_relu_naive:.1e`: the gradient explodes.
# * The naive $N(0,1)$ sigmoid net has a ratio of only
#   {glue:text}`grad_norm_ratio_sigmoid_naive:.2f`: large weights saturate most units,
#   which shrinks the slopes, but also multiply by $\|W\| \approx 8$, and the two effects
#   partly cancel. A ratio near one is necessary, not sufficient: saturated units still
#   learn slowly (try training it, exercise 4).
#
# So ReLU alone does not "solve" vanishing gradients, and an initialization is good or bad
# only *for a given activation*: the scale must make the per-layer factor about one.
#
# (ch03-clip-vanishing)=
# ## Clipping does nothing for vanishing gradients
#
# The source lists gradient clipping as a remedy against gradients that are "too small".
# Clipping rescales a gradient whose norm *exceeds* a threshold and leaves every other
# gradient untouched: it can only make gradients smaller. Applied to the sigmoid network's
# gradients, with the two clipping rules Keras optimizers offer (`clipnorm` per tensor,
# `global_clipnorm` over all tensors):

# %%
tf.keras.utils.set_random_seed(seed)
sigmoid_net = deep_mlp("sigmoid", "glorot_uniform")
kernels = [v for v in sigmoid_net.trainable_variables if "kernel" in v.name]
with tf.GradientTape() as tape:
    loss = loss_fn(y, sigmoid_net(x, training=True))
grads = tape.gradient(loss, kernels)
per_tensor = [tf.clip_by_norm(g, 1.0) for g in grads]            # what clipnorm=1.0 does
global_clipped, _ = tf.clip_by_global_norm(grads, 1.0)           # what global_clipnorm=1.0 does
first = {"no clipping": float(tf.norm(grads[0])),
         "clipnorm=1.0": float(tf.norm(per_tensor[0])),
         "global_clipnorm=1.0": float(tf.norm(global_clipped[0]))}
glue("clip_first_layer_gain", max(first["clipnorm=1.0"], first["global_clipnorm=1.0"])
     / first["no clipping"], display=False)
pd.Series(first, name="first-layer gradient norm").to_frame().style.format("{:.3e}")

# %% [markdown]
# The first layer's gradient is at best unchanged (its largest gain from clipping is
# {glue:text}`clip_first_layer_gain:.2f`). Clipping is a remedy for *exploding* gradients
# only.
#
# (ch03-lr-vanishing)=
# ## A larger learning rate does not cure vanishing gradients
#
# The source's FAQ suggests raising the learning rate against vanishing gradients. A
# larger rate multiplies *every* layer's step by the same factor, so the first layer's
# step stays {glue:text}`grad_norm_ratio_sigmoid:.0e` times the last layer's, and the last
# layers, whose gradients are not small, become unstable first. We train the sigmoid
# network with SGD at several rates and record the final training loss and how far the
# first layer's weights moved.

# %%
def train(model: tf.keras.Model, optimizer, epochs_: int = epochs) -> list[float]:
    model.compile(optimizer=optimizer, loss=loss_fn)
    history = model.fit(x, y, epochs=epochs_, batch_size=batch_size, verbose=0)
    return history.history["loss"]


sweep = []
for lr in lr_sweep:
    tf.keras.utils.set_random_seed(seed)
    model = deep_mlp("sigmoid", "glorot_uniform")
    w_first = model.layers[1].kernel.numpy().copy()
    w_last = model.layers[-1].kernel.numpy().copy()
    with np.errstate(all="ignore"):
        losses = train(model, tf.keras.optimizers.SGD(lr))
    moved = lambda w0, layer: float(np.linalg.norm(layer.kernel.numpy() - w0)  # noqa: E731
                                    / np.linalg.norm(w0))
    sweep.append({"learning rate": lr, "final loss": losses[-1],
                  "first layer moved": moved(w_first, model.layers[1]),
                  "last layer moved": moved(w_last, model.layers[-1])})
sweep = pd.DataFrame(sweep)
chance = float(np.log(10))
finite = sweep["final loss"][np.isfinite(sweep["final loss"])]
glue("lr_sweep_best_loss", float(finite.min()) if len(finite) else float("inf"), display=False)
glue("chance_loss", chance, display=False)
glue("lr_sweep_first_layer_moved_max", float(sweep["first layer moved"].max()), display=False)
sweep.style.format({"learning rate": "{:g}", "final loss": "{:.3f}",
                    "first layer moved": "{:.1e}", "last layer moved": "{:.1e}"})

# %% [markdown]
# At every rate the loss stays near (or above) the loss of guessing uniformly among ten
# classes, $\ln 10 =$ {glue:text}`chance_loss:.3f`; the best is
# {glue:text}`lr_sweep_best_loss:.3f`. The first layer's weights moved by at most
# {glue:text}`lr_sweep_first_layer_moved_max:.1e` of their norm. The fixes are structural:
# the activation, the initialization, normalization and residual paths.
#
# (ch03-fixes)=
# ## The fixes: ReLU with He, batch normalization, residual connections
#
# Same depth, same data, same optimizer (Adam, learning rate 10⁻³), four networks:
# the vanishing sigmoid net, the ReLU net with He initialization, and the sigmoid net with
# batch normalization or with residual connections. First the gradient ratios at
# initialization, then the training curves.

# %%
variants = {
    "sigmoid (plain)": lambda: deep_mlp("sigmoid", "glorot_uniform"),
    "ReLU + He": lambda: deep_mlp("relu", "he_normal"),
    "sigmoid + batch norm": lambda: deep_mlp("sigmoid", "glorot_uniform", batch_norm=True),
    "sigmoid + residual": lambda: deep_mlp("sigmoid", "glorot_uniform", residual=True),
}
fix_curves, fix_ratios, fix_grad_norm = [], {}, {}
for name, build in variants.items():
    tf.keras.utils.set_random_seed(seed)
    model = build()
    layer_norms = layer_grad_norms(model)
    fix_ratios[name] = layer_norms[0] / layer_norms[-1]
    fix_grad_norm[name] = float(np.linalg.norm(layer_norms))   # over all weight matrices
    for epoch, value in enumerate(train(model, tf.keras.optimizers.Adam(1e-3)), start=1):
        fix_curves.append({"network": name, "epoch": epoch, "training loss": value})
fix_curves = pd.DataFrame(fix_curves)
final = fix_curves.groupby("network", sort=False)["training loss"].last()
fixes = pd.DataFrame({"first / last gradient norm at init": pd.Series(fix_ratios),
                      "final training loss": final})
glue("grad_norm_ratio_sigmoid_bn", float(fix_ratios["sigmoid + batch norm"]), display=False)
glue("grad_norm_ratio_sigmoid_residual", float(fix_ratios["sigmoid + residual"]), display=False)
glue("he_grad_norm_start", fix_grad_norm["ReLU + He"], display=False)
for name, key in [("sigmoid (plain)", "plain"), ("ReLU + He", "relu_he"),
                  ("sigmoid + batch norm", "bn"), ("sigmoid + residual", "residual")]:
    glue(f"fix_loss_{key}", float(final[name]), display=False)

ax = sns.lineplot(data=fix_curves, x="epoch", y="training loss", hue="network", marker="o")
ax.axhline(chance, color="grey", ls="--", lw=1)
ax.set(yscale="log", title=f"{depth}-layer networks trained with Adam")
fixes.style.format("{:.3g}")

# %% [markdown]
# After {glue:text}`ch03_epochs` epochs the plain sigmoid net is still at
# {glue:text}`fix_loss_plain:.3f` (chance is {glue:text}`chance_loss:.3f`); even Adam,
# which rescales each coordinate's step, cannot move the lower layers, whose gradients are
# far below its $\epsilon = 10^{-7}$. ReLU with He initialization reaches {glue:text}`fix_loss_relu_he:.3f`.
# Batch normalization raises the sigmoid net's gradient ratio to
# {glue:text}`grad_norm_ratio_sigmoid_bn:.2f` and its loss falls to
# {glue:text}`fix_loss_bn:.3f`; residual connections, which give the gradient an
# identity path around every layer, give a ratio of
# {glue:text}`grad_norm_ratio_sigmoid_residual:.2g` (the last layers now see *larger*
# activations, which raises their gradients; the first layer's gradient is no longer tiny)
# and a loss of {glue:text}`fix_loss_residual:.3f`.

# %%
glue("ch03_epochs", int(epochs), display=False)

# %% [markdown]
# (ch03-explode-inputs)=
# ## What makes gradients explode (not small inputs)
#
# The source says gradients explode "in the first layers, because their inputs are
# small". The factor that multiplies the backward signal at each layer is
# $\operatorname{diag}(f'(z_k))\,W_k$: it depends on the weights and the activation, not on
# how large the input is. We measure it directly: the norm of $\partial L/\partial h_k$ for
# every hidden layer, and its average growth per layer going backwards, for a ReLU net
# initialized with He's scale and one initialized {glue:text}`explode_gain:.1f` times
# larger, with inputs scaled by 10⁻³, 1 and 10³.

# %%
def backward_growth(init_gain: float, input_scale: float) -> tuple[float, float]:
    """Average per-layer growth of ‖∂L/∂h‖ going backwards, and the first layer's ‖∂L/∂W‖."""
    tf.keras.utils.set_random_seed(seed)
    init = tf.keras.initializers.VarianceScaling(scale=2.0 * init_gain**2, mode="fan_in",
                                                 distribution="truncated_normal")
    model = deep_mlp("relu", init)
    dense = [layer for layer in model.layers if isinstance(layer, tf.keras.layers.Dense)]
    probe = tf.keras.Model(model.input, [layer.output for layer in dense])
    with tf.GradientTape() as tape:
        hidden = probe(x * input_scale)
        loss = loss_fn(y, hidden[-1])
    grads = tape.gradient(loss, hidden[:-1] + [dense[0].kernel])
    h_norms = [float(tf.norm(g)) for g in grads[:-1]]
    growth = (h_norms[0] / h_norms[-1]) ** (1 / (len(h_norms) - 1))
    return growth, float(tf.norm(grads[-1]))


growth_rows = [{"init": f"{gain:g} × He", "input scale": scale,
                "growth per layer": (res := backward_growth(gain, scale))[0],
                "first-layer ‖∂L/∂W‖": res[1]}
               for gain in (1.0, explode_gain) for scale in (1e-3, 1.0, 1e3)]
growth = pd.DataFrame(growth_rows)
big = growth[growth["init"] == f"{explode_gain:g} × He"].set_index("input scale")
he = growth[growth["init"] == "1 × He"].set_index("input scale")
glue("explode_gain", float(explode_gain), display=False)
glue("growth_large_init_small_input", float(big.loc[1e-3, "growth per layer"]), display=False)
glue("growth_large_init_unit_input", float(big.loc[1.0, "growth per layer"]), display=False)
glue("growth_he_unit_input", float(he.loc[1.0, "growth per layer"]), display=False)
glue("first_grad_small_over_unit_input",
     float(he.loc[1e-3, "first-layer ‖∂L/∂W‖"] / he.loc[1.0, "first-layer ‖∂L/∂W‖"]),
     display=False)
growth.style.hide(axis="index").format({"input scale": "{:g}", "growth per layer": "{:.3f}",
                     "first-layer ‖∂L/∂W‖": "{:.2e}"})

# %% [markdown]
# With the larger initialization the backward signal grows by a factor of
# {glue:text}`growth_large_init_unit_input:.3f` per layer with unit inputs and
# {glue:text}`growth_large_init_small_input:.3f` with inputs a thousand times smaller: the
# input scale does not matter, the weights do (for a bias-free ReLU net at initialization,
# every layer is positively homogeneous, so this is exact up to the loss's own slope). He's
# scale gives {glue:text}`growth_he_unit_input:.3f`. Small inputs make the first layer's
# weight gradient *smaller*, not larger: {glue:text}`first_grad_small_over_unit_input:.1e`
# times its value at unit scale, since $\partial L/\partial W_1 = \delta_1 x^\top$.
# Explosion is a product of Jacobians whose norms exceed one: large weights, many layers, or
# many time steps of a recurrent network, which applies the same matrix again and again.
#
# (ch03-clipping)=
# ## Clipping against an exploding network, and what Adam does
#
# Now we train the {glue:text}`explode_gain:.1f` × He network. Plain SGD takes the
# exploding gradient at face value. With `clipnorm=1.0` each gradient tensor is rescaled
# to norm at most 1 before the step. Adam, which the source says avoids explosion,
# rescales each coordinate's step by its running RMS: it bounds the *step*, not the
# gradient.

# %%
def exploding_run(optimizer) -> dict:
    tf.keras.utils.set_random_seed(seed)
    init = tf.keras.initializers.VarianceScaling(scale=2.0 * explode_gain**2, mode="fan_in",
                                                 distribution="truncated_normal")
    model = deep_mlp("relu", init)
    start_loss = float(loss_fn(y, model(x)))
    start_grad = float(np.linalg.norm(layer_grad_norms(model)))
    with np.errstate(all="ignore"):
        losses = train(model, optimizer)
    end_grad = float(np.linalg.norm(layer_grad_norms(model)))
    return {"start loss": start_loss, "final loss": losses[-1], "gradient norm at start":
            start_grad, "gradient norm at end": end_grad, "curve": losses}


runs = {"SGD": exploding_run(tf.keras.optimizers.SGD(0.01)),
        "SGD, clipnorm=1.0": exploding_run(tf.keras.optimizers.SGD(0.01, clipnorm=1.0)),
        "Adam": exploding_run(tf.keras.optimizers.Adam(1e-3))}
explode = pd.DataFrame({k: {c: v for c, v in r.items() if c != "curve"} for k, r in runs.items()}).T

plain, clipped, adam = runs["SGD"], runs["SGD, clipnorm=1.0"], runs["Adam"]
diverged = not np.isfinite(plain["final loss"]) or plain["final loss"] > plain["start loss"]
clip_ok = bool(np.isfinite(clipped["final loss"]) and clipped["final loss"] < clipped["start loss"])
glue("clipping_prevents_divergence", bool(diverged and clip_ok), display=False)
glue("unclipped_diverged", bool(diverged), display=False)
glue("clipped_start_loss", float(clipped["start loss"]), display=False)
glue("clipped_final_loss", float(clipped["final loss"]), display=False)
glue("explode_grad_norm_start", float(clipped["gradient norm at start"]), display=False)
glue("adam_explode_final_loss", float(adam["final loss"]), display=False)
glue("adam_explode_grad_norm_end", float(adam["gradient norm at end"]), display=False)

fig, ax = plt.subplots()
for name, r in runs.items():
    curve = np.array(r["curve"], dtype=float)
    ax.plot(range(1, len(curve) + 1), np.where(np.isfinite(curve), curve, np.nan), marker="o",
            label=name + (" (NaN)" if not np.all(np.isfinite(curve)) else ""))
ax.axhline(chance, color="grey", ls="--", lw=1)
ax.set(yscale="log", xlabel="epoch", ylabel="training loss",
       title=f"{depth}-layer ReLU net, {explode_gain:g} × He initialization")
ax.legend(fontsize=8)
explode.style.format("{:.3g}")

# %% [markdown]
# At initialization the gradient norm (over all weight matrices) is
# {glue:text}`explode_grad_norm_start:.1e`, against {glue:text}`he_grad_norm_start:.2f` for
# the He-initialized net. Plain SGD takes that step and
# the loss becomes NaN (`unclipped_diverged` is {glue:text}`unclipped_diverged`). With
# `clipnorm=1.0` the same network, rate and data train: the loss goes from
# {glue:text}`clipped_start_loss:.3g` to {glue:text}`clipped_final_loss:.3g`. Clipping
# bounds the step; it does not repair the network, whose loss is still far above what the
# He-initialized net reached with Adam in the same number of epochs
# ({glue:text}`fix_loss_relu_he:.3f`).
#
# Adam does not diverge either: its per-coordinate normalization bounds each step by
# roughly the learning rate, a built-in clipping of the *update*. But it changes nothing
# in backpropagation: after training, the gradient norm is still
# {glue:text}`adam_explode_grad_norm_end:.1e`, and the loss,
# {glue:text}`adam_explode_final_loss:.3g`, is again far above the well-initialized
# network's. A gradient that overflows to `inf` gives Adam a NaN step like any other
# optimizer. The cure for explosion is the same as for vanishing: a per-layer factor near
# one (initialization matched to the activation, normalization, residual paths), with
# clipping as a safety net, especially in recurrent networks.
#
# ## Exercises
#
# 1. Set `depth = 50`. How do the ratios of the sigmoid and the ReLU + He networks change?
#    Is the change of the sigmoid ratio per layer the same as at depth 20?
# 2. Replace `clipnorm=1.0` by `global_clipnorm=1.0`. Which trains faster here, and why
#    does per-tensor clipping change the *direction* of the update while global clipping
#    does not?
# 3. Build a `tf.keras.layers.SimpleRNN` with a ReLU activation over sequences of 100 steps
#    and measure the gradient with respect to the first time step's input for recurrent
#    initializations `Orthogonal(gain=g)` with g ∈ {0.9, 1.0, 1.1}.
# 4. Train the sigmoid network with $N(0, 1)$ initialization as in the section on fixes.
#    Does its gradient ratio of {glue:text}`grad_norm_ratio_sigmoid_naive:.2f` make it
#    train like the ReLU + He network?

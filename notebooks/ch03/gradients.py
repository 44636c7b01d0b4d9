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
explode_growth = 2000.0    # amplification of the exploding net over all its layers
lr_sweep = [0.01, 0.1, 1.0, 10.0]   # SGD rates tried on the vanishing network

# %% [markdown]
# ## Set-up

# %%
import numpy as np
import pandas as pd
import seaborn as sns

from scalekit import data, env, models, plots, report

tf = env.setup(seed=seed)
plots.set_theme()
split = data.load("digits", seed=seed, train_size=train_size)
x, y = split.x_train, split.y_train
loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)

# %% tags=["remove-cell"]
report.record("vg", depth=depth, epochs=epochs)

# %% [markdown]
# ## The network and the measurement
#
# `deep_mlp` stacks `depth − 1` hidden Dense layers and a linear output layer. Two
# switches add the modern fixes: batch normalization before each hidden activation
# {cite:p}`ioffe2015batch`, and residual connections $h_k = h_{k-1} + f(W_k h_{k-1})$
# {cite:p}`he2016deep`. Every layer gets its own initializer object: Keras repeats the
# same draws when one initializer instance is reused, which would make every hidden
# layer's weights identical. `layer_grad_norms` runs one forward and backward pass over
# the training set and returns the norm of the loss gradient with respect to each layer's
# weight matrix, from the first layer to the last (chapter 1's architecture page reuses
# it):
#
# ```{literalinclude} ../../scalekit/models.py
# :language: python
# :pyobject: kernel_grad_norms
# :caption: scalekit/models.py, kernel_grad_norms
# ```

# %%
def deep_mlp(activation: str, initializer, *, batch_norm: bool = False,
             residual: bool = False) -> tf.keras.Model:
    def init():  # a fresh initializer per layer: a reused instance repeats its draws
        if isinstance(initializer, str):
            return initializer
        return type(initializer).from_config(initializer.get_config())

    layers = tf.keras.layers
    inputs = tf.keras.Input(shape=(x.shape[1],))
    h = layers.Dense(width, activation=activation, kernel_initializer=init())(inputs)
    for _ in range(depth - 2):
        z = layers.Dense(width, kernel_initializer=init(), use_bias=not batch_norm)(h)
        if batch_norm:
            z = layers.BatchNormalization()(z)
        z = layers.Activation(activation)(z)
        h = layers.Add()([h, z]) if residual else z
    outputs = layers.Dense(10, kernel_initializer=init())(h)
    return tf.keras.Model(inputs, outputs)


def layer_grad_norms(model: tf.keras.Model) -> np.ndarray:
    """Gradient norm of each layer's kernel on this page's training set."""
    return models.kernel_grad_norms(model, x, y, loss_fn)


# %% [markdown]
# Six networks of the same depth: sigmoid, tanh and ReLU, each with the initialization
# Keras uses by default (Glorot's {cite:p}`glorot2010understanding`), and ReLU also with
# He's {cite:p}`he2015delving` and with a Gaussian of standard deviation 1, $N(0, 1)$.

# %%
unit_gaussian = tf.keras.initializers.RandomNormal(mean=0.0, stddev=1.0)
configs = {
    "sigmoid, N(0, 1)": ("sigmoid", unit_gaussian),
    "sigmoid, Glorot": ("sigmoid", "glorot_uniform"),      # Keras's default initializer
    "tanh, Glorot": ("tanh", "glorot_uniform"),
    "ReLU, N(0, 1)": ("relu", unit_gaussian),
    "ReLU, Glorot": ("relu", "glorot_uniform"),
    "ReLU, He": ("relu", "he_normal"),
}
rows = []
for name, (activation, init) in configs.items():
    tf.keras.utils.set_random_seed(seed)
    for layer, norm in enumerate(layer_grad_norms(deep_mlp(activation, init)), start=1):
        rows.append({"network": name, "layer": layer, "gradient norm": norm})
norms = pd.DataFrame(rows)

# %% tags=["remove-cell"]
fig, ax = plots.subplots(height=4.4)
sns.lineplot(data=norms, x="layer", y="gradient norm", hue="network", marker="o", ax=ax)
ax.set(yscale="log", title=f"Gradient norms at initialization ({depth} layers)",
       xlabel="layer (1 = next to the input)", ylabel="‖∂L/∂W‖")
ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
report.figure("vg_layer_norms_fig", fig)

# %% [markdown]
# ```{glue:figure} vg_layer_norms_fig
# :alt: Gradient norm of each layer's weights at initialization, on a log scale, for six networks; sigmoid with Glorot falls by many orders of magnitude towards the input, ReLU with N(0, 1) is many orders of magnitude above the others, tanh with Glorot and ReLU with He stay flat.
# :name: fig-vg-layer-norms
#
# Norm of $\partial L/\partial W$ for every layer of six networks at initialization.
# ```

# %% tags=["remove-input"]
by_layer = norms.pivot(index="layer", columns="network", values="gradient norm")
ratio = by_layer.iloc[0] / by_layer.iloc[-1]
report.record(
    "vg",
    ratio_sigmoid=ratio["sigmoid, Glorot"],
    ratio_sigmoid_naive=ratio["sigmoid, N(0, 1)"],
    ratio_tanh_glorot=ratio["tanh, Glorot"],
    ratio_relu_he=ratio["ReLU, He"],
    ratio_relu_glorot=ratio["ReLU, Glorot"],
    first_relu_naive=by_layer["ReLU, N(0, 1)"].iloc[0],
    first_relu_glorot=by_layer["ReLU, Glorot"].iloc[0],
    first_relu_he=by_layer["ReLU, He"].iloc[0],
    unit_gaussian_gain=np.sqrt(width / 2),
)
report.table(pd.DataFrame({"first layer": by_layer.iloc[0],
                           "last layer": by_layer.iloc[-1], "first / last": ratio}),
             digits=3)

# %% [markdown]
# Read the table as "how much weaker (or stronger) is the first layer's gradient than the
# last layer's":
#
# * **Sigmoid with Keras's default (Glorot) initialization vanishes.** The first layer's
#   gradient is {glue:text}`vg_ratio_sigmoid:.1e` times the last layer's. The
#   sigmoid's slope is at most 1/4, and Glorot's initialization keeps $\|W_k\|$ near one,
#   so each layer multiplies the backward signal by roughly 1/4.
# * **Glorot initialization works for the activation it was derived for.** With tanh (slope
#   1 at zero, symmetric outputs) the ratio is {glue:text}`vg_ratio_tanh_glorot:.2f`.
# * **ReLU needs He's initialization.** ReLU passes gradients with slope 1, but only
#   through the half of the units that are active, so the weights must have variance
#   $2/\text{fan-in}$ for the product to stay near one. With He's initialization the ratio
#   is {glue:text}`vg_ratio_relu_he:.2f` and the first-layer norm is
#   {glue:text}`vg_first_relu_he:.2f`. With Glorot's (variance about $1/\text{fan-in}$
#   here) every norm is small: {glue:text}`vg_first_relu_glorot:.1e` at the first layer
#   (first/last ratio {glue:text}`vg_ratio_relu_glorot:.2f`).
#   With $N(0, 1)$ every layer amplifies by about $\sqrt{\text{width}/2} =$
#   {glue:text}`vg_unit_gaussian_gain:.1f` and the first-layer
#   norm is {glue:text}`vg_first_relu_naive:.1e`: the gradient explodes.
# * The $N(0,1)$ sigmoid net's ratio, {glue:text}`vg_ratio_sigmoid_naive:.1e`, is far
#   less extreme than with Glorot's scale: large weights saturate most units, which
#   shrinks the slopes, but also multiply signals by about $\sqrt{\text{width}}$, and
#   the two effects
#   partly cancel. A ratio near one would be necessary, not sufficient: saturated units
#   still learn slowly (try training it, exercise 4).
#
# So ReLU alone does not "solve" vanishing gradients, and an initialization is good or bad
# only *for a given activation*: the scale must make the per-layer factor about one.
#
# (ch03-gaussian-scale)=
# ### "Gaussian initialization" is not a remedy until it has a scale
#
# The source recommends "高斯分布初始化" (Gaussian initialization) against vanishing
# gradients, and names no standard deviation. The scale is the whole question. We
# initialize the ReLU network from $N(0, \sigma^2)$ for several $\sigma$, including
# 0.05, the default of Keras's own `RandomNormal`, and He's $\sqrt{2/64}$, and measure the
# first layer's gradient norm.

# %%
he_sigma = float(np.sqrt(2.0 / width))
sigmas = {"0.01": 0.01, "0.05 (Keras default)": 0.05, "√(2/fan-in) (He)": he_sigma,
          "1": 1.0}
gaussian = {}
for label, sigma in sigmas.items():
    tf.keras.utils.set_random_seed(seed)
    init = tf.keras.initializers.RandomNormal(stddev=sigma)
    gaussian[label] = layer_grad_norms(deep_mlp("relu", init))[0]
gaussian = pd.Series(gaussian, name="first-layer ‖∂L/∂W‖")
report.table(gaussian.to_frame(), digits=3)

# %% tags=["remove-input"]
report.record(
    "vg",
    gauss_small_over_he=gaussian["0.01"] / gaussian["√(2/fan-in) (He)"],
    gauss_keras_over_he=gaussian["0.05 (Keras default)"]
    / gaussian["√(2/fan-in) (He)"],
    gauss_unit_over_he=gaussian["1"] / gaussian["√(2/fan-in) (He)"],
)

# %% [markdown]
# Relative to He's scale, the first layer's gradient is
# {glue:text}`vg_gauss_small_over_he:.1e` times as large with $\sigma = 0.01$,
# {glue:text}`vg_gauss_keras_over_he:.1e` with Keras's default 0.05 and
# {glue:text}`vg_gauss_unit_over_he:.1e` with $\sigma = 1$: the same family of
# distributions makes the gradient vanish or explode depending on one number. Each layer
# multiplies the backward signal by about $\sigma\sqrt{\text{fan-in}/2}$, so only
# $\sigma$ near $\sqrt{2/\text{fan-in}}$ (for ReLU; $\sqrt{1/\text{fan-in}}$ for tanh)
# keeps a deep network trainable. That is what Glorot's and He's rules compute.
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
per_tensor = [tf.clip_by_norm(g, 1.0) for g in grads]    # what clipnorm=1.0 does
global_clipped, _ = tf.clip_by_global_norm(grads, 1.0)   # what global_clipnorm=1.0 does
first = pd.Series({"no clipping": float(tf.norm(grads[0])),
                   "clipnorm=1.0": float(tf.norm(per_tensor[0])),
                   "global_clipnorm=1.0": float(tf.norm(global_clipped[0]))},
                  name="first-layer gradient norm")
report.table(first.to_frame(), digits=4)

# %% tags=["remove-input"]
report.record("vg", clip_first_layer_gain=first.iloc[1:].max() / first["no clipping"])

# %% [markdown]
# The first layer's gradient is at best unchanged (its largest gain from clipping is
# {glue:text}`vg_clip_first_layer_gain:.2f`). Clipping is a remedy for *exploding*
# gradients only.
#
# (ch03-lr-vanishing)=
# ## A larger learning rate does not cure vanishing gradients
#
# The source's FAQ suggests raising the learning rate against vanishing gradients. A
# larger rate multiplies *every* layer's step by the same factor, so the first layer's
# step stays {glue:text}`vg_ratio_sigmoid:.0e` times the last layer's, and the last
# layers, whose gradients are not small, become unstable first. We train the sigmoid
# network with SGD at several rates and record the final training loss and how far the
# first layer's weights moved.

# %%
def train(model: tf.keras.Model, optimizer) -> list[float]:
    model.compile(optimizer=optimizer, loss=loss_fn)
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0)
    return history.history["loss"]


def moved(w0: np.ndarray, layer) -> float:
    return float(np.linalg.norm(layer.kernel.numpy() - w0) / np.linalg.norm(w0))


sweep = []
for lr in lr_sweep:
    tf.keras.utils.set_random_seed(seed)
    model = deep_mlp("sigmoid", "glorot_uniform")
    w_first = model.layers[1].kernel.numpy().copy()
    w_last = model.layers[-1].kernel.numpy().copy()
    with np.errstate(all="ignore"):
        losses = train(model, tf.keras.optimizers.SGD(lr))
    sweep.append({"learning rate": lr, "final loss": losses[-1],
                  "first layer moved": moved(w_first, model.layers[1]),
                  "last layer moved": moved(w_last, model.layers[-1])})
sweep = pd.DataFrame(sweep)
report.table(sweep, digits=3, index=False)

# %% tags=["remove-input"]
chance = float(np.log(10))
finite = sweep["final loss"][np.isfinite(sweep["final loss"])]
report.record(
    "vg",
    lr_sweep_best_loss=finite.min() if len(finite) else float("inf"),
    chance_loss=chance,
    lr_sweep_first_layer_moved_max=sweep["first layer moved"].max(),
)

# %% [markdown]
# At every rate the loss stays near (or above) the loss of guessing uniformly among ten
# classes, $\ln 10 =$ {glue:text}`vg_chance_loss:.3f`; the best is
# {glue:text}`vg_lr_sweep_best_loss:.3f`. The first layer's weights moved by at most
# {glue:text}`vg_lr_sweep_first_layer_moved_max:.1e` of their norm. The fixes are
# structural: the activation, the initialization, normalization and residual paths.
#
# (ch03-fixes)=
# ## The fixes: ReLU with He, batch normalization, residual connections
#
# Same depth, same data, same optimizer (Adam, learning rate 10⁻³), four networks:
# the vanishing sigmoid net, the ReLU net with He initialization, and the sigmoid net with
# batch normalization or with residual connections. First the gradient ratios at
# initialization, then the training curves.

# %%
glorot = "glorot_uniform"
variants = {
    "sigmoid (plain)": lambda: deep_mlp("sigmoid", glorot),
    "ReLU + He": lambda: deep_mlp("relu", "he_normal"),
    "sigmoid + batch norm": lambda: deep_mlp("sigmoid", glorot, batch_norm=True),
    "sigmoid + residual": lambda: deep_mlp("sigmoid", glorot, residual=True),
}
fix_curves, fix_ratios, fix_grad_norm = [], {}, {}
for name, build in variants.items():
    tf.keras.utils.set_random_seed(seed)
    model = build()
    layer_norms = layer_grad_norms(model)
    fix_ratios[name] = layer_norms[0] / layer_norms[-1]
    fix_grad_norm[name] = float(np.linalg.norm(layer_norms))   # all weight matrices
    curve = train(model, tf.keras.optimizers.Adam(1e-3))
    for epoch, value in enumerate(curve, start=1):
        fix_curves.append({"network": name, "epoch": epoch, "training loss": value})
fix_curves = pd.DataFrame(fix_curves)
final = fix_curves.groupby("network", sort=False)["training loss"].last()
report.table(pd.DataFrame({"first / last gradient norm at init": pd.Series(fix_ratios),
                           "final training loss": final}), digits=3)

# %% tags=["remove-cell"]
fig, ax = plots.subplots(height=3.8)
sns.lineplot(data=fix_curves, x="epoch", y="training loss", hue="network", marker="o",
             ax=ax)
ax.axhline(chance, color="grey", ls="--", lw=1)
ax.set(yscale="log", title=f"{depth}-layer networks trained with Adam")
report.figure("vg_fixes_fig", fig)

# %% tags=["remove-input"]
report.record(
    "vg",
    ratio_sigmoid_bn=fix_ratios["sigmoid + batch norm"],
    ratio_sigmoid_residual=fix_ratios["sigmoid + residual"],
    he_grad_norm_start=fix_grad_norm["ReLU + He"],
    fix_loss_plain=final["sigmoid (plain)"],
    fix_loss_relu_he=final["ReLU + He"],
    fix_loss_bn=final["sigmoid + batch norm"],
    fix_loss_residual=final["sigmoid + residual"],
)

# %% [markdown]
# ```{glue:figure} vg_fixes_fig
# :alt: Training loss per epoch, log scale, for four networks of the same depth; the plain sigmoid network stays at the dashed chance line while ReLU with He, sigmoid with batch normalization and sigmoid with residual connections fall below it.
# :name: fig-vg-fixes
#
# Training loss of the four networks with Adam; the dashed line is chance, $\ln 10$.
# ```
#
# After {glue:text}`vg_epochs` epochs the plain sigmoid net is still at
# {glue:text}`vg_fix_loss_plain:.3f` (chance is {glue:text}`vg_chance_loss:.3f`); even
# Adam, which rescales each coordinate's step, cannot move the lower layers, whose
# gradients are far below its $\epsilon = 10^{-7}$. ReLU with He initialization reaches
# {glue:text}`vg_fix_loss_relu_he:.3f`. Batch normalization raises the sigmoid net's
# gradient ratio to {glue:text}`vg_ratio_sigmoid_bn:.2f` and its loss falls to
# {glue:text}`vg_fix_loss_bn:.3f`; residual connections, which give the gradient an
# identity path around every layer, give a ratio of
# {glue:text}`vg_ratio_sigmoid_residual:.2g` (the last layers now see *larger*
# activations, which raises their gradients; the first layer's gradient is no longer
# tiny) and a loss of {glue:text}`vg_fix_loss_residual:.3f`.
#
# (ch03-explode-inputs)=
# ## What makes gradients explode (not small inputs)
#
# The source says gradients explode "in the first layers, because their inputs are
# small". The factor that multiplies the backward signal at each layer is
# $\operatorname{diag}(f'(z_k))\,W_k$: it depends on the weights and the activation, not on
# how large the input is. We build an exploding ReLU network whose initialization is
# $g$ times He's standard deviation, with the gain $g$ chosen from the depth so that
# the whole network amplifies the backward signal by `explode_growth`
# $= g^{\,\text{depth}-1} =$ {glue:text}`vg_explode_growth:,.0f`: here
# $g =$ {glue:text}`vg_explode_gain:.3f`. (A fixed gain would make a shallower network
# explode much less: the product, not the gain, is what matters.) We measure the norm of
# $\partial L/\partial h_k$ for every hidden layer and its average growth per layer going
# backwards, for that network and a He-initialized one, with inputs scaled by 10⁻³, 1
# and 10³.

# %%
explode_gain = explode_growth ** (1.0 / (depth - 1))


def exploding_init(gain: float):
    return tf.keras.initializers.VarianceScaling(
        scale=2.0 * gain**2, mode="fan_in", distribution="truncated_normal")


def backward_growth(gain: float, input_scale: float) -> tuple[float, float]:
    """Per-layer growth of ‖∂L/∂h‖ backwards, and the first layer's ‖∂L/∂W‖."""
    tf.keras.utils.set_random_seed(seed)
    model = deep_mlp("relu", exploding_init(gain))
    dense = [lay for lay in model.layers if isinstance(lay, tf.keras.layers.Dense)]
    probe = tf.keras.Model(model.input, [layer.output for layer in dense])
    with tf.GradientTape() as tape:
        hidden = probe(x * input_scale)
        loss = loss_fn(y, hidden[-1])
    grads = tape.gradient(loss, hidden[:-1] + [dense[0].kernel])
    h_norms = [float(tf.norm(g)) for g in grads[:-1]]
    growth = (h_norms[0] / h_norms[-1]) ** (1 / (len(h_norms) - 1))
    return growth, float(tf.norm(grads[-1]))


rows = []
for init_name, gain in (("He", 1.0), ("exploding", explode_gain)):
    for scale in (1e-3, 1.0, 1e3):
        per_layer, first_w = backward_growth(gain, scale)
        rows.append({"init": init_name, "input scale": scale,
                     "growth per layer": per_layer, "first-layer ‖∂L/∂W‖": first_w})
growth = pd.DataFrame(rows)
report.table(growth, digits=3, index=False)

# %% tags=["remove-input"]
big = growth[growth["init"] == "exploding"].set_index("input scale")
he = growth[growth["init"] == "He"].set_index("input scale")
report.record(
    "vg",
    explode_growth=explode_growth,
    explode_gain=explode_gain,
    growth_large_init_small_input=big.loc[1e-3, "growth per layer"],
    growth_large_init_unit_input=big.loc[1.0, "growth per layer"],
    growth_he_unit_input=he.loc[1.0, "growth per layer"],
    first_grad_small_over_unit_input=(he.loc[1e-3, "first-layer ‖∂L/∂W‖"]
                                      / he.loc[1.0, "first-layer ‖∂L/∂W‖"]),
)

# %% [markdown]
# With the larger initialization the backward signal grows by a factor of
# {glue:text}`vg_growth_large_init_unit_input:.3f` per layer with unit inputs and
# {glue:text}`vg_growth_large_init_small_input:.3f` with inputs a thousand times smaller:
# the input scale does not matter, the weights do (for a ReLU net at initialization with
# zero biases every layer is positively homogeneous, so this is exact up to the loss's own
# slope). He's scale gives {glue:text}`vg_growth_he_unit_input:.3f`. Small inputs make the
# first layer's weight gradient *smaller*, not larger:
# {glue:text}`vg_first_grad_small_over_unit_input:.1e` times its value at unit scale,
# since $\partial L/\partial W_1 = \delta_1 x^\top$. Explosion is a product of Jacobians
# whose norms exceed one: large weights, many layers, or many time steps of a recurrent
# network, which applies the same matrix again and again.
#
# (ch03-clipping)=
# ## Clipping, a smaller rate, and Adam against the exploding network
#
# Now we train the exploding network four ways. Plain SGD (rate 0.01) takes the exploding
# gradient at face value. With `clipnorm=1.0` each gradient tensor is rescaled to norm at
# most 1 before the step. The source also recommends "使用小学习率" (use a small learning
# rate) against explosion, to keep the updates from being too drastic, so the third run
# is SGD with a rate small enough that its first step is no longer than a clipped
# tensor's: 0.01 divided by the gradient norm at initialization. Adam, which the source says avoids explosion, rescales each coordinate's step by its
# running RMS: it bounds the *step*, not the gradient.

# %%
def exploding_run(optimizer) -> dict:
    tf.keras.utils.set_random_seed(seed)
    model = deep_mlp("relu", exploding_init(explode_gain))
    start_loss = float(loss_fn(y, model(x)))
    start_grad = float(np.linalg.norm(layer_grad_norms(model)))
    with np.errstate(all="ignore"):
        losses = train(model, optimizer)
    end_grad = float(np.linalg.norm(layer_grad_norms(model)))
    finite = all(np.isfinite(w).all() for w in model.get_weights())
    return {"start loss": start_loss, "final loss": losses[-1],
            "gradient norm at start": start_grad, "gradient norm at end": end_grad,
            "weights finite": finite, "curve": losses}


def broke(run: dict) -> bool:
    """Training failed: a NaN/inf loss, weight or gradient, or a loss that grew."""
    return bool(not run["weights finite"] or not np.isfinite(run["final loss"])
                or not np.isfinite(run["gradient norm at end"])
                or run["final loss"] > run["start loss"])


tf.keras.utils.set_random_seed(seed)
exploding_net = deep_mlp("relu", exploding_init(explode_gain))
start_norm = np.linalg.norm(layer_grad_norms(exploding_net))
small_rate = float(0.01 / start_norm)        # first step as long as a clipped one
SGD = tf.keras.optimizers.SGD
runs = {"SGD": exploding_run(SGD(0.01)),
        "SGD, clipnorm=1.0": exploding_run(SGD(0.01, clipnorm=1.0)),
        "SGD, small rate": exploding_run(SGD(small_rate)),
        "Adam": exploding_run(tf.keras.optimizers.Adam(1e-3))}
explode = pd.DataFrame({k: {c: v for c, v in r.items() if c != "curve"}
                        for k, r in runs.items()}).T
report.table(explode, digits=3)

# %% tags=["remove-cell"]
fig, ax = plots.subplots(height=3.8)
for name, r in runs.items():
    curve = np.array(r["curve"], dtype=float)
    ax.plot(range(1, len(curve) + 1), np.where(np.isfinite(curve), curve, np.nan),
            marker="o", label=name + (" (broke down)" if broke(r) else ""))
ax.axhline(chance, color="grey", ls="--", lw=1)
ax.set(yscale="log", xlabel="epoch", ylabel="training loss",
       title=f"{depth}-layer ReLU net, initialization {explode_gain:.2f} × He")
ax.legend()
report.figure("vg_explode_fig", fig)

# %% tags=["remove-input"]
plain, clipped = runs["SGD"], runs["SGD, clipnorm=1.0"]
small, adam = runs["SGD, small rate"], runs["Adam"]



diverged = broke(plain)
clip_ok = not broke(clipped) and clipped["final loss"] < clipped["start loss"]
report.record(
    "vg",
    clipping_prevents_divergence=bool(diverged and clip_ok),
    unclipped_diverged=bool(diverged),
    clipped_start_loss=clipped["start loss"],
    clipped_final_loss=clipped["final loss"],
    explode_grad_norm_start=clipped["gradient norm at start"],
    small_rate=small_rate,
    small_lr_broke=broke(small),
    small_lr_grad_norm_end=small["gradient norm at end"],
    small_lr_final_loss=small["final loss"],
    adam_explode_final_loss=adam["final loss"],
    adam_explode_grad_norm_end=adam["gradient norm at end"],
)

# %% [markdown]
# ```{glue:figure} vg_explode_fig
# :alt: Training loss per epoch, log scale, of the exploding ReLU network under four optimizers; plain SGD breaks down (its weights overflow), while clipped SGD, SGD with a tiny rate and Adam stay finite; the tiny rate barely lowers the loss from its huge starting value; the dashed line is chance.
# :name: fig-vg-explode
#
# The exploding network trained with plain SGD, clipped SGD, SGD with a rate small
# enough for its gradient, and Adam; the dashed line is chance, $\ln 10$.
# ```
#
# At initialization the gradient norm (over all weight matrices) is
# {glue:text}`vg_explode_grad_norm_start:.1e`, against
# {glue:text}`vg_he_grad_norm_start:.2f` for the He-initialized net. Plain SGD takes that
# step and training breaks down: the weights overflow to `inf`/`nan`, so the gradient is
# no longer a number (`unclipped_diverged` is {glue:text}`vg_unclipped_diverged`; the
# loss Keras reports for such a network may still look finite).
# With `clipnorm=1.0` the same network, rate and data train: the loss goes from
# {glue:text}`vg_clipped_start_loss:.3g` to {glue:text}`vg_clipped_final_loss:.3g`.
# Clipping bounds the step; it does not repair the network, whose loss is still far above
# what the He-initialized net reached with Adam in the same number of epochs
# ({glue:text}`vg_fix_loss_relu_he:.3f`).
#
# (ch03-small-lr)=
# The small rate, {glue:text}`vg_small_rate:.1e`, keeps the updates gentle, as the
# source intends (`small_lr_broke` is {glue:text}`vg_small_lr_broke`), but it does
# nothing to the gradient: the rate is not part of backpropagation, so the gradient at
# initialization is the same exploding one for every rate, and after training it is
# still {glue:text}`vg_small_lr_grad_norm_end:.1e`. With steps that small the network
# hardly learns: its loss is {glue:text}`vg_small_lr_final_loss:.3g`. A rate small
# enough for the exploding layers is far too small for the rest of the network: the
# gradient, not the rate, is what is wrong.
#
# Adam does not diverge either: its per-coordinate normalization bounds each step by
# roughly the learning rate, a built-in clipping of the *update*. But it changes nothing
# in backpropagation: after training, the gradient norm is still
# {glue:text}`vg_adam_explode_grad_norm_end:.1e`, and the loss,
# {glue:text}`vg_adam_explode_final_loss:.3g`, is again far above the well-initialized
# network's. A gradient that overflows to `inf` gives Adam a NaN step like any other
# optimizer. The cure for explosion is the same as for vanishing: a per-layer factor near
# one (initialization matched to the activation, normalization, residual paths), with
# clipping as a safety net, especially in recurrent networks.
#
# ## Summary
#
# * At initialization a {glue:text}`vg_depth`-layer sigmoid network's first-layer
#   gradient is {glue:text}`vg_ratio_sigmoid:.1e` times its last layer's; tanh with
#   Glorot ({glue:text}`vg_ratio_tanh_glorot:.2f`) and ReLU with He
#   ({glue:text}`vg_ratio_relu_he:.2f`) keep the ratio near one.
# * A Gaussian initialization is only as good as its scale: relative to He's, σ = 0.01
#   gives a first-layer gradient {glue:text}`vg_gauss_small_over_he:.0e` times as large
#   and σ = 1 one {glue:text}`vg_gauss_unit_over_he:.0e` times as large.
# * Clipping never enlarges a vanishing gradient (gain
#   {glue:text}`vg_clip_first_layer_gain:.2f`), and no SGD rate trains the sigmoid
#   network (best loss {glue:text}`vg_lr_sweep_best_loss:.3f`, chance
#   {glue:text}`vg_chance_loss:.3f`); ReLU + He, batch normalization and residual paths
#   do.
# * Explosion grows {glue:text}`vg_growth_large_init_unit_input:.2f`× per layer whether
#   inputs are scaled by 1 or by 10⁻³: the weights, not the inputs, cause it.
# * On the exploding network plain SGD breaks down while clipping, a tiny rate and Adam
#   do not, yet all three leave the gradient large (the tiny rate's ends at
#   {glue:text}`vg_small_lr_grad_norm_end:.1e`, Adam's at
#   {glue:text}`vg_adam_explode_grad_norm_end:.1e`) and the loss far above the He net's.
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
#    Does its gradient ratio of {glue:text}`vg_ratio_sigmoid_naive:.1e` make it
#    train better than the Glorot-initialized sigmoid network?
# 5. Keep `explode_growth` and change `depth` from 10 to 40. Does plain SGD still
#    diverge? Now fix the gain at 1.5 instead and repeat: what changes?

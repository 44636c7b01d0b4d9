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
# (ch02-weight-clipping)=
# # Weight clipping is not gradient clipping
#
# The source's §2.1.6.1 lists weight clipping (权重裁剪) among the common ways of
# adjusting weights and says that it "limits the absolute value of the weights to prevent
# extreme changes of the model parameters" (通过限制权重的绝对值来防止模型参数的极端变化).
# The first half is right: weight clipping is a *constraint* that puts every weight back
# into $[-c, c]$ after each optimizer step. The second half describes a different tool,
# gradient clipping, which bounds the *step*. This page trains the same network on the
# same digits four ways (no clipping, weight clipping, a max-norm constraint, gradient
# clipping) and measures what each one bounds: the weights, or the gradient step. It then
# says what weight clipping is used for, and measures one thing it does not do: it does
# not cure vanishing gradients.

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
seed = 0                # seeds the split, the weights and the batch order
epochs = 30             # epochs of minibatch SGD per run
batch_size = 64         # examples per step
learning_rate = 0.1     # SGD step size, the same for every run
width = 64              # units per hidden layer (two hidden layers)
clip_value = 0.1        # weight clipping: every kernel entry in [-c, c]
max_norm = 1.0          # max-norm: norm of the incoming weights of a unit at most this
clipnorm = 1.0          # gradient clipping: global gradient norm at most this
vanish_depth = 10       # Dense layers of the sigmoid network of the last section

# %% [markdown]
# ## Set-up
#
# The data are scikit-learn's bundled 8×8 digits (no download), split by
# `scalekit.data.load`; the network is a ReLU MLP with two hidden layers of `width`
# units and ten logits.

# %%
import numpy as np
import pandas as pd

from scalekit import data, env, models, plots, report

tf = env.setup(seed=seed)
plots.set_theme()
split = data.load("digits", seed=seed)
x, y = split.x_train, split.y_train
loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)

# %% [markdown]
# ## Two constraints and one optimizer option
#
# Keras attaches a **constraint** to a layer's weights (`kernel_constraint`); the
# optimizer applies it to the variable *after* every update, a projection back into the
# allowed set. Two constraints:
#
# * **weight clipping**, $w \leftarrow \operatorname{clip}(w, -c, c)$ entry by entry.
#   Keras has no built-in for it, so we write one with `tf.clip_by_value`;
# * **max-norm**, `tf.keras.constraints.MaxNorm(m)`: each unit's vector of incoming
#   weights is rescaled to norm $m$ when it is longer, the regularizer Srivastava et al.
#   used together with dropout {cite:p}`srivastava2014dropout`.
#
# **Gradient clipping** is not a constraint on weights: it is an optimizer option
# (`clipnorm` per tensor, `global_clipnorm` over all of them) that rescales the gradient
# *before* the step, so the step is at most `learning_rate × global_clipnorm` long.

# %%
class ClipByValue(tf.keras.constraints.Constraint):
    """Weight clipping: every entry of the weight tensor into [-c, c]."""

    def __init__(self, c: float):
        self.c = float(c)

    def __call__(self, w):
        return tf.clip_by_value(w, -self.c, self.c)

    def get_config(self):
        return {"c": self.c}


def build(constraint=None) -> tf.keras.Model:
    tf.keras.utils.set_random_seed(seed)      # the same initial weights for every run
    dense = tf.keras.layers.Dense
    return tf.keras.Sequential([
        tf.keras.Input(shape=(x.shape[1],)),
        dense(width, activation="relu", kernel_constraint=constraint),
        dense(width, activation="relu", kernel_constraint=constraint),
        dense(10, kernel_constraint=constraint)])


# %% [markdown]
# `train` runs minibatch SGD with a hand-written step, so that it can record at every
# step the global norm of the raw gradient, the length of the step the weights actually
# took, $\lVert \Delta w \rVert$, divided by the learning rate (for plain SGD this equals
# the gradient norm), and the largest $|w|$ over the three weight matrices.

# %%
def train(constraint=None, **clipping) -> dict:
    model = build(constraint)
    optimizer = tf.keras.optimizers.SGD(learning_rate, **clipping)
    kernels = [v for v in model.trainable_variables if "kernel" in v.name]

    @tf.function
    def step(xb, yb):
        before = [tf.identity(k) for k in kernels]
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(xb, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        variables = model.trainable_variables
        optimizer.apply_gradients(zip(grads, variables, strict=True))  # + constraint
        moved = tf.linalg.global_norm(
            tf.nest.map_structure(tf.subtract, kernels, before))
        max_w = tf.reduce_max([tf.reduce_max(tf.abs(k)) for k in kernels])
        return loss, tf.linalg.global_norm(grads), moved / learning_rate, max_w

    batches = (tf.data.Dataset.from_tensor_slices((x, y))
               .shuffle(len(x), seed=seed).batch(batch_size))
    log = np.array([[float(v) for v in step(xb, yb)]
                    for _ in range(epochs) for xb, yb in batches])
    weights = [k.numpy() for k in kernels]
    logits = model(split.x_test).numpy()
    columns = ["loss", "grad norm", "step / lr", "max |w|"]
    return {"log": pd.DataFrame(log, columns=columns), "weights": weights,
            "test accuracy": (logits.argmax(1) == split.y_test).mean()}


# %%
runs = {"no clipping": train(),
        f"weight clipping, |w| ≤ {clip_value:g}": train(ClipByValue(clip_value)),
        f"max-norm, ‖w‖ ≤ {max_norm:g}": train(tf.keras.constraints.MaxNorm(max_norm)),
        f"gradient clipping, ‖g‖ ≤ {clipnorm:g}": train(global_clipnorm=clipnorm)}
none, wclip, mnorm, gclip = runs.values()


# %% [markdown]
# ## What each one bounds
#
# For each run the table gives, over the whole training: the largest $|w|$ at the end,
# the largest norm of one unit's incoming weights (a column of the kernel), the largest
# raw gradient norm, the longest step divided by the learning rate (first step apart from
# the rest, for a reason that follows), the share of steps whose raw gradient exceeded
# `clipnorm`, the final training loss (mean of the last epoch) and the test accuracy.

# %%
def summary(run: dict) -> dict:
    log, w = run["log"], run["weights"]
    return {"max |w|": max(np.abs(k).max() for k in w),
            "max column norm": max(np.linalg.norm(k, axis=0).max() for k in w),
            "max grad norm": log["grad norm"].max(),
            "first step / lr": log["step / lr"].iloc[0],
            "max later step / lr": log["step / lr"].iloc[1:].max(),
            "share of steps > clipnorm": (log["grad norm"] > clipnorm).mean(),
            "final loss": log["loss"].iloc[-len(log) // epochs:].mean(),
            "test accuracy": run["test accuracy"]}


table = pd.DataFrame({name: summary(r) for name, r in runs.items()}).T
report.table(table, digits=3)

# %% tags=["remove-input"]
s_none, s_w, s_m, s_g = (table.loc[name] for name in runs)
init_max = max(np.abs(k).max() for k in build().get_weights()[::2])
report.record(
    "weight",
    clip_bound=clip_value, clip_max_abs_weight=s_w["max |w|"],
    clip_init_max_abs_weight=init_max, clip_none_max_abs_weight=s_none["max |w|"],
    clip_gradclip_max_abs_weight=s_g["max |w|"],
    clip_maxnorm_bound=max_norm, clip_maxnorm_max_column_norm=s_m["max column norm"],
    clip_none_max_column_norm=s_none["max column norm"],
    clip_clipnorm=clipnorm, clip_gradclip_max_step=s_g["max later step / lr"],
    clip_none_max_step=s_none["max later step / lr"],
    clip_weightclip_max_later_step=s_w["max later step / lr"],
    clip_weightclip_first_step=s_w["first step / lr"],
    clip_none_first_step=s_none["first step / lr"],
    clip_gradclip_share_clipped=s_g["share of steps > clipnorm"],
    clip_epochs=epochs, clip_none_final_loss=s_none["final loss"],
    clip_gradclip_final_loss=s_g["final loss"],
    clip_weightclip_final_loss=s_w["final loss"])

# %% [markdown]
# (ch02-weight-clipping-bounds)=
# Each tool bounds exactly one thing:
#
# * **Weight clipping** keeps every weight inside the box: the largest $|w|$ is
#   {glue:text}`weight_clip_max_abs_weight:.4f`, at most the bound
#   {glue:text}`weight_clip_bound:g`, while without clipping it grows to
#   {glue:text}`weight_clip_none_max_abs_weight:.3f` (Glorot's initialization alone
#   starts at {glue:text}`weight_clip_init_max_abs_weight:.3f`).
# * **Max-norm** bounds each unit's incoming weight vector: the largest column norm is
#   {glue:text}`weight_clip_maxnorm_max_column_norm:.4f` (bound
#   {glue:text}`weight_clip_maxnorm_bound:g`; unconstrained,
#   {glue:text}`weight_clip_none_max_column_norm:.3f`).
# * **Gradient clipping** bounds the step: no step after the first is longer than
#   {glue:text}`weight_clip_gradclip_max_step:.3f` × the learning rate (the bound is
#   {glue:text}`weight_clip_clipnorm:g`; the raw gradient exceeded it in
#   {glue:text}`weight_clip_gradclip_share_clipped:.0%` of the steps), while plain SGD
#   took steps up to {glue:text}`weight_clip_none_max_step:.2f` × the learning rate.
#   It does *not* bound the weights: their largest $|w|$ is
#   {glue:text}`weight_clip_gradclip_max_abs_weight:.3f`.
#
# And weight clipping does not prevent "extreme changes": its *first* step moved the
# weights by {glue:text}`weight_clip_weightclip_first_step:.1f` × the learning rate,
# against {glue:text}`weight_clip_none_first_step:.2f` for plain SGD, because the
# projection itself pulled every initial weight above the bound down to it in one go.
# After that its steps were at most {glue:text}`weight_clip_weightclip_max_later_step:.2f`
# × the learning rate, because gradients through a network of small weights are small,
# not because anything bounds the step: a step that stays inside the box is taken in
# full. A bound tight enough to matter also restricts what the network can
# represent: after {glue:text}`weight_clip_epochs` epochs the training loss is
# {glue:text}`weight_clip_weightclip_final_loss:.3f` with weight clipping, against
# {glue:text}`weight_clip_none_final_loss:.3f` without (the table gives each run's test
# accuracy). Gradient clipping changes little here
# ({glue:text}`weight_clip_gradclip_final_loss:.3f`): it only shortens the few long steps.

# %% tags=["remove-cell"]
fig, (ax_w, ax_g) = plots.subplots(2)
for name, r in runs.items():
    log = r["log"]
    ax_w.plot(log.index, log["max |w|"], label=name)
    ax_g.plot(log.index, log["step / lr"].rolling(10, min_periods=1).max(), label=name)
ax_w.axhline(clip_value, color="k", ls="--", lw=1, zorder=0)
ax_g.axhline(clipnorm, color="k", ls="--", lw=1, zorder=0)
ax_w.set(xlabel="step", ylabel="largest |w|", yscale="log", title="Weights")
ax_g.set(xlabel="step", ylabel="step length / learning rate", yscale="log",
         title="Steps (max over 10)")
ax_w.legend(fontsize=9)
report.figure("weight_clip_fig", fig)

# %% [markdown]
# ```{glue:figure} weight_clip_fig
# :alt: Two panels over training steps for four runs. Left, largest absolute weight on a log scale: weight clipping stays flat at the dashed bound c (clip_value), the other three runs sit above it and grow. Right, the longest step of each ten divided by the learning rate, log scale: gradient clipping stays at or below the dashed bound, plain SGD and max-norm cross it, and weight clipping's first projection is longer than any step of plain SGD.
# :name: fig-weight-clip
#
# Left: the largest $|w|$ over the three weight matrices at each step; the dashed line is
# the weight-clipping bound $c$. Right: the length of each step divided by the learning
# rate (the longest of each ten consecutive steps); the dashed line is
# `global_clipnorm`.
# ```

# %% [markdown]
# ## What weight clipping is for
#
# A bound on every weight bounds what the network can do to its input. With ReLU
# activations (1-Lipschitz), the logits can move by at most
# $\prod_k \lVert W_k \rVert_2$ times the distance between two inputs, and clipping caps
# each factor: an $m \times n$ matrix with entries in $[-c, c]$ has
# $\lVert W \rVert_2 \le \lVert W \rVert_F \le c\sqrt{mn}$. That is why the Wasserstein
# GAN clips its critic's weights {cite:p}`arjovsky2017wasserstein`: its loss is only a
# Wasserstein distance if the critic is $K$-Lipschitz for some fixed $K$. Its authors call
# clipping "a clearly terrible way to enforce a Lipschitz constraint"; the gradient
# penalty of WGAN-GP replaced it {cite:p}`gulrajani2017improved`, which also reported
# that clipped weights pile up at $\pm c$. Max-norm is the regularizer form: with dropout
# it lets a large learning rate be used without the weights growing
# {cite:p}`srivastava2014dropout`. Neither is a standard step of ordinary training.

# %%
def lipschitz_bound(weights) -> float:
    return float(np.prod([np.linalg.norm(k, 2) for k in weights]))


shapes = [k.shape for k in wclip["weights"]]
box_bound = float(np.prod([clip_value * np.sqrt(m * n) for m, n in shapes]))
at_bound = np.concatenate([np.abs(k).ravel() for k in wclip["weights"]])
lips = pd.Series({name: lipschitz_bound(r["weights"]) for name, r in runs.items()},
                 name="product of spectral norms")
report.table(lips.to_frame(), digits=3)

# %% tags=["remove-input"]
report.record("weight", clip_lipschitz_clipped=lips.iloc[1],
              clip_lipschitz_none=lips.iloc[0], clip_lipschitz_box_bound=box_bound,
              clip_share_at_bound=np.mean(at_bound >= clip_value * (1 - 1e-6)))

# %% [markdown]
# (ch02-weight-clipping-lipschitz)=
# The clipped network's Lipschitz bound is {glue:text}`weight_clip_lipschitz_clipped:.2f`,
# below the guarantee $\prod_k c\sqrt{m_k n_k}$ =
# {glue:text}`weight_clip_lipschitz_box_bound:.3g` that the box gives whatever the
# training does; the unconstrained network's is
# {glue:text}`weight_clip_lipschitz_none:.1f`, and nothing bounds it in advance.
# {glue:text}`weight_clip_share_at_bound:.0%` of the clipped weights sit exactly at
# $\pm c$, where an unconstrained distribution would put none: training keeps pushing
# them outward and the projection stops them at the walls of the box, the pile-up that
# WGAN-GP's authors observed.
#
# (ch02-weight-clipping-vanishing)=
# ## What it does not do: cure vanishing gradients
#
# Chapter 3 measures vanishing gradients in a deep sigmoid network
# ({ref}`ch03-gradients`) and shows that gradient clipping does nothing for them
# ({ref}`ch03-clip-vanishing`): it can only shrink a gradient. Weight clipping can only
# shrink weights, and in backpropagation each layer multiplies the backward signal by its
# weight matrix (times $\sigma' \le 1/4$ for a sigmoid), so smaller weights make a
# vanishing gradient vanish faster. We repeat chapter 3's measurement, the norm of the
# loss gradient for each layer's kernel, on a `vanish_depth`-layer sigmoid network of the
# same width, once as initialized and once with weight clipping applied.

# %%
def sigmoid_net() -> tf.keras.Model:
    tf.keras.utils.set_random_seed(seed)
    layers = [tf.keras.Input(shape=(x.shape[1],))]
    layers += [tf.keras.layers.Dense(width, activation="sigmoid",
                                     kernel_initializer=tf.keras.initializers.GlorotUniform(
                                         seed=seed + i))
               for i in range(vanish_depth - 1)]
    return tf.keras.Sequential([*layers, tf.keras.layers.Dense(10)])


def layer_grad_norms(model: tf.keras.Model) -> np.ndarray:   # as in chapter 3
    """Gradient norm of each layer's kernel on the training set."""
    return models.kernel_grad_norms(model, x, y, loss_fn)


deep = sigmoid_net()
plain_norms = layer_grad_norms(deep)
for k in deep.trainable_variables:                  # what one constraint pass does
    if "kernel" in k.name:
        k.assign(ClipByValue(clip_value)(k))
clipped_norms = layer_grad_norms(deep)
grads = pd.DataFrame({"Glorot": plain_norms,
                      f"clipped to {clip_value:g}": clipped_norms},
                     index=pd.RangeIndex(1, vanish_depth + 1, name="layer"))
report.table(grads.T, digits=2)

# %% tags=["remove-input"]
report.record(
    "weight", clip_vanish_depth=vanish_depth,
    clip_vanish_first_over_last=plain_norms[0] / plain_norms[-1],
    clip_vanish_first_over_last_clipped=clipped_norms[0] / clipped_norms[-1],
    clip_vanish_first_layer_gain=clipped_norms[0] / plain_norms[0])

# %% [markdown]
# In the {glue:text}`weight_clip_vanish_depth`-layer sigmoid network the first layer's
# gradient is {glue:text}`weight_clip_vanish_first_over_last:.1e` times the last
# layer's; after weight clipping it is
# {glue:text}`weight_clip_vanish_first_over_last_clipped:.1e` times, and the first
# layer's gradient itself is multiplied by
# {glue:text}`weight_clip_vanish_first_layer_gain:.1e`. Weight clipping makes vanishing
# gradients worse. The cures are the ones chapter 3 measures: an activation and
# initialization that keep the backward signal's scale, batch normalization and residual
# connections ({ref}`ch03-fixes`). And against *exploding* gradients it is gradient
# clipping, not weight clipping, that keeps training finite ({ref}`ch03-clipping`).
#
# ## Summary
#
# * Weight clipping is a constraint on the weights, applied after each step: the largest
#   $|w|$ stayed at {glue:text}`weight_clip_max_abs_weight:.4f` ≤
#   {glue:text}`weight_clip_bound:g`, while unclipped weights reached
#   {glue:text}`weight_clip_none_max_abs_weight:.3f`. Max-norm bounds each unit's weight
#   vector instead ({glue:text}`weight_clip_maxnorm_max_column_norm:.4f` ≤
#   {glue:text}`weight_clip_maxnorm_bound:g`).
# * Gradient clipping bounds the step (at most
#   {glue:text}`weight_clip_gradclip_max_step:.3f` × the learning rate), not the weights
#   ({glue:text}`weight_clip_gradclip_max_abs_weight:.3f`). The source's "prevents
#   extreme changes" describes gradient clipping; weight clipping's own first projection
#   ({glue:text}`weight_clip_weightclip_first_step:.1f` × the learning rate) was longer
#   than any step of plain SGD ({glue:text}`weight_clip_none_max_step:.2f`).
# * Weight clipping bounds the network's Lipschitz constant (here
#   {glue:text}`weight_clip_lipschitz_clipped:.2f` against
#   {glue:text}`weight_clip_lipschitz_none:.1f` unconstrained), which is what WGAN used it
#   for; a tight bound slows training (final training loss
#   {glue:text}`weight_clip_weightclip_final_loss:.3f` against
#   {glue:text}`weight_clip_none_final_loss:.3f`).
# * It does not cure vanishing gradients: in a deep sigmoid network it multiplied the
#   first layer's gradient by {glue:text}`weight_clip_vanish_first_layer_gain:.1e`.
#
# ## Exercises
#
# 1. Set `clip_value = 0.01`, the WGAN paper's value. What happens to the share of
#    weights at the bound, to the Lipschitz bound and to the test accuracy?
# 2. Raise `learning_rate` until plain SGD diverges. Which of the three other runs
#    still trains, and why does only one of them bound the step?
# 3. Replace `ClipByValue` with a constraint that rescales each kernel to spectral norm
#    at most 1 (spectral normalization). Compare its Lipschitz bound with weight
#    clipping's at a similar test accuracy.

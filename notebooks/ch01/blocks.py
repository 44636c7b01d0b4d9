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
# (ch01-blocks)=
# # The architectures of the history: residual, Inception and DenseNet blocks
#
# The source's history of scaling (§1.6, item 6) says that, to meet the cost of deep
# networks, researchers proposed ResNet, Inception and DenseNet, which
# "通过层次化特征提取和多尺度特征融合，提高了模型的性能和可扩展性" (improved performance
# and scalability through hierarchical feature extraction and multi-scale feature fusion). The three blocks solve
# different problems. This page counts the parameters of an Inception module and of a
# DenseNet dense block by formula, checks every count against Keras's `count_params()`,
# and measures, the way {ref}`chapter 3 measured the residual fix <ch03-fixes>`, how the
# gradient reaches the first layer of a plain, a residual and a densely connected stack
# as they get deeper.

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
seed = 0                           # every random draw follows from it
depths = [4, 8, 12, 16, 20, 24]    # Dense layers of the stacks (hidden + output)
width = 32                         # units per layer of the plain and residual stacks
growth_rate = 16                   # units each layer of the dense stack adds
train_size = None                  # training examples (None: all 1,347)

# %% [markdown]
# ## Set-up

# %%
import numpy as np
import pandas as pd
import seaborn as sns

from scalekit import blocks, compare, data, env, models, plots, report

tf = env.setup(seed=seed)
plots.set_theme()
L = tf.keras.layers

# %% [markdown]
# ## Three answers to depth
#
# * A **residual block** {cite:p}`he2016deep` adds its input to its output,
#   $h_{l} = h_{l-1} + f_l(h_{l-1})$. The identity path gives the gradient a route
#   around every layer: $\partial h_l/\partial h_{l-1} = I + \partial f_l/\partial
#   h_{l-1}$, so the product over layers no longer has to shrink.
# * An **Inception module** {cite:p}`szegedy2015going` runs $1\times1$, $3\times3$ and
#   $5\times5$ convolutions and a $3\times3$ max-pooling *side by side* on the same input
#   and concatenates their outputs: one layer sees the image at several scales. The
#   $1\times1$ convolutions in front of the large kernels (an idea from
#   {cite:t}`lin2014network`) first reduce the number of channels; without them the
#   module is too expensive to stack.
# * A **dense block** {cite:p}`huang2017densely` concatenates instead of adding: layer
#   $l$ reads $[h_0, h_1, \dots, h_{l-1}]$, the block input and the output of *every*
#   earlier layer, and adds $k$ new channels, the **growth rate**. Every layer has a
#   direct path to the block's output, and features are reused instead of recomputed.
#
# "Multi-scale feature fusion" describes Inception. ResNet and DenseNet are about
# depth: how the signal, forward and backward, crosses many layers. Hierarchical feature
# extraction (edges, then parts, then objects) is what every deep network does, from
# LeNet on; it is not what these three added. The two sections that follow measure the
# two things that did change: the parameter bill and the gradient.
#
# (ch01-blocks-inception)=
# ## The Inception module: what the 1×1 bottleneck saves
#
# A `Conv2D` with $f$ filters of size $k\times k$ on $c$ channels has $k^2 c f + f$
# parameters ({ref}`ch02-parameters`). With input channels $c$, a module with outputs
# $c_1, c_3, c_5$, reductions $r_3, r_5$ and pool projection $p$ has
#
# $$
# (c\,c_1 + c_1) + (c\,r_3 + r_3) + (9 r_3 c_3 + c_3) + (c\,r_5 + r_5)
# + (25 r_5 c_5 + c_5) + (c\,p + p)
# $$
#
# parameters and $c_1 + c_3 + c_5 + p$ output channels. The naive module (no $1\times1$
# convolutions in front) has $(c\,c_1 + c_1) + (9 c\,c_3 + c_3) + (25 c\,c_5 + c_5)$, and
# its pooling branch passes all $c$ input channels through, so its output has
# $c_1 + c_3 + c_5 + c$ channels. The Keras module is built by `scalekit.blocks`:
#
# ```{literalinclude} ../../scalekit/blocks.py
# :language: python
# :pyobject: inception_module
# :caption: scalekit/blocks.py, inception_module
# ```
#
# We take the configurations of four modules of GoogLeNet (the network of
# {cite:t}`szegedy2015going`, their Table 1), count each with and without the
# reductions, and compare with Keras.

# %%
# input channels, #1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj
GOOGLENET = {"3a": (192, 64, 96, 128, 16, 32, 32),
             "3b": (256, 128, 128, 192, 32, 96, 64),
             "4a": (480, 192, 96, 208, 16, 48, 64),
             "5b": (832, 384, 192, 384, 48, 128, 128)}


def keras_count(in_channels: int, block) -> int:
    """count_params() of a model that applies ``block`` to a small image."""
    inputs = tf.keras.Input(shape=(4, 4, in_channels))
    return tf.keras.Model(inputs, block(inputs)).count_params()


rows = []
for name, (c, c1, r3, c3, r5, c5, pool) in GOOGLENET.items():
    for naive in (False, True):
        reductions = ({} if naive else
                      {"reduce3": r3, "reduce5": r5, "pool_proj": pool})
        rows.append({
            "module": name, "version": "naive" if naive else "with 1×1 reductions",
            "formula": blocks.inception_count(c, c1, c3, c5, **reductions),
            "Keras": keras_count(c, lambda x, kw=reductions, a=(c1, c3, c5):
                                 blocks.inception_module(x, *a, **kw)),
            "output channels": blocks.inception_channels(
                c, c1, c3, c5, pool_proj=reductions.get("pool_proj"))})
inception = pd.DataFrame(rows)
report.table(inception, index=False)

# %% [markdown]
# Where the parameters of module 3a go, branch by branch:

# %%
c, c1, r3, c3, r5, c5, pool = GOOGLENET["3a"]
branches = pd.DataFrame({
    "naive": blocks.inception_branches(c, c1, c3, c5),
    "with 1×1 reductions": blocks.inception_branches(
        c, c1, c3, c5, reduce3=r3, reduce5=r5, pool_proj=pool)})
branches.loc["total"] = branches.sum()
report.table(branches)

# %% tags=["remove-input"]
by_version = inception.set_index(["module", "version"])
reduced_3a = by_version.loc[("3a", "with 1×1 reductions")]
naive_3a = by_version.loc[("3a", "naive")]
saving = (inception[inception["version"] == "naive"]["formula"].to_numpy()
          / inception[inception["version"] != "naive"]["formula"].to_numpy())
report.record(
    "blocks",
    inception_max_abs_diff=compare.max_abs_diff(inception["formula"].to_numpy(),
                                                inception["Keras"].to_numpy()),
    inception_modules_checked=len(inception),
    incep3a_params=reduced_3a["formula"],
    incep3a_naive_params=naive_3a["formula"],
    incep3a_channels=reduced_3a["output channels"],
    incep3a_naive_channels=naive_3a["output channels"],
    incep3a_5x5_naive=branches.loc["5×5", "naive"],
    incep3a_5x5_reduced=branches.loc["5×5", "with 1×1 reductions"],
    inception_saving_min=saving.min(),
    inception_saving_max=saving.max(),
)

# %% [markdown]
# The formula and Keras agree on all {glue:text}`blocks_inception_modules_checked`
# modules: the largest difference is {glue:text}`blocks_inception_max_abs_diff:.0f`
# parameters. Module 3a with its reductions has
# {glue:text}`blocks_incep3a_params:,.0f` parameters; without them,
# {glue:text}`blocks_incep3a_naive_params:,.0f`. The $5\times5$ branch alone drops from
# {glue:text}`blocks_incep3a_5x5_naive:,.0f` to {glue:text}`blocks_incep3a_5x5_reduced:,.0f`
# parameters, because its expensive $25\,c\,c_5$ term now reads 16 channels instead of
# 192. Over the four modules the naive version costs
# {glue:text}`blocks_inception_saving_min:.1f` to
# {glue:text}`blocks_inception_saving_max:.1f` times as many parameters, and, since each
# weight of a convolution is used once per output position, about as many
# multiply-adds. It also widens: its output has {glue:text}`blocks_incep3a_naive_channels:,.0f` channels
# instead of {glue:text}`blocks_incep3a_channels:,.0f`, because the pooling branch
# passes every input channel on, so each stacked module would read more channels than the
# last. The bottleneck is what makes the multi-scale idea scale.
#
# (ch01-blocks-dense)=
# ## The dense block: growth rate and compression
#
# In a dense block with input channels $c$ and growth rate $k$, layer $l$ (counting from
# 0) reads $c + lk$ channels. Each layer is batch normalization (4 numbers per channel,
# two of them trainable: Keras's `count_params()` counts all four), ReLU and a $3\times3$
# convolution without bias, so an $L$-layer block has
#
# $$
# \sum_{l=0}^{L-1} (9k + 4)(c + lk) = (9k + 4)\Big(Lc + k\frac{L(L-1)}{2}\Big)
# $$
#
# parameters and outputs $c + Lk$ channels. The **bottleneck** version (DenseNet-B)
# puts a $1\times1$ convolution to $4k$ channels in front of each $3\times3$, and a
# **transition layer** between blocks (batch normalization, a $1\times1$ convolution to
# $\lfloor\theta c\rfloor$ channels and $2\times2$ average pooling) compresses the
# channels by the factor $\theta$ (DenseNet-C; both together: DenseNet-BC).
#
# ```{literalinclude} ../../scalekit/blocks.py
# :language: python
# :pyobject: dense_block
# :caption: scalekit/blocks.py, dense_block
# ```
#
# We check the formula on a block followed by a transition for several settings,
# including the first block of DenseNet-121 (64 input channels, $k = 32$, 6 layers,
# bottleneck, $\theta = 0.5$).

# %%
DENSE = [  # input channels, growth rate, layers, bottleneck, compression θ
    (24, 12, 6, False, 1.0), (24, 12, 6, True, 0.5), (16, 8, 10, False, 0.5),
    (64, 32, 6, True, 0.5)]   # the last is DenseNet-121's first block

def block_and_transition(k: int, n: int, bottleneck: bool, theta: float):
    def apply(x):
        h = blocks.dense_block(x, k, n, bottleneck=bottleneck)
        return blocks.transition(h, theta)
    return apply


rows = []
for c, k, n, bottleneck, theta in DENSE:
    block_out = blocks.dense_block_channels(c, k, n)
    formula = (blocks.dense_block_count(c, k, n, bottleneck=bottleneck)
               + blocks.transition_count(block_out, theta))
    rows.append({
        "input channels": c, "growth rate k": k, "layers": n, "bottleneck": bottleneck,
        "θ": theta, "formula": formula,
        "Keras": keras_count(c, block_and_transition(k, n, bottleneck, theta)),
        "output channels": blocks.transition_channels(block_out, theta)})
dense = pd.DataFrame(rows)
report.table(dense, index=False)

# %% [markdown]
# How a dense block's parameter count grows with its depth, at $c = 24$, $k = 12$:

# %%
layer_counts = [6, 12, 24, 48]
growth = pd.DataFrame({
    "layers": layer_counts,
    "output channels": [blocks.dense_block_channels(24, 12, n) for n in layer_counts],
    "parameters": [blocks.dense_block_count(24, 12, n) for n in layer_counts],
    "parameters, bottleneck": [blocks.dense_block_count(24, 12, n, bottleneck=True)
                               for n in layer_counts]})
report.table(growth, index=False)

# %% tags=["remove-input"]
report.record(
    "blocks",
    dense_max_abs_diff=compare.max_abs_diff(dense["formula"].to_numpy(),
                                            dense["Keras"].to_numpy()),
    dense_configs_checked=len(dense),
    densenet121_block1_params=blocks.dense_block_count(64, 32, 6, bottleneck=True),
    densenet121_block1_channels=blocks.dense_block_channels(64, 32, 6),
    dense_param_ratio_doubling=growth["parameters"].iloc[-1]
    / growth["parameters"].iloc[-2],
    dense_channel_ratio_doubling=growth["output channels"].iloc[-1]
    / growth["output channels"].iloc[-2],
)

# %% [markdown]
# Formula and Keras agree on all {glue:text}`blocks_dense_configs_checked` settings (the
# largest difference is {glue:text}`blocks_dense_max_abs_diff:.0f` parameters).
# DenseNet-121's first block has
# {glue:text}`blocks_densenet121_block1_params:,.0f` parameters and outputs
# {glue:text}`blocks_densenet121_block1_channels:,.0f` channels. The block's width grows
# linearly with depth, its parameters quadratically: doubling the block from 24 to 48
# layers multiplies the channels by {glue:text}`blocks_dense_channel_ratio_doubling:.2f`
# and the parameters by {glue:text}`blocks_dense_param_ratio_doubling:.2f`. That is why
# DenseNets use small growth rates, the bottleneck and compressing transitions, and why
# their blocks stay short (6 to 64 layers per block from DenseNet-121 to -264).
#
# (ch01-blocks-gradients)=
# ## Gradient flow: plain, residual and dense stacks
#
# Chapter 3 showed that a deep sigmoid network with Keras's default (Glorot)
# initialization loses its gradient on the way down, and that residual connections
# restore it. We repeat that measurement with a densely connected stack beside the two,
# built from `Dense` layers so that only the connection pattern differs:
#
# * **plain**: $h_l = \sigma(W_l h_{l-1})$, `width` units per layer;
# * **residual**: $h_l = h_{l-1} + \sigma(W_l h_{l-1})$;
# * **dense**: $h_l = \sigma(W_l [x, h_1, \dots, h_{l-1}])$ with `growth_rate` units per
#   layer, and the output layer reads the concatenation of all of them.
#
# As in chapter 3, `layer_grad_norms` (`scalekit.models.kernel_grad_norms`, listed in
# {ref}`ch03-gradients`) runs one forward and backward pass over the
# digits training set (scikit-learn's bundled images, nothing downloaded) at
# initialization and returns the norm of the loss gradient with respect to each layer's
# weight matrix, from the first layer to the output layer.

# %%
split = data.load("digits", seed=seed, train_size=train_size)
x, y = split.x_train, split.y_train
loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def stack(kind: str, depth: int) -> tf.keras.Model:
    """depth − 1 sigmoid layers and a linear output layer, connected by ``kind``."""
    inputs = tf.keras.Input(shape=(x.shape[1],))
    if kind == "dense":
        features = [inputs]
        for _ in range(depth - 1):
            z = features[0] if len(features) == 1 else L.Concatenate()(features)
            features.append(L.Dense(growth_rate, activation="sigmoid")(z))
        h = L.Concatenate()(features)
    else:
        h = L.Dense(width, activation="sigmoid")(inputs)
        for _ in range(depth - 2):
            z = L.Dense(width, activation="sigmoid")(h)
            h = L.Add()([h, z]) if kind == "residual" else z
    return tf.keras.Model(inputs, L.Dense(10)(h))


def layer_grad_norms(model: tf.keras.Model) -> np.ndarray:
    """Gradient norm of each layer's kernel on this page's training set."""
    return models.kernel_grad_norms(model, x, y, loss_fn)


rows = []
for depth in depths:
    for kind in ("plain", "residual", "dense"):
        tf.keras.utils.set_random_seed(seed)
        for layer, norm in enumerate(layer_grad_norms(stack(kind, depth)), start=1):
            rows.append({"stack": kind, "depth": depth, "layer": layer,
                         "gradient norm": norm})
norms = pd.DataFrame(rows)
first = norms[norms["layer"] == 1].pivot(index="depth", columns="stack",
                                         values="gradient norm")
last = norms.groupby(["depth", "stack"])["gradient norm"].last().unstack()
summary = pd.DataFrame({f"first layer, {k}": first[k] for k in first} |
                       {f"first / last, {k}": first[k] / last[k] for k in first})
report.table(summary[sorted(summary.columns, key=lambda s: ("/" in s, s))], digits=3)

# %% tags=["remove-cell"]
deepest, shallowest = max(depths), min(depths)
order = ["plain", "residual", "dense"]
fig, (ax_layers, ax_depth) = plots.subplots(2, height=3.8)
at_deepest = norms[norms["depth"] == deepest]
sns.lineplot(data=at_deepest, x="layer", y="gradient norm", hue="stack",
             hue_order=order, marker="o", ax=ax_layers)
ax_layers.set(yscale="log", title=f"{deepest} layers", xlabel="layer (1 = input side)",
              ylabel="‖∂L/∂W‖")
for kind in order:
    ax_depth.plot(first.index, first[kind].replace(0.0, np.nan), marker="o", label=kind)
ax_depth.set(yscale="log", title="first layer", xlabel="depth (layers)",
             ylabel="first-layer ‖∂L/∂W‖")
ax_depth.legend()
report.figure("blocks_layer_norms_fig", fig)

# %% tags=["remove-input"]
ratio = first.loc[deepest] / last.loc[deepest]
fall = first.loc[deepest] / first.loc[shallowest]
report.record(
    "blocks",
    depth_min=shallowest,
    depth_max=deepest,
    ratio_plain=ratio["plain"],
    ratio_residual=ratio["residual"],
    ratio_dense=ratio["dense"],
    first_fall_plain=fall["plain"],
    first_fall_residual=fall["residual"],
    first_fall_dense=fall["dense"],
    first_spread_residual=first["residual"].max() / first["residual"].min(),
    first_spread_dense=first["dense"].max() / first["dense"].min(),
)

# %% [markdown]
# ```{glue:figure} blocks_layer_norms_fig
# :alt: Two log-scale panels. Left, the gradient norm of every layer's weights in the deepest plain, residual and dense stacks; the plain stack's norm falls by many orders of magnitude towards the input while the residual and dense stacks stay within about two orders of magnitude. Right, the first layer's gradient norm against depth; the plain stack's falls steeply, the other two stay nearly flat.
# :name: fig-blocks-layer-norms
#
# Left: $\|\partial L/\partial W\|$ of every layer in the deepest stacks at
# initialization. Right: the first layer's gradient norm as the stacks get deeper.
# ```
#
# At {glue:text}`blocks_depth_max` layers the plain stack's first-layer gradient is
# {glue:text}`blocks_ratio_plain:.1e` times its output layer's: it has vanished. The
# residual stack's ratio is {glue:text}`blocks_ratio_residual:.2g` and the dense stack's
# {glue:text}`blocks_ratio_dense:.2g`. Neither profile is flat (in both, the output
# layer reads a signal that grows with depth, a sum of many layers or a concatenation of
# all of them, and its gradient grows with it), but the first layer keeps a usable
# gradient. The right panel separates the two effects: going from
# {glue:text}`blocks_depth_min` to {glue:text}`blocks_depth_max` layers multiplies the
# plain stack's first-layer gradient by {glue:text}`blocks_first_fall_plain:.1e`, the
# residual stack's by {glue:text}`blocks_first_fall_residual:.2f` and the dense stack's by
# {glue:text}`blocks_first_fall_dense:.2f`; over all depths measured the first-layer norm
# of the residual and dense stacks varies by at most a factor of
# {glue:text}`blocks_first_spread_residual:.1f` and
# {glue:text}`blocks_first_spread_dense:.1f`. The residual stack gets there by adding an
# identity path around each layer, the dense stack by wiring the first layer straight to
# the output: the gradient reaches it in one step, whatever the depth.
#
# (ch01-blocks-verdict)=
# ## What the source's sentence gets right
#
# * **Inception** is multi-scale feature fusion, as the source says: parallel
#   $1\times1$, $3\times3$, $5\times5$ and pooling branches, concatenated. What made it
#   affordable is the $1\times1$ reduction, a factor of
#   {glue:text}`blocks_inception_saving_min:.1f`–{glue:text}`blocks_inception_saving_max:.1f`
#   in parameters on GoogLeNet's modules.
# * **ResNet** fuses no scales. Its contribution is the identity shortcut, which keeps the
#   gradient alive through depth: optimization, not feature fusion (its authors trained
#   152 layers with it).
# * **DenseNet** concatenates the feature maps of all earlier layers of a block, which
#   reuses features and, as measured above, gives every layer a short gradient path. Its
#   parameters grow quadratically with block depth, so "scalability" comes from the
#   growth rate, the bottleneck and the transitions' compression.
# * **Hierarchical feature extraction** is the idea of every deep network since LeNet
#   {cite:p}`lecun1989backpropagation`, not a contribution of these three.
#
# ## Summary
#
# * Formula and Keras agree exactly on {glue:text}`blocks_inception_modules_checked`
#   Inception modules and {glue:text}`blocks_dense_configs_checked` dense blocks with
#   transitions (largest differences {glue:text}`blocks_inception_max_abs_diff:.0f` and
#   {glue:text}`blocks_dense_max_abs_diff:.0f`).
# * The $1\times1$ bottleneck cuts GoogLeNet's module 3a from
#   {glue:text}`blocks_incep3a_naive_params:,.0f` to
#   {glue:text}`blocks_incep3a_params:,.0f` parameters and stops the channel count from
#   growing with every module.
# * A dense block's parameters grow quadratically with its depth: twice the layers,
#   {glue:text}`blocks_dense_param_ratio_doubling:.2f` times the parameters.
# * At {glue:text}`blocks_depth_max` layers the plain sigmoid stack's first-layer gradient
#   is {glue:text}`blocks_ratio_plain:.1e` of its output layer's; the residual and dense
#   stacks keep ratios of {glue:text}`blocks_ratio_residual:.2g` and
#   {glue:text}`blocks_ratio_dense:.2g`, and their first-layer gradient changes by at
#   most a factor of {glue:text}`blocks_first_spread_residual:.1f` and
#   {glue:text}`blocks_first_spread_dense:.1f` over all depths.
# * Of the source's "hierarchical feature extraction and multi-scale feature fusion",
#   only the second describes one of the three (Inception); ResNet and DenseNet are
#   answers to the gradient's path through depth.
#
# ## Exercises
#
# 1. Count the parameters of all nine Inception modules of GoogLeNet (Table 1 of
#    {cite:t}`szegedy2015going`) with `blocks.inception_count`, and their sum. Compare
#    with the table's "params" column: which unit (thousands of $10^3$ or $2^{10}$) and
#    which parameters (with or without biases) does the paper count?
# 2. Add `BatchNormalization` before each sigmoid of the plain stack. Does the
#    first-layer gradient still fall with depth? Compare with chapter 3's result.
# 3. Replace the sigmoid by ReLU with He initialization in all three stacks. Which
#    stack's gradient profile changes most, and why?
# 4. The last block of DenseNet-264 has $k = 32$, 48 layers and 1,152 input channels. How
#    many parameters does it have with and without the bottleneck, and how many channels
#    does it output?
# 5. Train the three stacks for a few epochs with Adam (as in {ref}`ch03-fixes`). Does the
#    dense stack's better gradient at initialization show up as a faster-falling loss?

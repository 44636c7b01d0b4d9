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
# (ch13-tensor-parallel)=
# # Tensor parallelism: one layer split over devices
#
# The source says model parallelism splits the model "into sub-models that each node
# trains separately" (§1.5). That is not how it works: the devices compute *one* model
# together, exchanging activations inside every step. The most used form is **tensor
# parallelism** as in Megatron-LM {cite:p}`shoeybi2019megatron`: each weight matrix of a
# layer is split across devices, so every device holds and multiplies only its share.
# This page builds Megatron's MLP block with DTensor, proves that its output and its
# gradients equal the unsplit block's, measures the parameter bytes per device, and shows
# where its single all-reduce sits.

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
seed = 0                # every random draw follows from it
num_devices = 4         # devices along the "model" axis (GPUs where there are enough)
batch_size = 32         # rows of the input X
width = 32              # d: the block's input and output width
hidden_units = 128      # h: the hidden width, split over the devices

# %%
import numpy as np
import pandas as pd

from scalekit import compare, env, parallel, plots, report

tf = env.setup(seed=seed, logical_cpus=num_devices)
plots.set_theme()
from tensorflow.experimental import dtensor  # noqa: E402  (after the devices are set)

# %% [markdown]
# ## The Megatron MLP block
#
# The block is $Y = \mathrm{ReLU}(XW_1 + b_1)\,W_2 + b_2$ with $W_1 \in \mathbb{R}^{d\times
# h}$ and $W_2 \in \mathbb{R}^{h\times d}$. Megatron splits $W_1$ by **columns** and
# $W_2$ by **rows** over N devices:
#
# $$W_1 = [W_1^{(1)}, \dots, W_1^{(N)}],\qquad
#   H^{(i)} = \mathrm{ReLU}(X W_1^{(i)} + b_1^{(i)}),\qquad
#   Y = \sum_{i=1}^{N} H^{(i)} W_2^{(i)} + b_2 .$$
#
# Device i computes the hidden units $H^{(i)}$ it owns without talking to anyone, because
# ReLU acts element by element. Each device's $H^{(i)} W_2^{(i)}$ is a *partial sum* of
# the output, and one all-reduce adds them up. In the backward pass the mirror image
# happens: the gradient with respect to $X$ is a sum over the devices' hidden units, so it
# needs one all-reduce at the block's input. One all-reduce forward and one backward per
# block, whatever $h$ is.
#
# In DTensor this is nothing but layouts on a one-axis mesh: $W_1$ and $b_1$ are sharded
# on their hidden dimension, $W_2$ on its first (hidden) dimension, $b_2$ and $X$ are
# replicated.

# %%
mesh = dtensor.create_mesh(parallel.mesh_dims(["model"], [num_devices], num_devices),
                           device_type=parallel.device_type(num_devices))
U = dtensor.UNSHARDED
layouts = {"w1": dtensor.Layout([U, "model"], mesh),   # column-parallel
           "b1": dtensor.Layout(["model"], mesh),
           "w2": dtensor.Layout(["model", U], mesh),   # row-parallel
           "b2": dtensor.Layout([U], mesh)}            # replicated

rng = np.random.default_rng(seed)
init = {"w1": rng.normal(0, width**-0.5, (width, hidden_units)),
        "b1": rng.normal(0, 0.1, hidden_units),
        "w2": rng.normal(0, hidden_units**-0.5, (hidden_units, width)),
        "b2": rng.normal(0, 0.1, width)}
init = {k: v.astype(np.float32) for k, v in init.items()}
x_np = rng.normal(size=(batch_size, width)).astype(np.float32)
target_np = rng.normal(size=(batch_size, width)).astype(np.float32)


def on_mesh(array, layout):
    """Place a NumPy array on the mesh with ``layout`` (copy replicated, then shard)."""
    full = dtensor.copy_to_mesh(tf.constant(array), dtensor.Layout.replicated(
        mesh, np.ndim(array)))
    return dtensor.relayout(full, layout)


params = {k: dtensor.DVariable(on_mesh(v, layouts[k])) for k, v in init.items()}
x = on_mesh(x_np, dtensor.Layout.replicated(mesh, 2))
target = on_mesh(target_np, dtensor.Layout.replicated(mesh, 2))

# %% [markdown]
# The forward pass and the loss are written exactly as for one device. DTensor reads the
# layouts and runs the right piece on each device, inserting the communication.

# %%
def block(p, x):
    hidden = tf.nn.relu(tf.matmul(x, p["w1"]) + p["b1"])
    return hidden, tf.matmul(hidden, p["w2"]) + p["b2"]


@tf.function
def forward_backward(p, x, target):
    with tf.GradientTape() as tape:
        tape.watch(x)
        hidden, y = block(p, x)
        loss = tf.reduce_mean(tf.square(y - target))
    grads = tape.gradient(loss, {"x": x, **p})
    return hidden, y, loss, grads


hidden, y, loss, grads = forward_backward(params, x, target)
for name, t in {"hidden": hidden, "y": y, **{f"grad {k}": g for k, g in grads.items()}
                }.items():
    print(f"{name:8s} layout {dtensor.fetch_layout(t).sharding_specs}")

# %% [markdown]
# The hidden activations stay sharded on `model` (each device keeps its own hidden
# units); the output is replicated, so DTensor has summed the partial products; and every
# gradient comes back in its parameter's layout, so the update needs no communication.
#
# ## The same numbers as one device
#
# The reference is the same block on one device, with ordinary tensors.

# %%
plain = {k: tf.Variable(v) for k, v in init.items()}
x_plain = tf.constant(x_np)
with tf.GradientTape() as tape:
    tape.watch(x_plain)
    _, y_ref = block(plain, x_plain)
    loss_ref = tf.reduce_mean(tf.square(y_ref - target_np))
grads_ref = tape.gradient(loss_ref, {"x": x_plain, **plain})


def gathered(t):
    """The full value of a DTensor, as NumPy (relayout to replicated, read device 0)."""
    rank = len(t.shape)
    return dtensor.unpack(dtensor.relayout(t, dtensor.Layout.replicated(mesh, rank))
                          )[0].numpy()


ours = {"y": gathered(y), **{k: gathered(g) for k, g in grads.items()}}
ref = {"y": y_ref.numpy(), **{k: g.numpy() for k, g in grads_ref.items()}}
diffs = {k: compare.max_abs_diff(ours[k], ref[k]) for k in ref}
tp_diff = max(diffs.values())
report.table(pd.DataFrame({"max |sharded − one device|": diffs}))

# %% [markdown]
# ## Where the all-reduce sits
#
# `unpack` shows the partial sums before DTensor adds them: device i holds $H^{(i)}$ and
# $W_2^{(i)}$, so we can form each device's $H^{(i)}W_2^{(i)}$ ourselves. None of them is
# the output; their sum is. That sum is the all-reduce.

# %%
h_parts = [t.numpy() for t in dtensor.unpack(hidden)]
w2_parts = [t.numpy() for t in dtensor.unpack(params["w2"].read_value())]
partials = [h @ w for h, w in zip(h_parts, w2_parts, strict=True)]
y_no_bias = ref["y"] - init["b2"]
partial_off = min(compare.max_abs_diff(p, y_no_bias) for p in partials)
sum_diff = compare.max_abs_diff(np.sum(partials, axis=0), y_no_bias)
print(f"closest single partial product to the output: max |diff| = {partial_off:.3f}")
print(f"sum of the {num_devices} partial products:       max |diff| = {sum_diff:.1e}")

# %% [markdown]
# ## Parameter bytes per device
#
# Each device holds $1/N$ of $W_1$, $b_1$ and $W_2$, and all of $b_2$, which is
# replicated: per device $(2dh + h)/N + d$ of the block's $2dh + h + d$ parameters. We read
# the bytes from the blocks `unpack` returns.

# %%
per_device = {k: [t.numpy().nbytes for t in dtensor.unpack(v.read_value())]
              for k, v in params.items()}
total = sum(v.nbytes for v in init.values())
device0 = sum(b[0] for b in per_device.values())
bytes_ratio = device0 / total
d, h, n = width, hidden_units, num_devices
bytes_formula = ((2 * d * h + h) / n + d) / (2 * d * h + h + d)
print(f"per-device share {bytes_ratio:.4f}; formula {bytes_formula:.4f}; 1/N = {1 / n}")
report.table(pd.DataFrame({
    "bytes on each device": {k: b[0] for k, b in per_device.items()},
    "bytes in total": {k: v.nbytes for k, v in init.items()}}))

# %% [markdown]
# The price is communication of *activations*: per block, one all-reduce of the $B\times d$
# output forward and one of the $B\times d$ input gradient backward. Data parallelism
# instead all-reduces the *gradients of the weights*, $2dh + h + d$ numbers, once per step.
# Which is larger depends on the batch and the layer, and this is the trade-off of
# the chapter's bill ({ref}`ch13-hybrid`). Tensor parallelism's all-reduces sit on the
# critical path of every layer, so it is used inside a machine, on its fastest links
# {cite:p}`narayanan2021efficient`.

# %%
act_bytes = batch_size * width * 4
tp_comm = 2 * parallel.collective_bytes("all_reduce", n, act_bytes)
dp_comm = parallel.collective_bytes("all_reduce", n, total)
report.table(pd.DataFrame(
    {"what is all-reduced": ["activations (forward + backward)", "weight gradients"],
     "strategy": ["tensor parallel", "data parallel"],
     "bytes sent per device per step": [tp_comm, dp_comm]}), index=False)

# %% [markdown]
# A figure of the split: which part of each weight matrix lives on which device, and the
# bytes each device holds against the unsplit block.

# %% tags=["remove-cell"]
fig, (ax1, ax2) = plots.subplots(2, height=2.4)
for i in range(n):
    c = f"C{i % 10}"
    ax1.barh(1, h / n, left=i * h / n, color=c, edgecolor="white")
    ax1.barh(0, h / n, left=i * h / n, color=c, edgecolor="white", label=f"device {i}")
ax1.set_yticks([0, 1], ["W2 rows", "W1 columns"])
ax1.set_xlabel("hidden unit")
ax1.legend(ncols=2, loc="upper right", bbox_to_anchor=(1, -0.35))
ax2.bar(["one device", f"each of {n}"], [total / 1024, device0 / 1024],
        color=["0.6", "C0"])
ax2.set_ylabel("parameter KiB")
report.figure("tp_split_fig", fig)

# %% [markdown]
# ```{glue:figure} tp_split_fig
# :alt: Left, two horizontal bars over the hidden units, each cut into equal coloured segments, one per device: W1 by columns and W2 by rows use the same cut. Right, the parameter bytes of the whole block against the much shorter bar of one device's share.
# :name: fig-tp-split
#
# Megatron's split of the MLP block: device i owns the same slice of hidden units in
# $W_1$ (columns) and $W_2$ (rows), so it needs no communication between the two
# matrices. Right: parameter bytes held by one device against the unsplit block.
# ```

# %%
report.record("tp", max_abs_diff=tp_diff, param_bytes_ratio=bytes_ratio,
              param_bytes_formula=bytes_formula, inverse_devices=1 / n,
              partial_sum_max_abs_diff=sum_diff, partial_alone_diff=partial_off)

# %% [markdown]
# ## Summary
#
# * Megatron's MLP block splits $W_1$ by columns and $W_2$ by rows; in DTensor that is
#   four layouts, and the forward code is the single-device code.
# * Output and every gradient equal the unsplit block's: max difference
#   {glue:text}`tp_max_abs_diff:.1e` (float32).
# * One all-reduce per block forward: no device's partial product is the output (off by
#   {glue:text}`tp_partial_alone_diff:.2f`), their sum is (to
#   {glue:text}`tp_partial_sum_max_abs_diff:.1e`). A second sits at the block's input in
#   the backward pass.
# * Each device holds {glue:text}`tp_param_bytes_ratio:.4f` of the parameter bytes, as the
#   formula $((2dh+h)/N+d)/(2dh+h+d)$ = {glue:text}`tp_param_bytes_formula:.4f` says: close
#   to 1/N = {glue:text}`tp_inverse_devices:.3f`, the replicated output bias being the
#   difference.
#
# ## Exercises
#
# 1. Shard $W_1$ by rows and $W_2$ by columns instead. Does the result still match? Read
#    the layouts of `hidden` and `y`: where must DTensor communicate now, and how much?
# 2. Megatron also splits self-attention by heads. Which matrices are column-parallel and
#    which row-parallel there?
# 3. With $B = 8$ sequences of 2,048 tokens and $d = 4096$, compare the bytes all-reduced
#    per block by tensor parallelism with the bytes of the block's weight gradients.

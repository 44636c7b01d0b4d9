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
# (ch13-sharded)=
# # Sharded data parallelism: ZeRO-3 and FSDP
#
# Plain data parallelism keeps a full copy of the weights, the gradients and the
# optimizer's state on every device. With Adam that is three numbers per parameter in
# the optimizer alone, and all of it is the same on every device: pure redundancy. ZeRO
# {cite:p}`rajbhandari2020zero` removes it. Each of N devices keeps only 1/N of every
# tensor (stage 1 shards the optimizer state, stage 2 also the gradients, stage 3 also
# the weights) and gathers a weight tensor only for the moment it is used. PyTorch's
# Fully Sharded Data Parallel (FSDP) is the same idea as ZeRO-3 {cite:p}`zhao2023fsdp`.
#
# This page trains a small MLP with Adam three ways (on one device, data parallel, and
# ZeRO-3-sharded over the same batch axis) and measures that the weights after K steps are
# the same, and that each device stores about 1/N of the state.

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
num_devices = 4         # devices along the "batch" axis (GPUs where there are enough)
steps = 20              # K: Adam steps of each run
batch_size = 64         # global batch, split over the devices
width = 16              # inputs and outputs of the MLP
hidden_units = 64       # hidden width
learning_rate = 1e-2    # Adam's step size

# %%
import numpy as np
import pandas as pd

from scalekit import compare, env, parallel, plots, report

tf = env.setup(seed=seed, logical_cpus=num_devices)
plots.set_theme()
from tensorflow.experimental import dtensor  # noqa: E402  (after the devices are set)

# %% [markdown]
# ## The model, the data and Adam
#
# A two-layer MLP regresses a fixed random target function. We use float64, so that the
# comparison below measures the algorithm and not the order of float32 roundings. Adam is
# written out in a few lines (chapter 3 checks this form against Keras): it keeps two
# *slots* per parameter, the moment averages m and v, each as large as the parameter.

# %%
init, x_np, y_np = parallel.mlp_task(seed, width=width, hidden_units=hidden_units,
                                     steps=steps, batch_size=batch_size)


def mlp(p, x):
    return tf.matmul(tf.nn.relu(tf.matmul(x, p["w1"]) + p["b1"]), p["w2"]) + p["b2"]


def mse(p, x, y):
    return tf.reduce_mean(tf.square(mlp(p, x) - y))


# %% [markdown]
# Adam, written out (`scalekit.parallel.adam_update`, which the hybrid page reuses):
#
# ```{literalinclude} ../../scalekit/parallel.py
# :language: python
# :pyobject: adam_update
# :caption: scalekit/parallel.py, adam_update
# ```
#
# Computing the new moments before assigning anything is not only tidy: inside one
# `tf.function`, reading a sharded `DVariable` right after assigning it was not ordered
# reliably in our runs with TensorFlow 2.21 (one bias kept its old value), while this form
# gives the same result on every layout.
#
# ## One device: the reference

# %%
def train_single():
    p = {k: tf.Variable(a) for k, a in init.items()}
    m = {k: tf.Variable(tf.zeros_like(a)) for k, a in init.items()}
    v = {k: tf.Variable(tf.zeros_like(a)) for k, a in init.items()}

    @tf.function
    def step(x, y, t):
        with tf.GradientTape() as tape:
            loss = mse(p, x, y)
        parallel.adam_update(p, tape.gradient(loss, p), m, v, t, lr=learning_rate)
        return loss

    losses = [float(step(x_np[k], y_np[k], tf.constant(k + 1.0, tf.float64)))
              for k in range(steps)]
    return {k: a.numpy() for k, a in p.items()}, losses


single, single_losses = train_single()

# %% [markdown]
# ## Data parallel and ZeRO-3 with DTensor
#
# Both runs use a one-axis mesh called `batch`, and both split each batch along it. They
# differ only in the layout of the weights and Adam's slots: **replicated** for data
# parallelism, **sharded along `batch`** (on the first dimension that divides evenly) for
# ZeRO-3. In the ZeRO-3 step, `dtensor.relayout` to the replicated layout is the
# all-gather that materializes a weight for the forward and backward pass. The gradient
# is summed over the batch shards and comes back in the weight's sharded layout: each
# device keeps one block of the sum, which is what a reduce-scatter computes (an
# implementation may also all-reduce and keep a block, sending twice the bytes). The
# Adam update then touches only each device's own shard.

# %%
mesh = dtensor.create_mesh(parallel.mesh_dims(["batch"], [num_devices], num_devices),
                           device_type=parallel.device_type(num_devices))
U = dtensor.UNSHARDED


def replicated(rank):
    return dtensor.Layout.replicated(mesh, rank)


def sharded(shape):
    """Shard the first dimension that splits evenly over the mesh; else replicate."""
    dim = next((i for i, s in enumerate(shape) if s % num_devices == 0), None)
    return dtensor.Layout(["batch" if i == dim else U for i in range(len(shape))], mesh)


def on_mesh(array, layout):
    full = dtensor.copy_to_mesh(tf.constant(array), replicated(np.ndim(array)))
    return dtensor.relayout(full, layout)


def train_dtensor(layout_of):
    p = {k: dtensor.DVariable(on_mesh(a, layout_of(a.shape))) for k, a in init.items()}
    m = {k: dtensor.DVariable(on_mesh(np.zeros_like(a), layout_of(a.shape)))
         for k, a in init.items()}
    v = {k: dtensor.DVariable(on_mesh(np.zeros_like(a), layout_of(a.shape)))
         for k, a in init.items()}

    @tf.function
    def step(x, y, t):
        with tf.GradientTape() as tape:
            full = {k: dtensor.relayout(w, replicated(len(w.shape)))  # all-gather
                    for k, w in p.items()}
            loss = mse(full, x, y)
        grads = tape.gradient(loss, p)
        grads = {k: dtensor.relayout(g, p[k].layout) for k, g in grads.items()}
        parallel.adam_update(p, grads, m, v, t, lr=learning_rate)
        return loss

    data = dtensor.Layout(["batch", U], mesh)
    losses = []
    for k in range(steps):
        t = dtensor.copy_to_mesh(tf.constant(k + 1.0, tf.float64), replicated(0))
        loss = step(on_mesh(x_np[k], data), on_mesh(y_np[k], data), t)
        losses.append(float(dtensor.unpack(loss)[0]))
    weights = {k: dtensor.unpack(dtensor.relayout(
        w.read_value(), replicated(len(w.shape))))[0].numpy() for k, w in p.items()}
    state = [t.read_value() for d in (p, m, v) for t in d.values()]
    device0_bytes = sum(dtensor.unpack(t)[0].numpy().nbytes for t in state)
    return weights, losses, device0_bytes, {k: w.layout for k, w in p.items()}


dp, dp_losses, dp_bytes, _ = train_dtensor(lambda shape: replicated(len(shape)))
zero3, zero3_losses, zero3_bytes, zero3_layouts = train_dtensor(sharded)
for k, lay in zero3_layouts.items():
    print(f"{k}: {init[k].shape} sharded as {lay.sharding_specs}")

# %% [markdown]
# ## The same weights after K steps

# %%
fsdp_diff = compare.max_abs_diff(zero3, single)
dp_diff = compare.max_abs_diff(dp, single)
fsdp_dp_diff = compare.max_abs_diff(zero3, dp)
moved = compare.max_abs_diff(single, init)
report.table(pd.DataFrame({"max |weights − one device| after K steps": {
    "data parallel": dp_diff, "ZeRO-3 / FSDP": fsdp_diff,
    "(how far training moved the weights)": moved}}))

# %% tags=["remove-cell"]
fig, ax = plots.subplots(1, height=3.2)
ax.plot(range(1, steps + 1), single_losses, lw=5, color="0.8", label="one device")
ax.plot(range(1, steps + 1), dp_losses, lw=2.5, color="C0", label="data parallel")
ax.plot(range(1, steps + 1), zero3_losses, ls="--", color="C1", label="ZeRO-3 / FSDP")
ax.set_xlabel("step")
ax.set_ylabel("training loss (MSE)")
ax.legend()
report.figure("fsdp_loss_fig", fig)

# %% [markdown]
# ```{glue:figure} fsdp_loss_fig
# :alt: Training loss against step for one device, data parallel and ZeRO-3; the three curves fall together and lie exactly on top of each other.
# :name: fig-fsdp-loss
#
# Training loss per step on one device, data parallel and ZeRO-3 sharded over the same
# devices: one curve, drawn three times.
# ```

# %% [markdown]
# ## Memory and communication
#
# Per device, the weights and Adam's two slots take (from `unpack`) the bytes below. With
# every dimension choice dividing evenly, ZeRO-3's share is exactly 1/N of data
# parallelism's.

# %%
state_ratio = zero3_bytes / dp_bytes
psi = sum(a.size for a in init.values())
comm = {"data parallel": parallel.step_comm_bytes(
            "data", psi, num_devices, layers=1, hidden=1, tokens=1, grad_bytes=8),
        "ZeRO-3 / FSDP": parallel.step_comm_bytes(
            "zero3", psi, num_devices, layers=1, hidden=1, tokens=1, grad_bytes=8)}
comm_ratio = comm["ZeRO-3 / FSDP"] / comm["data parallel"]
report.table(pd.DataFrame({
    "state bytes per device (measured)": {"data parallel": dp_bytes,
                                          "ZeRO-3 / FSDP": zero3_bytes},
    "bytes sent per device per step (formula)": comm}))

# %% [markdown]
# The saving is paid in communication. Data parallelism all-reduces the gradients once,
# $2\frac{N-1}{N}\Psi$ values per device. ZeRO-3 all-gathers the weights for the forward
# pass, again for the backward pass (they are freed in between to save memory), and
# reduce-scatters the gradients: $3\frac{N-1}{N}\Psi$, 1.5 times as much
# {cite:p}`rajbhandari2020zero`. Our small step keeps the gathered weights between forward
# and backward, so it gathers once; the formula counts what a memory-saving
# implementation sends. ZeRO-1 and ZeRO-2 communicate exactly what data parallelism does.

# %%
report.record("fsdp", max_abs_diff=fsdp_diff, dp_max_abs_diff=dp_diff,
              vs_dp_max_abs_diff=fsdp_dp_diff, weights_moved=moved,
              state_bytes_ratio=state_ratio, inverse_devices=1 / num_devices,
              comm_ratio=comm_ratio, steps=steps)

# %% [markdown]
# ## Summary
#
# * ZeRO-3 (FSDP) shards weights and Adam's slots along the *batch* axis and gathers each
#   weight only to use it; in DTensor it is a different layout for the same variables.
# * After {glue:text}`fsdp_steps` Adam steps its weights equal one device's to
#   {glue:text}`fsdp_max_abs_diff:.1e` (data parallel: {glue:text}`fsdp_dp_max_abs_diff:.1e`),
#   while training moved them by {glue:text}`fsdp_weights_moved:.2f`.
# * Each device stores {glue:text}`fsdp_state_bytes_ratio:.3f` of data parallelism's
#   state, that is 1/N = {glue:text}`fsdp_inverse_devices:.3f`.
# * The price is communication: {glue:text}`fsdp_comm_ratio:.1f` times data parallelism's
#   bytes per step, by formula.
#
# ## Exercises
#
# 1. Set `hidden_units = 62` with `num_devices = 4`. Which tensors can no longer be
#    sharded evenly, and what happens to the state ratio?
# 2. Turn the ZeRO-3 run into ZeRO-1: keep the weights replicated, shard only m and v.
#    What changes in the step, and what in the bytes per device?
# 3. A 7-billion-parameter model with mixed-precision Adam (16 bytes per parameter): how
#    many 80 GB devices does ZeRO-3 need just to hold the model states?

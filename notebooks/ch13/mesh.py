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
# (ch13-mesh)=
# # Parallelism beyond data: meshes and layouts
#
# Data parallelism ({ref}`ch05-distributed`) gives every device a whole copy of the model
# and a slice of the batch. It stops working when the model's weights, gradients and
# optimizer state no longer fit on one device. The source names the way out in one
# sentence, "model parallelism and hybrid parallelism" (模型并行和混合并行, §1.5), and runs
# nothing. This chapter runs all of it, with TensorFlow's own SPMD engine, DTensor
# (`tf.experimental.dtensor`): tensor parallelism ({ref}`ch13-tensor-parallel`), sharded
# data parallelism in the style of ZeRO and FSDP ({ref}`ch13-sharded`), pipeline
# parallelism ({ref}`ch13-pipeline`) and the source's "hybrid parallelism" on a 2-D mesh,
# with the bill of memory and communication for real model sizes ({ref}`ch13-hybrid`).
# Each one is proven equal to single-device training.
#
# This page sets up the vocabulary and measures it: how a tensor is split over a mesh of
# devices, what each device holds, and the collective operations that move data between
# layouts, with the bytes each device sends.
#
# On a machine with GPUs the mesh is made of GPUs; here, as in chapter 5, the CPU is split
# into *logical* devices. DTensor runs the same SPMD program on both. The logical devices
# share the same cores, so this chapter proves *what* is computed and counts *what* is
# communicated; how fast a real interconnect moves it is for the formulas to say.

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
num_devices = 4         # logical devices of the mesh (GPUs where there are enough)
mesh_shape = [2, 2]     # devices along (batch, model); their product is num_devices
rows = 8                # the example matrix: rows (split along "batch") ...
cols = 8                # ... and columns (split along "model")

# %%
import numpy as np
import pandas as pd

from scalekit import compare, env, parallel, plots, report

tf = env.setup(seed=seed, logical_cpus=num_devices)
plots.set_theme()
from tensorflow.experimental import dtensor  # noqa: E402  (after the devices are set)

# %% [markdown]
# ## A mesh and a layout
#
# A **mesh** is the devices arranged in a grid whose axes have names. Here the grid has a
# `batch` axis and a `model` axis; with `mesh_shape = [2, 2]` it is 2 × 2. A **layout**
# says, for each dimension of a tensor, along which mesh axis it is split, or
# `dtensor.UNSHARDED` if it is not. A dimension split along an axis of size k is cut into
# k equal blocks; along the mesh axes the tensor does not name, it is *replicated*.

# %%
device = parallel.device_type(num_devices)
dims = parallel.mesh_dims(["batch", "model"], mesh_shape, num_devices)
mesh = dtensor.create_mesh(dims, device_type=device)
print(device, dims)
print(mesh.local_devices())

# %% [markdown]
# Four layouts of one `rows × cols` matrix: replicated, rows split along `batch`, columns
# split along `model`, and both. `dtensor.relayout` moves a tensor to a layout;
# `dtensor.unpack` returns the block each device holds, in mesh order.

# %%
x = tf.reshape(tf.range(rows * cols, dtype=tf.float32), (rows, cols))
U = dtensor.UNSHARDED
layouts = {
    "replicated": dtensor.Layout([U, U], mesh),
    "rows on batch": dtensor.Layout(["batch", U], mesh),
    "columns on model": dtensor.Layout([U, "model"], mesh),
    "both": dtensor.Layout(["batch", "model"], mesh),
}
on_mesh = dtensor.copy_to_mesh(x, layouts["replicated"])
placed = {name: dtensor.relayout(on_mesh, lay) for name, lay in layouts.items()}
blocks = {name: dtensor.unpack(t) for name, t in placed.items()}
print(dtensor.fetch_layout(placed["both"]).sharding_specs)
print("device 0 holds, with layout 'both':\n", blocks["both"][0].numpy())

# %% [markdown]
# What each device holds, for each layout: the shape of its block and its bytes, as a
# share of the whole matrix. Sharding both dimensions leaves each device 1/N of the
# tensor; a replicated tensor costs every device all of it.

# %%
full_bytes = x.numpy().nbytes
rows_table = []
for name, parts in blocks.items():
    per_device = [p.numpy().nbytes for p in parts]
    rows_table.append({"layout": name, "block shape": str(tuple(parts[0].shape)),
                       "bytes per device": max(per_device),
                       "share of the tensor": max(per_device) / full_bytes})
report.table(pd.DataFrame(rows_table), index=False)

# %% [markdown]
# The blocks are exactly the matrix cut along the mesh: stacking the four blocks of the
# fully sharded layout back in mesh order gives the original matrix.

# %%
a, b = mesh_shape
both = [p.numpy() for p in blocks["both"]]
rebuilt = np.block([[both[i * b + j] for j in range(b)] for i in range(a)])
roundtrip = compare.max_abs_diff(rebuilt, x)
share_both = rows_table[-1]["share of the tensor"]
print(f"rebuilt from the blocks: max |diff| = {roundtrip}; "
      f"share per device = {share_both}")

# %% [markdown]
# The picture below reads ownership straight from `unpack`: every element of the matrix
# is a distinct number, so the block device *i* holds tells which elements it owns.

# %% tags=["remove-cell"]
from matplotlib.colors import ListedColormap  # noqa: E402


def holders(parts):
    """For each element of the matrix, the devices whose block contains it."""
    held = [[] for _ in range(rows * cols)]
    for i, p in enumerate(parts):
        for v in p.numpy().astype(int).ravel():
            held[v].append(i)
    return held


fig, axes = plots.subplots(2, 2, height=5.6)
colors = [f"C{i % 10}" for i in range(num_devices)] + ["0.85"]  # last: every device
for ax, (name, parts) in zip(axes.ravel(), blocks.items(), strict=True):
    held = holders(parts)
    first = [num_devices if len(h) == num_devices else h[0] for h in held]
    grid = np.array(first).reshape(rows, cols)
    ax.imshow(grid, cmap=ListedColormap(colors), vmin=-0.5, vmax=num_devices + 0.5)
    for k, h in enumerate(held):
        label = "all" if len(h) == num_devices else ",".join(map(str, h))
        ax.text(k % cols, k // cols, label, ha="center", va="center", fontsize=9)
    ax.set_title(name)
    ax.set_xticks([])
    ax.set_yticks([])
report.figure("mesh_owner_fig", fig)

# %% [markdown]
# ```{glue:figure} mesh_owner_fig
# :alt: Four small grids of the same matrix. Replicated: every cell says "all". Rows on batch: the top half is held by devices 0 and 1, the bottom half by 2 and 3. Columns on model: left and right halves. Both: four quadrants, one per device.
# :name: fig-mesh-owner
#
# Which device holds each element of the matrix under four layouts on the 2 × 2 mesh,
# read from `dtensor.unpack` (coloured by the first device holding it; grey: every
# device). Along a mesh axis a layout does not name, blocks are replicated, so the
# "rows on batch" layout gives devices 0 and 1 the same block.
# ```

# %% [markdown]
# ## Collectives: what a change of layout costs
#
# Computation on sharded tensors needs data from other devices at some points. DTensor
# inserts the communication itself, as one of three **collectives**:
#
# * **all-gather**: every device ends with the concatenation of all blocks (a sharded
#   dimension becomes replicated; e.g. `relayout` from `both` to `replicated`);
# * **reduce-scatter**: every device contributes a full tensor and ends with one block of
#   their sum;
# * **all-reduce**: every device ends with the full sum; it is a reduce-scatter followed
#   by an all-gather, for example when a dimension that is split is summed over.
#
# Going the other way, from replicated to sharded, costs nothing: each device keeps its
# block. Below, the sum over the rows of the matrix while its rows are split along `batch`:
# each device sums the rows it holds, and DTensor all-reduces the partial sums over the
# `batch` axis. The result is replicated, and equal to the sum on one device.

# %%
@tf.function
def column_sums(t):
    return tf.reduce_sum(t, axis=0)


sums = column_sums(placed["rows on batch"])
print(dtensor.fetch_layout(sums).sharding_specs)  # [unsharded]: the sum is replicated
one_device = np.sum(x.numpy(), axis=0)
allreduce_diff = compare.max_abs_diff(dtensor.unpack(sums)[0], one_device)
print(f"sum over the sharded rows vs one device: max |diff| = {allreduce_diff}")

# %% [markdown]
# How many bytes? On n devices connected in a ring, the bandwidth-optimal algorithms
# send, from each device, $(n-1)/n$ of the tensor for an all-gather or a reduce-scatter
# and twice that, $2(n-1)/n$, for an all-reduce {cite:p}`patarasuk2009bandwidth`. The
# amount per device hardly grows with n: that is why all-reduce scales. The table gives
# the bytes each device sends for our matrix and for one gigabyte.

# %%
collectives = ["all_gather", "reduce_scatter", "all_reduce"]
bytes_rows = [{"collective": kind.replace("_", "-"), "devices": n,
               "matrix (bytes)": parallel.collective_bytes(kind, n, full_bytes),
               "1 GB tensor (GB)": parallel.collective_bytes(kind, n, 1e9) / 1e9}
              for kind in collectives for n in (2, num_devices, 64)]
report.table(pd.DataFrame(bytes_rows), index=False)

# %% tags=["remove-input"]
allgather_bytes = parallel.collective_bytes("all_gather", num_devices, full_bytes)
allreduce_bytes = parallel.collective_bytes("all_reduce", num_devices, full_bytes)
report.record("mesh", devices=num_devices, share_per_device=share_both,
              roundtrip_max_abs_diff=roundtrip, allreduce_max_abs_diff=allreduce_diff,
              allgather_bytes=allgather_bytes, allreduce_bytes=allreduce_bytes)

# %% [markdown]
# ## Summary
#
# * A mesh names the axes of a grid of devices; a layout maps each tensor dimension to a
#   mesh axis or leaves it whole. On {glue:text}`mesh_devices` devices, sharding both
#   dimensions leaves each device {glue:text}`mesh_share_per_device:.3f` of the tensor.
# * `dtensor.unpack` shows what each device holds; putting the blocks back together gives
#   the matrix exactly (max difference {glue:text}`mesh_roundtrip_max_abs_diff:.1e`).
# * Summing over a sharded dimension makes DTensor all-reduce the partial sums; the result
#   equals one device's (max difference {glue:text}`mesh_allreduce_max_abs_diff:.1e`).
# * In a ring, each device sends (n−1)/n of a tensor for an all-gather or reduce-scatter
#   and 2(n−1)/n for an all-reduce: for our matrix on {glue:text}`mesh_devices` devices,
#   {glue:text}`mesh_allgather_bytes:.0f` and {glue:text}`mesh_allreduce_bytes:.0f` bytes.
#
# ## Exercises
#
# 1. Change `mesh_shape` to `[4, 1]` and `[1, 4]`. Which of the four layouts become the
#    same, and why?
# 2. Put `x` in the layout `["model", "batch"]` (rows along `model`). Predict, then read
#    from `unpack`, which block device 1 holds.
# 3. Replace `tf.reduce_sum(t, axis=0)` by `axis=1` on the `rows on batch` layout. Which
#    collective, if any, does the sum need now?
# 4. A 7-billion-parameter model's gradients in 16-bit floats are 14 GB. How many bytes
#    does each of 8 devices send to all-reduce them, and each of 1,024?

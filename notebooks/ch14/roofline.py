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
# (ch14-roofline)=
# # The roofline of this machine
#
# Every operation needs arithmetic and memory traffic. The **roofline model**
# {cite:p}`williams2009roofline` says which one limits it: a device with peak rate $P$
# (FLOP/s) and memory bandwidth $W$ (bytes/s) runs an operation of **arithmetic
# intensity** $I$ (FLOPs per byte moved) at most at
#
# $$\text{attainable FLOP/s} = \min(P,\; I \cdot W).$$
#
# Below the *ridge point* $I^* = P/W$ the operation is **memory-bound**, above it
# **compute-bound**. This page measures $P$ and $W$ on the machine that runs it, places
# measured matrix products and element-wise operations on the roofline, and then asks
# which layers of a Transformer block (chapter 12) are compute-bound when training and
# which when generating text one token at a time.

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
seed = 0
matmul_sizes = [32, 64, 128, 256, 512, 1024, 2048]   # n of the n×n·n×n products
vector_sizes = [2**16, 2**20, 2**24]                # elements of the element-wise ops
repeats = 5                  # timing rounds per operation (the fastest is kept)
d_model = 768                # the Transformer block of the last section
seq_len = 1024
batch_size = 8               # training: sequences per batch
decode_batch_size = 1        # decoding: sequences generating one token each

# %%
import numpy as np
import pandas as pd

from scalekit import efficiency, env, plots, report

tf = env.setup(seed=seed)
plots.set_theme()

# %% [markdown]
# ## Peak arithmetic rate
#
# The fastest float32 matrix product tells us $P$. An $n\times n$ by $n\times n$ product
# does $2n^3$ FLOPs and, at best, moves three $n\times n$ matrices: intensity
# $2n^3/(3\cdot 4n^2) = n/6$ FLOPs per byte. Chapter 5.1 measured the same rate
# ({ref}`ch05-matmul-rate`); here it becomes the roof. Each size is timed
# {glue:text}`roofline_repeats` times, in alternation with the others, keeping the
# fastest.

# %%
rng = np.random.default_rng(seed)
mats = {n: tf.constant(rng.standard_normal((n, n)), tf.float32) for n in matmul_sizes}
times = efficiency.interleaved_min_times(
    {n: (lambda a=a: tf.linalg.matmul(a, a).numpy()) for n, a in mats.items()}, repeats)
points = [{"operation": f"matmul {n}", "kind": "matrix × matrix",
           "intensity": efficiency.matmul_intensity(n, n, n),
           "GFLOP/s": 2 * n**3 / times[n] / 1e9} for n in matmul_sizes]
peak_gflops = max(p["GFLOP/s"] for p in points)

# %% [markdown]
# ## Memory bandwidth
#
# An element-wise operation on large vectors does almost no arithmetic: `2.0 * x` reads
# 4 and writes 4 bytes per FLOP ($I = 1/8$), `x + y` reads 8 and writes 4 ($I = 1/12$).
# Its time is the time to stream the bytes, which measures $W$. Vectors far larger than
# the caches give the bandwidth of main memory; small ones stay in cache and look faster.

# %%
ops = {"2·x": (lambda x, y: 2.0 * x, 1, 1), "x + y": (lambda x, y: x + y, 2, 1)}
vecs = {m: (tf.constant(rng.standard_normal(m), tf.float32),
            tf.constant(rng.standard_normal(m), tf.float32)) for m in vector_sizes}
calls = {(name, m): (lambda f=f, x=x, y=y: f(x, y).numpy())
         for name, (f, _, _) in ops.items() for m, (x, y) in vecs.items()}
times = efficiency.interleaved_min_times(calls, repeats)
for (name, m), t in times.items():
    _, reads, writes = ops[name]
    points.append({"operation": f"{name}, {m:,}", "kind": "element-wise",
                   "intensity": efficiency.elementwise_intensity(1, reads, writes),
                   "GFLOP/s": m / t / 1e9, "GB/s": m * 4 * (reads + writes) / t / 1e9,
                   "elements": m})
elementwise = pd.DataFrame([p for p in points if p["kind"] == "element-wise"])
largest = elementwise[elementwise["elements"] == max(vector_sizes)]
bandwidth_gbs = float(largest["GB/s"].max())

# %% [markdown]
# A matrix–vector product (one token through a weight matrix) reads the whole matrix
# for two FLOPs per weight: $I \approx 1/2$.

# %%
gemv = {n: tf.constant(rng.standard_normal((n, 1)), tf.float32) for n in matmul_sizes}
times = efficiency.interleaved_min_times(
    {n: (lambda a=mats[n], v=gemv[n]: tf.linalg.matmul(a, v).numpy())
     for n in matmul_sizes if n >= 256}, repeats)
for n, t in times.items():
    points.append({"operation": f"matvec {n}", "kind": "matrix × vector",
                   "intensity": efficiency.matmul_intensity(n, 1, n),
                   "GFLOP/s": 2 * n * n / t / 1e9})
points = pd.DataFrame(points)
points["share of roof"] = points["GFLOP/s"] / efficiency.roofline(
    points["intensity"], peak_gflops, bandwidth_gbs)
report.table(points.drop(columns=["elements"]).set_index("operation"), digits=3)

# %% tags=["remove-input"]
ridge = peak_gflops / bandwidth_gbs
report.record("roofline", peak_gflops=peak_gflops, bandwidth_gbs=bandwidth_gbs,
              ridge_intensity=ridge, repeats=repeats,
              all_positive=bool((points["GFLOP/s"] > 0).all()))

# %% tags=["remove-cell"]
fig, ax = plots.subplots()
grid = np.geomspace(min(points["intensity"].min(), 0.05) / 2,
                    max(points["intensity"].max(), ridge) * 2, 200)
ax.plot(grid, efficiency.roofline(grid, peak_gflops, bandwidth_gbs), color="black",
        label="roofline min(P, I·W)")
for kind, marker in zip(["matrix × matrix", "matrix × vector", "element-wise"], "os^",
                        strict=True):
    g = points[points["kind"] == kind]
    ax.scatter(g["intensity"], g["GFLOP/s"], marker=marker, label=kind, zorder=3)
ax.axvline(ridge, color="gray", ls=":", lw=1)
ax.text(ridge, peak_gflops / 30, f" ridge I* = {ridge:.1f}", color="gray")
ax.set(xscale="log", yscale="log", xlabel="arithmetic intensity (FLOP/byte)",
       ylabel="GFLOP/s", title="Roofline of this machine (float32)")
ax.legend(loc="lower right")
report.figure("roofline_fig", fig)

# %% [markdown]
# ```{glue:figure} roofline_fig
# :alt: A log-log roofline, a rising line for memory-bound intensities meeting a flat roof at the ridge point; element-wise and matrix-vector points lie on the left slope, large matrix products near the flat roof, small ones below it.
# :name: fig-roofline
#
# The roofline measured on this machine, with the measured operations: element-wise
# operations and matrix–vector products on the memory slope, large matrix products
# under the compute roof.
# ```
#
# This machine reached {glue:text}`roofline_peak_gflops:.1f` GFLOP/s on matrix products
# and streamed {glue:text}`roofline_bandwidth_gbs:.1f` GB/s through element-wise
# operations: its ridge lies at $I^*$ = {glue:text}`roofline_ridge_intensity:.1f`
# FLOP/byte. Small matrix products fall below the roof for reasons the model leaves out
# (call overhead, threads without enough work). Points *above* the memory slope moved
# data that fit in the caches, which are faster than main memory: a one-bandwidth
# roofline models main memory only. On a machine shared with other programs, as this
# book's build machine is, all these rates are lower bounds. A current data-centre GPU has a ridge of
# a few hundred FLOP/byte in 16-bit formats: far more operations are memory-bound there.
#
# (ch14-roofline-transformer)=
# ## Which layers of a Transformer block are compute-bound?
#
# A Transformer block (chapter 12 builds and measures one) is made of matrix products
# with the weights, attention's products between activations, and element-wise layers.
# With $T$ tokens processed at once, a product
# $(T\times d_\text{in})(d_\text{in}\times d_\text{out})$ has intensity
# `matmul_intensity(T, d_out, d_in)`. In training, $T$ is
# the batch times the sequence length; when **decoding** with a key/value cache, each
# sequence contributes one token per step, and attention reads that sequence's whole
# cache for it.

# %%
d, s = d_model, seq_len
train_tokens, decode_tokens = batch_size * seq_len, decode_batch_size
mi = efficiency.matmul_intensity
ew = efficiency.elementwise_intensity
layers = {
    "QKV projection": (mi(train_tokens, 3 * d, d), mi(decode_tokens, 3 * d, d)),
    "attention scores QKᵀ (per head, d_h=64)": (mi(s, s, 64), mi(1, s, 64)),
    "attention × V (per head)": (mi(s, 64, s), mi(1, 64, s)),
    "output projection": (mi(train_tokens, d, d), mi(decode_tokens, d, d)),
    "MLP up (d → 4d)": (mi(train_tokens, 4 * d, d), mi(decode_tokens, 4 * d, d)),
    "MLP down (4d → d)": (mi(train_tokens, d, 4 * d), mi(decode_tokens, d, 4 * d)),
    "LayerNorm (≈ 8 FLOPs/element)": (ew(8, 1), ew(8, 1)),
    "GELU (≈ 8 FLOPs/element)": (ew(8, 1), ew(8, 1)),
    "residual add": (ew(1, 2), ew(1, 2)),
}
block = pd.DataFrame(layers, index=["training I", "decoding I"]).T
block["training"] = np.where(block["training I"] > ridge, "compute", "memory")
block["decoding"] = np.where(block["decoding I"] > ridge, "compute", "memory")
report.table(block, digits=3)

# %% tags=["remove-input"]
report.record("roofline",
              train_compute_bound=int((block["training"] == "compute").sum()),
              decode_compute_bound=int((block["decoding"] == "compute").sum()),
              layers=len(block))

# %% [markdown]
# With float32 on this machine, {glue:text}`roofline_train_compute_bound` of the
# {glue:text}`roofline_layers` layer types are compute-bound in training — the products
# with the weight matrices over all the batch's tokens, and attention's per-sequence
# products if the ridge lies below their intensity — while in decoding (here one
# sequence at a time) only
# {glue:text}`roofline_decode_compute_bound` are: a product with
# one token per sequence reads every weight for two FLOPs, and attention reads every
# cached key and value for two FLOPs each, whatever the batch. The element-wise layers
# are memory-bound everywhere; they are what XLA's fusion ({ref}`ch14-xla`) speeds up.
# Batching many sequences raises the weight products' decoding intensity about
# linearly in the batch; attention's stays at about 1/2, which is why decoding is
# limited by memory bandwidth and why the key/value cache's size matters.
#
# ## Summary
#
# * Measured on this machine: peak {glue:text}`roofline_peak_gflops:.1f` GFLOP/s,
#   bandwidth {glue:text}`roofline_bandwidth_gbs:.1f` GB/s, ridge point
#   {glue:text}`roofline_ridge_intensity:.1f` FLOP/byte.
# * An $n\times n$ matrix product has intensity $n/6$ in float32; element-wise operations
#   have 1/8 to 1/12 and matrix–vector products 1/2: they are memory-bound.
# * In a Transformer block, {glue:text}`roofline_train_compute_bound` layer types are
#   compute-bound in training and {glue:text}`roofline_decode_compute_bound` in
#   one-sequence decoding.
#
# ## Exercises
#
# 1. Redo the Transformer table with 2-byte numbers (`bytes_per_element=2`) and the
#    ridge point of a GPU with 1,000 TFLOP/s and 3 TB/s. Which layers change sides?
# 2. From which `decode_batch_size` on is the MLP compute-bound on this machine?
# 3. Time `tf.linalg.matmul` in float16 and bfloat16 on this CPU. Where do those points
#    land under the float32 roof, and why?
# 4. Which `matmul_sizes` reach 80% of the roof, and what limits the smaller ones?

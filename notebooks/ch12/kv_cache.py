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
# (ch12-kv-cache)=
# # Inference with a key/value cache
#
# A decoder generates text one token at a time, and each new token attends to every
# earlier one. Done naively, step $t$ runs the whole sequence of $t$ tokens through the
# model again, although the keys and values of the first $t-1$ positions are the same as
# one step before. A **key/value cache** keeps them: each step then runs only the newest
# token and reads the rest from memory. This page checks that the cache changes nothing
# in the output, measures what it saves on this machine, computes what it costs in
# memory, for our model and for real ones, and measures how decoding throughput and
# latency move with the batch size.

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
d_model = 128                         # width of the model that decodes
n_layers = 2
n_heads = 4
context = 512                         # longest sequence the model accepts
decode_lengths = [32, 64, 128, 256, 512]   # sequence lengths at which steps are timed
batch_sizes = [1, 2, 4, 8, 16, 32]         # batch sizes for the throughput curve
prompt_length = 8                     # tokens of text before generation starts
repeats = 3                           # timed generations per variant (medians reported)

# %%
import numpy as np
import pandas as pd

from scalekit import compare, costs, data, env, plots, report

tf = env.setup(seed=seed)
plots.set_theme()
from scalekit.transformer import TinyGPT, greedy_decode  # noqa: E402  (imports TF)

# %% [markdown]
# ## The model and the prompt
#
# The model is chapter 12's `TinyGPT` ({ref}`ch12-transformer`). It is not trained here:
# whether the cache changes the output, what a step costs and how many bytes the cache
# holds do not depend on the values of the weights, and random weights keep this page
# fast. The prompt is the beginning of a held-out file of the standard-library corpus.

# %%
model = TinyGPT(vocab_size=len(data.VOCAB), d_model=d_model, n_layers=n_layers,
                n_heads=n_heads, context=context).build_weights()
text = data.stdlib_text(split="heldout")
prompt = data.encode_text(text[:prompt_length])[None, :]
new_tokens = max(decode_lengths) - prompt_length
print(f"{model.count_params():,} parameters; prompt {text[:prompt_length]!r}; "
      f"{new_tokens} tokens to generate")

# %% [markdown]
# ## Two ways to decode greedily
#
# `greedy_decode` (in `scalekit.transformer`) runs either way. Without the cache, each
# step calls the model on the whole sequence so far and keeps the last position's most
# likely token. With it, a *prefill* runs the prompt once and returns every block's keys
# and values; each later step feeds one token, its position, and the cache, and gets the
# cache back one position longer. Both are compiled with `tf.function` once, for any
# length, so neither pays Python's per-op cost:
#
# ```{literalinclude} ../../scalekit/transformer.py
# :pyobject: greedy_decode
# ```
#
# Inside attention, the cache is two `tf.concat` calls (see `CausalSelfAttention` on the
# previous page): the new token's key and value are appended to the cached ones, and its
# query attends to all of them.

# %%
with_cache, _ = greedy_decode(model, prompt, new_tokens, use_cache=True)
without, _ = greedy_decode(model, prompt, new_tokens, use_cache=False)
tokens_identical = bool(np.array_equal(with_cache, without))
batch_prompt = np.repeat(prompt, 2, axis=0)
batch_prompt[1, -1] = (batch_prompt[1, -1] + 1) % len(data.VOCAB)   # a second sequence
b_cache, _ = greedy_decode(model, batch_prompt, new_tokens, use_cache=True)
b_plain, _ = greedy_decode(model, batch_prompt, new_tokens, use_cache=False)
tokens_identical &= bool(np.array_equal(b_cache, b_plain))
print(repr(data.decode_text(with_cache[0, prompt_length:prompt_length + 60])))

# %%
report.record("kv", cache_tokens_identical=tokens_identical,
              cache_tokens_compared=int(with_cache.size + b_cache.size))

# %% [markdown]
# Every one of the {glue:text}`kv_cache_tokens_compared` generated and prompt tokens is
# the same with and without the cache (identical: {glue:text}`kv_cache_tokens_identical`),
# for one sequence and for a batch of two. (An untrained model writes nonsense, as the
# sample shows; a trained one would write the same nonsense-free text both ways.)
#
# ## What a step costs
#
# Without the cache, step $t$ processes $t$ tokens: its cost grows linearly with $t$
# (quadratically once attention dominates), and generating $T$ tokens costs
# $\sum_t t \propto T^2$. With the cache, a step processes one token, whose attention
# reads $t$ cached keys: its cost is nearly constant, and $T$ tokens cost $\propto T$.
# We time every step of `repeats` generations each way, alternating the two so that a
# change in the machine's load hits both. For each length we take the median over the
# few steps just before it in each run, then the best of the runs (the one least
# disturbed by anything else the machine was doing):

# %%
timed = []
for r in range(repeats):
    for use_cache in (True, False):
        _, steps = greedy_decode(model, prompt, new_tokens, use_cache=use_cache)
        timed.append(steps.assign(repeat=r, cache="with cache" if use_cache else
                                  "without cache"))
timed = pd.concat(timed, ignore_index=True)
window = 4   # steps on either side of each length that enter its median
rows = []
for length in decode_lengths:
    near = timed[(timed["length"] > length - window) & (timed["length"] <= length)
                 & (timed["length"] > prompt_length + 1)]   # skip the prefill step
    best = near.groupby(["cache", "repeat"])[["seconds", "cpu_seconds"]].median()
    best = best.groupby("cache").min() * 1e3
    rows.append({"length": length,
                 "ms per token, with cache": best.loc["with cache", "seconds"],
                 "ms per token, without cache": best.loc["without cache", "seconds"],
                 "speed-up": best.loc["without cache", "seconds"]
                 / best.loc["with cache", "seconds"],
                 "speed-up in CPU time": best.loc["without cache", "cpu_seconds"]
                 / best.loc["with cache", "cpu_seconds"]})
per_token = pd.DataFrame(rows)
report.table(per_token, index=False, digits=3)

# %% tags=["remove-input"]
totals = timed.groupby(["cache", "repeat"])["seconds"].sum().groupby("cache").min()
longest = per_token.iloc[-1]
report.record("kv", cache_speedup_longest=longest["speed-up"],
              cache_speedup_shortest=per_token["speed-up"].iloc[0],
              cache_longest=int(longest["length"]),
              cache_cpu_speedup_longest=longest["speed-up in CPU time"],
              cache_total_speedup=totals["without cache"] / totals["with cache"])

# %%
fig, (ax_step, ax_total) = plots.subplots(2)
for name, g in timed.groupby("cache"):
    med = (g[g["length"] > prompt_length + 1].groupby("length")["seconds"].min()
           .rolling(2 * window, min_periods=1).median())
    ax_step.plot(med.index, med * 1e3, label=name)
    ax_total.plot(med.index, med.cumsum(), label=name)
ax_step.set(xlabel="sequence length after the step", ylabel="ms per generated token",
            title="Time per token")
ax_total.set(xlabel="sequence length", ylabel="seconds since the prompt",
             title="Total generation time")
ax_total.legend()
report.figure("kv_cache_time_fig", fig)

# %% [markdown]
# ```{glue:figure} kv_cache_time_fig
# :alt: Left, milliseconds per generated token against sequence length; without the cache the time rises steadily with length, with the cache it stays low and nearly flat. Right, cumulative generation time; without the cache it curves upward, with the cache it is close to a straight line.
# :name: fig-kv-cache-time
#
# Greedy decoding with and without the key/value cache (best of `repeats` runs, smoothed
# over a few steps).
# Left: wall time of each step. Right: total time to reach each length.
# ```
#
# At length {glue:text}`kv_cache_longest` a step with the cache is
# {glue:text}`kv_cache_speedup_longest:.1f` times faster than recomputing the prefix (at
# the shortest length timed, {glue:text}`kv_cache_speedup_shortest:.1f` times), and the
# whole generation is {glue:text}`kv_cache_total_speedup:.1f` times faster. These are
# ratios of wall times measured in one run on this machine; at this size much of a cached
# step is the fixed cost of calling a compiled function, which is why its time looks
# flat. The last column divides the processor time the process used instead (all its
# threads), a measure of work that a machine busy with other jobs does not inflate:
# {glue:text}`kv_cache_cpu_speedup_longest:.1f` at the longest length.
#
# ## What the cache costs in memory
#
# Each block caches a key and a value vector of width $d$ per token: **$2 \cdot L \cdot d$
# values per token**, times the bytes per value and the batch size. The cache our
# generation ended with, measured against the formula:

# %%
ids = tf.constant(with_cache[:, :-1])
_, cache = model.forward(ids)
measured = sum(k.numpy().nbytes + v.numpy().nbytes for k, v in cache)
formula = costs.kv_cache_bytes(n_layers=n_layers, d_model=d_model,
                               tokens=ids.shape[1], bytes_per_value=4)

# %%
report.record("kv", cache_bytes_per_token=measured / ids.shape[1],
              cache_bytes_rel_error=compare.max_rel_diff(measured, formula))

# %% [markdown]
# {glue:text}`kv_cache_bytes_per_token:,.0f` bytes per token in fp32, as the formula
# says (relative difference {glue:text}`kv_cache_bytes_rel_error:.1%`). For the real
# models of the previous page, in 16-bit values, per token and for one full 2048-token
# sequence, next to the 16-bit weights that must be in memory anyway:

# %%
rows = []
for name, r in costs.REAL_MODELS.items():
    per_tok = costs.kv_cache_bytes(n_layers=int(r["layers"]), d_model=int(r["d_model"]))
    rows.append({"model": name, "KV per token (MB)": per_tok / 1e6,
                 "KV per sequence (GB)": per_tok * r["context"] / 1e9,
                 "weights (GB, 16-bit)": 2 * r["params"] / 1e9})
kv_real = pd.DataFrame(rows).set_index("model")
kv_real["sequences the size of the weights"] = (kv_real["weights (GB, 16-bit)"]
                                                / kv_real["KV per sequence (GB)"])
report.table(kv_real, digits=3)

# %% tags=["remove-input"]
gpt3, llama = kv_real.loc["GPT-3 175B"], kv_real.loc["LLaMA-7B"]
report.record("kv", gpt3_mb_per_token=gpt3["KV per token (MB)"],
              gpt3_gb_per_sequence=gpt3["KV per sequence (GB)"],
              llama_gb_per_sequence=llama["KV per sequence (GB)"],
              llama_sequences_per_weights=llama["sequences the size of the weights"])

# %% [markdown]
# GPT-3 caches {glue:text}`kv_gpt3_mb_per_token:.1f` MB per token, so one full sequence
# holds {glue:text}`kv_gpt3_gb_per_sequence:.1f` GB; LLaMA-7B holds
# {glue:text}`kv_llama_gb_per_sequence:.2f` GB per sequence, and
# {glue:text}`kv_llama_sequences_per_weights:.0f` such sequences weigh as much as the
# model itself. Serving many users at long context is limited by cache memory, not by
# weights — the reason for grouped-query attention (fewer key/value heads,
# `kv_heads_fraction` in `costs.kv_cache_bytes`) and for paged caches.
#
# ## Throughput and latency against batch size
#
# A cached decoding step for one sequence multiplies a single row by each weight matrix:
# the work is tiny and the time goes to reading the weights and calling the kernels.
# Batching $b$ sequences does $b$ times the work for much less than $b$ times the time,
# so throughput (tokens per second over the batch) rises, while the latency of a step
# (what each user waits per token) rises more slowly:

# %%
steps_per_batch = min(64, new_tokens)
rows = []
for b in batch_sizes:
    rng = np.random.default_rng(seed + b)
    batch = rng.integers(1, len(data.VOCAB), size=(b, prompt_length)).astype(np.int32)
    runs = [greedy_decode(model, batch, steps_per_batch, use_cache=True)[1]
            for _ in range(repeats)]
    step_s = min(s["seconds"].iloc[1:].median() for s in runs)   # best of the runs
    rows.append({"batch": b, "latency (ms per step)": 1e3 * step_s,
                 "throughput (tokens/s)": b / step_s})
serving = pd.DataFrame(rows)
report.table(serving, index=False, digits=3)

# %% tags=["remove-input"]
first, last = serving.iloc[0], serving.iloc[-1]
report.record("kv", batch_throughput_gain=last["throughput (tokens/s)"]
              / first["throughput (tokens/s)"],
              batch_latency_ratio=last["latency (ms per step)"]
              / first["latency (ms per step)"],
              batch_largest=int(last["batch"]))

# %%
fig, (ax_thr, ax_lat) = plots.subplots(2)
ax_thr.plot(serving["batch"], serving["throughput (tokens/s)"], marker="o")
ax_thr.set(xscale="log", yscale="log", xlabel="batch size",
           ylabel="tokens per second", title="Throughput")
ax_lat.plot(serving["batch"], serving["latency (ms per step)"], marker="o", color="C1")
ax_lat.set(xscale="log", xlabel="batch size", ylabel="ms per decoding step",
           title="Latency")
report.figure("kv_batch_fig", fig)

# %% [markdown]
# ```{glue:figure} kv_batch_fig
# :alt: Two panels against batch size on a log axis. Left, decoding throughput in tokens per second rises with batch size. Right, the latency of one decoding step rises much more slowly than the batch size.
# :name: fig-kv-batch
#
# Cached greedy decoding at several batch sizes: throughput over the batch (left) and
# wall time of one step (right), the best of `repeats` runs of the median step.
# ```
#
# From batch 1 to batch {glue:text}`kv_batch_largest` the throughput grew
# {glue:text}`kv_batch_throughput_gain:.1f` times while each step took
# {glue:text}`kv_batch_latency_ratio:.1f` times as long. On a GPU the effect is larger:
# a single sequence leaves almost all of its arithmetic units idle while the weights
# stream from memory, and serving systems batch requests for exactly this reason. Two
# cores of a CPU saturate sooner; the curve flattens once the step becomes compute-bound.
#
# ## Summary
#
# * With and without the key/value cache, greedy decoding produced the same
#   {glue:text}`kv_cache_tokens_compared` tokens (identical:
#   {glue:text}`kv_cache_tokens_identical`).
# * The cache made a step at length {glue:text}`kv_cache_longest`
#   {glue:text}`kv_cache_speedup_longest:.1f` times faster and the whole generation
#   {glue:text}`kv_cache_total_speedup:.1f` times faster: per-step cost without it grows
#   with the length, with it nearly constant.
# * It costs $2Ld$ values per token ({glue:text}`kv_cache_bytes_per_token:,.0f` bytes
#   here): {glue:text}`kv_gpt3_gb_per_sequence:.1f` GB for one 2048-token GPT-3
#   sequence in 16-bit values.
# * Batching raised decoding throughput {glue:text}`kv_batch_throughput_gain:.1f` times
#   for a {glue:text}`kv_batch_latency_ratio:.1f`-fold longer step.
#
# ## Exercises
#
# 1. Count the FLOPs of one cached step and of one uncached step at length $t$ with
#    `costs.graph_flops` on traced graphs. Does their ratio match the measured speed-up?
#    What else does a step cost?
# 2. With grouped-query attention, 8 key/value heads serve LLaMA-2-70B's 64 query heads
#    ($L = 80$, $d = 8192$). How large is its cache per 4096-token sequence?
# 3. Make the cache a fixed-size buffer written with `tf.tensor_scatter_nd_update`
#    instead of growing it with `tf.concat`. Does a step get faster?

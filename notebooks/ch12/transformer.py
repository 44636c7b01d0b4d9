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
# (ch12-transformer)=
# # The Transformer's bill: parameters, FLOPs and memory
#
# Chapter 11 fitted scaling laws to a character MLP. The models that made scaling laws
# famous are Transformers {cite:p}`vaswani2017attention`, and every serious plan for
# one starts with its bill: how many parameters, how many floating-point operations per
# token, how many bytes of memory to train it, how many to serve it. The literature gives
# closed forms for all of them {cite:p}`kaplan2020scaling,korthikanti2022reducing`. This
# page builds a small decoder-only Transformer in Keras, derives each formula for it, and
# checks every one against TensorFlow's own count: `count_params()` for parameters, the
# profiler's operation count for FLOPs, and the tensors that `GradientTape` keeps for
# memory. Then it applies the same formulas to GPT-3, Chinchilla and LLaMA-7B. The next
# pages fit the model's own scaling law ({ref}`ch12-law`) and serve it with a key/value
# cache ({ref}`ch12-kv-cache`).

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
seed = 0                            # weights are random; nothing here is trained
d_models = [64, 128, 256]           # widths whose FLOPs and memory are checked
n_layers = 2                        # blocks
n_heads = 4                         # attention heads
context = 64                        # tokens per sequence (n_ctx)
long_contexts = [64, 256, 1024, 4096]   # contexts for the attention-share curve
batch_size = 2                      # sequences in the traced training step

# %%
import numpy as np
import pandas as pd

from scalekit import compare, costs, data, env, plots, report

tf = env.setup(seed=seed)
plots.set_theme()
from scalekit.transformer import TinyGPT  # noqa: E402  (imports TensorFlow)

vocab_size = len(data.VOCAB)   # chapter 11's 97-symbol alphabet

# %% [markdown]
# ## The model
#
# `TinyGPT` (in `scalekit.transformer`, so that the next two pages use the same model)
# is a GPT-style decoder built from Keras layers. Attention computes queries, keys and
# values with one dense layer, splits them into `n_heads` heads, masks the scores so
# that a position sees only itself and earlier positions, and projects the heads back:

# %% [markdown]
# ```{literalinclude} ../../scalekit/transformer.py
# :pyobject: CausalSelfAttention
# ```
#
# A block normalizes *before* each sub-layer (pre-LayerNorm, as GPT-2 and later) and
# adds the result back to the residual stream; the MLP widens to $4d$ with a GELU:
#
# ```{literalinclude} ../../scalekit/transformer.py
# :pyobject: Block
# ```
#
# The model adds learned position embeddings to the token embeddings, runs the blocks,
# normalizes once more and maps to the vocabulary with its own dense layer (untied: the
# output matrix is not the token-embedding matrix):
#
# ```{literalinclude} ../../scalekit/transformer.py
# :pyobject: TinyGPT.forward
# ```

# %%
model = TinyGPT(vocab_size=vocab_size, d_model=d_models[0], n_layers=n_layers,
                n_heads=n_heads, context=context).build_weights()
model.summary(line_length=80)

# %% [markdown]
# (ch12-params)=
# ## Parameters by formula
#
# Count the weights of one block with width $d$ and MLP width $d_\text{ff}$:
#
# | part | weights | biases and scales |
# |---|---|---|
# | two LayerNorms | – | $2 \cdot 2d$ |
# | $W_{qkv}$, $W_o$ | $3d^2 + d^2$ | $3d + d$ |
# | MLP | $2\,d\,d_\text{ff}$ | $d_\text{ff} + d$ |
#
# With $d_\text{ff} = 4d$ a block has $12d^2 + 13d$ parameters. The whole model adds the
# token embedding $Vd$, the position embedding $n_\text{ctx}d$, the final LayerNorm $2d$
# and the output layer $dV + V$:
#
# $$P = Vd + n_\text{ctx}d + L\,(12d^2 + 13d) + 2d + dV + V .$$
#
# The number of heads does not appear: heads split $d$, they do not add weights. Scaling
# laws use the **non-embedding** count {cite:p}`kaplan2020scaling`, here
# $N = L\,(12d^2 + 13d) + 2d \approx 12Ld^2$: the blocks and the final norm, without the
# embeddings and the output layer. Check the formula against Keras for configurations
# that vary every term:

# %%
configs = [  # (vocab, d_model, layers, heads, context)
    (vocab_size, 16, 1, 1, 32), (vocab_size, 64, 2, 4, 64), (256, 48, 3, 6, 128),
    (vocab_size, 128, 4, 8, 64), (1000, 32, 6, 2, 16), (50257, 8, 2, 2, 1024)]
rows = []
for v, d, layers, heads, n in configs:
    m = TinyGPT(vocab_size=v, d_model=d, n_layers=layers, n_heads=heads,
                context=n).build_weights()
    parts = costs.param_count(vocab_size=v, d_model=d, n_layers=layers, context=n)
    rows.append({"V": v, "d": d, "L": layers, "heads": heads, "n_ctx": n,
                 "count_params()": m.count_params(), "formula": parts["total"],
                 "N (non-embedding)": parts["non_embedding"],
                 "12·L·d²": 12 * layers * d**2})
params = pd.DataFrame(rows)
report.table(params, index=False)

# %%
param_formula_matches = bool((params["count_params()"] == params["formula"]).all())
assert param_formula_matches
report.record("tfm", param_formula_matches=param_formula_matches,
              param_configs=len(params))

# %% [markdown]
# The formula equals `count_params()` for all {glue:text}`tfm_param_configs` configurations
# (all exact: {glue:text}`tfm_param_formula_matches`). The last rows show why scaling
# laws leave the embeddings out: with GPT-2's 50,257-token vocabulary and $d = 8$ almost
# every parameter is in the two vocabulary matrices, which cost memory but almost no
# arithmetic per token. For a small width, $12Ld^2$ undercounts $N$ by the $13Ld$
# biases and norms; from $d$ in the thousands on it is exact to a fraction of a percent.
#
# (ch12-flops)=
# ## FLOPs per token by formula
#
# A dense layer with $m$ inputs and $k$ outputs costs $2mk$ FLOPs per token (a multiply
# and an add per weight). Attention adds two products that have no weights: the scores
# $QK^\top$ and the weighted sum of values, each $2\,n_\text{ctx}\,d$ per token and layer
# when the whole $n_\text{ctx} \times n_\text{ctx}$ score matrix is computed and then
# masked, as here. So the forward pass costs
#
# $$C_\text{fwd} = 2\,\big(L(4d^2 + 2d\,d_\text{ff}) + dV\big) + 4\,L\,n_\text{ctx}\,d$$
#
# FLOPs per token in matrix products. {cite:t}`kaplan2020scaling` write
# $C_\text{fwd} \approx 2N + 2Ln_\text{ctx}d$ (their Table 1): their attention term is
# half of ours — what the two products cost on the causal half of the score matrix, the
# half that matters, while a dense implementation like ours computes the whole matrix and
# masks it — and their total leaves out the output layer (its $2dV$ is in their table,
# not in $N$) and every element-wise operation.
#
# TensorFlow can count too. Its profiler sums, over the ops of a graph, the FLOPs each op
# type registers ($2mnk$ for a matrix product, one per value for element-wise ops, five
# per value for softmax). We trace the forward pass for one sequence of `context` tokens
# into a graph and count, with the profiler itself and per op type:

# %%
def forward_graph(m, n):
    """The traced forward pass of ``m`` on one sequence of ``n`` tokens."""
    spec = tf.TensorSpec([1, n], tf.int32)
    return tf.function(lambda ids: m(ids)).get_concrete_function(spec).graph


options = tf.compat.v1.profiler.ProfileOptionBuilder.float_operation()
options["output"] = "none"
graph = forward_graph(model, context)
profiled = tf.compat.v1.profiler.profile(graph, options=options).total_float_ops
by_op = costs.graph_flops(graph)
assert by_op.sum() == profiled          # the same registry, summed two ways
report.table((by_op / context).rename("FLOPs per token").to_frame())

# %% [markdown]
# Matrix products (`MatMul` for the dense layers, `BatchMatMulV2` for attention) dominate;
# softmax, LayerNorm (`Mean`, `SquaredDifference`, `Rsqrt`, …), bias additions and the
# GELU's multiplications follow. (`Erf` inside the GELU registers no FLOPs.) Now for every
# width in `d_models` and every context in `long_contexts`:

# %%
rows = []
for d in d_models:
    for n in long_contexts:
        m = TinyGPT(vocab_size=vocab_size, d_model=d, n_layers=n_layers,
                    n_heads=n_heads, context=n).build_weights()
        g = forward_graph(m, n)
        counted = costs.graph_flops(g)
        formula = costs.forward_flops(vocab_size=vocab_size, d_model=d,
                                      n_layers=n_layers, context=n)
        n_nonemb = costs.non_embedding_params(d_model=d, n_layers=n_layers)
        kaplan = costs.kaplan_forward_flops(n_params=n_nonemb, n_layers=n_layers,
                                            context=n, d_attn=d)
        matmul = counted[counted.index.str.contains("MatMul")].sum()
        rows.append({"d": d, "n_ctx": n, "profiler": counted.sum() / n,
                     "formula": formula["total"], "matmul ops": matmul / n,
                     "Kaplan 2N+2Lnd": kaplan, "2N": 2 * n_nonemb,
                     "attention share": formula["attention"] / formula["total"]})
flops = pd.DataFrame(rows)
flops["rel. error"] = 1 - flops["formula"] / flops["profiler"]  # what formula misses
report.table(flops, index=False, digits={"rel. error": 2, "attention share": 2})

# %%
matmul_exact = bool((flops["matmul ops"] == flops["formula"]).all())
per_row = pd.Series([compare.max_rel_diff(a, b) for a, b in
                     zip(flops["profiler"], flops["formula"], strict=True)])
at_context = per_row[flops["n_ctx"] == context]
long = flops[flops["n_ctx"] == max(long_contexts)]

# %% tags=["remove-input"]
report.record("tfm", flops_matmul_exact=matmul_exact,
              flops_rel_error=float(per_row.max()),
              flops_rel_error_context=float(at_context.max()),
              flops_rel_error_widest=float(per_row[flops["d"] == max(d_models)].max()),
              flops_attention_share_long=float(long["attention share"].max()),
              flops_kaplan_ratio_long=float((long["formula"] / long["2N"]).max()))

# %% [markdown]
# The matrix-product part of TensorFlow's count equals the formula exactly in every row
# (exact: {glue:text}`tfm_flops_matmul_exact`). The total differs by the element-wise
# operations the formula leaves out: at most {glue:text}`tfm_flops_rel_error:.1%` over
# the whole grid, {glue:text}`tfm_flops_rel_error_context:.1%` at `context` tokens and
# {glue:text}`tfm_flops_rel_error_widest:.1%` for the widest model. The gap is
# systematic and predictable: element-wise work grows like $d$ (norms, biases,
# activations) and like $h\,n_\text{ctx}$ (softmax, mask), matrix products like $d^2$ and
# $n_\text{ctx}d$, so the gap shrinks as models widen. At real widths ($d$ in the
# thousands) it is well under a percent, which is why the literature ignores it.
#
# The attention term is where "$2N$ per token" breaks down. Its share of the forward
# FLOPs is $4Ln_\text{ctx}d / C_\text{fwd} \approx n_\text{ctx}/(6d + n_\text{ctx})$: small
# while the context is short compared with $6d$, dominant when it is long. At
# {glue:text}`tfm_flops_attention_share_long:.0%` of the FLOPs for our narrowest model at
# the longest context, the true cost is {glue:text}`tfm_flops_kaplan_ratio_long:.1f` times
# $2N$.

# %%
fig, (ax_share, ax_ratio) = plots.subplots(2)
for d, g in flops.groupby("d"):
    ax_share.plot(g["n_ctx"], g["attention share"], marker="o", label=f"d = {d}")
    ax_ratio.plot(g["n_ctx"], g["profiler"] / g["2N"], marker="o", label=f"d = {d}")
ax_share.set(xscale="log", xlabel="context n_ctx (tokens)", ylim=(0, 1),
             ylabel="attention share of forward FLOPs", title="Attention share")
ax_ratio.axhline(1, color="gray", ls="--", label="2N rule")
ax_ratio.set(xscale="log", yscale="log", xlabel="context n_ctx (tokens)",
             ylabel="profiler FLOPs / 2N", title="Counted FLOPs versus 2N")
ax_ratio.legend()
report.figure("tfm_flops_fig", fig)

# %% [markdown]
# ```{glue:figure} tfm_flops_fig
# :alt: Two panels against context length on a log axis. Left, the attention share of forward FLOPs rises from a small fraction at the shortest context to most of the FLOPs at the longest, highest for the narrowest model. Right, the profiler's FLOPs per token divided by 2N starts near one and grows with context, most for the narrowest model.
# :name: fig-tfm-flops
#
# Left: attention's share of the forward FLOPs per token, $4Ln_\text{ctx}d/C_\text{fwd}$.
# Right: TensorFlow's count of forward FLOPs per token relative to $2N$.
# ```
#
# ### Training is three forward passes
#
# The backward pass computes, for every matrix product, the gradient with respect to
# both inputs: two products of the same size as the forward one. Training therefore costs
# about $3 \times C_\text{fwd}$ per token, the "$6N$" of
# $C \approx 6ND$ {cite:p}`kaplan2020scaling`. TensorFlow's count of a full training step
# (forward, loss and `tape.gradient`, before the optimizer) says:

# %%
def train_graph(m, batch, n):
    """Graph of one forward + backward pass of ``m`` on ``batch`` sequences of ``n``."""

    @tf.function
    def step(ids, targets):
        with tf.GradientTape() as tape:
            logits = m(ids)
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(targets, logits))
        return tape.gradient(loss, m.trainable_variables)

    spec = tf.TensorSpec([batch, n], tf.int32)
    return step.get_concrete_function(spec, spec).graph


train_counted = costs.graph_flops(train_graph(model, 1, context))
fwd_counted = costs.graph_flops(forward_graph(model, context))


def matmul(counted):
    return counted[counted.index.str.contains("MatMul")].sum()


# %%
report.record("tfm", flops_train_ratio=train_counted.sum() / fwd_counted.sum(),
              flops_train_matmul_ratio=matmul(train_counted) / matmul(fwd_counted))

# %% [markdown]
# A training step costs {glue:text}`tfm_flops_train_ratio:.2f` forward passes by
# TensorFlow's count. Its matrix products cost exactly
# {glue:text}`tfm_flops_train_matmul_ratio:.2f` times their forward count: every forward
# product $AB$ has two backward products, one for the gradient of $A$ and one for that
# of $B$ (the token embedding's input is a lookup, not a product, so nothing is skipped).
# The element-wise ops' derivatives cost a little less than three times their forward
# count, which pulls the total just under 3.
#
# (ch12-memory)=
# ## Memory by formula
#
# ### Weights, gradients and optimizer state
#
# Training with Adam in fp32 keeps, per parameter, the weight (4 bytes), its gradient
# (4 bytes) and Adam's two moment estimates (8 bytes): **16 bytes per parameter**, of
# *all* parameters, embeddings included. Mixed-precision training keeps fp16 weights and
# gradients plus an fp32 master copy, also 16 bytes {cite:p}`rajbhandari2020zero`. One
# Adam step on our model, then the bytes of every tensor involved:

# %%
optimizer = tf.keras.optimizers.Adam(1e-3)
ids = tf.zeros([batch_size, context], tf.int32)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(model(ids) ** 2)
grads = tape.gradient(loss, model.trainable_variables)
optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
state = pd.Series({
    "weights": sum(v.numpy().nbytes for v in model.weights),
    "gradients": sum(tf.convert_to_tensor(g).numpy().nbytes for g in grads),
    "Adam slots (m, v)": sum(v.numpy().nbytes for v in optimizer.variables()
                             if v.shape.rank)}, name="bytes")
n_params = model.count_params()
by_formula = costs.training_state_bytes(n_params)
report.table(state.to_frame().assign(per_parameter=state / n_params))

# %%
report.record("tfm", state_bytes_per_param=state.sum() / n_params,
              state_matches=bool(state.sum() == by_formula["total"]))

# %% [markdown]
# {glue:text}`tfm_state_bytes_per_param:.1f` bytes per parameter, as the formula says
# (exact: {glue:text}`tfm_state_matches`; Adam's step counter, a single integer, is left
# out). One detail: TensorFlow hands back the gradient of an embedding table as
# `IndexedSlices`, only the rows of the tokens in the batch; the table counts it at its
# dense size, the buffer an optimizer step over all rows works with.
#
# ### Activations
#
# The backward pass needs values computed in the forward pass: the input of every matrix
# product (to form the weight gradient), the output of the softmax, what the
# non-linearities need for their derivative. They are kept from forward to backward, so
# they grow with batch × context × layers. {cite:t}`korthikanti2022reducing` count them
# for a GPT block with 16-bit activations: $sbh\,(34 + 5as/h)$ bytes per layer for
# sequence length $s$, batch $b$, width $h$ and $a$ heads. Without dropout (no masks) and
# counting *values*, that is $16d + a\,n_\text{ctx}$ per token and layer.
#
# What does TensorFlow actually keep? In the graph of a training step, every op under
# the `gradient_tape/` scope belongs to the backward pass; the forward tensors they read
# are exactly what must survive until backward. `costs.kept_activations` lists them
# (following reshapes to the tensor they view, leaving out weights):

# %%
kept = costs.kept_activations(train_graph(model, batch_size, context))
block = kept[kept["tensor"].str.contains("/block0/")]
tokens = batch_size * context
report.table(block.assign(per_token=block["values"] / tokens)
             .groupby("op")[["per_token"]].sum())

# %% [markdown]
# Per token, one block keeps: the residual stream after attention and after the MLP
# ($2d$, read by the next LayerNorm's backward); in each LayerNorm, the normalized input
# times its scale and the output ($2d$ each) plus three per-token statistics; in attention
# the scaled queries, the keys, the values and the heads' output ($4d$) and the softmax
# probabilities ($h\,n_\text{ctx}$); in the MLP the GELU's output ($4d$) and three
# intermediates of Keras's exact GELU $\tfrac12 x\,(1 + \operatorname{erf}(x/\sqrt2))$,
# which TensorFlow differentiates op by op ($3 \cdot 4d$). Together
# $26d + h\,n_\text{ctx} + 6$ values (`costs.activation_values`). For every width:

# %%
rows = []
for d in d_models:
    m = TinyGPT(vocab_size=vocab_size, d_model=d, n_layers=n_layers, n_heads=n_heads,
                context=context).build_weights()
    k = costs.kept_activations(train_graph(m, batch_size, context))
    per_block = [k[k["tensor"].str.contains(f"/block{i}/")]["values"].sum() / tokens
                 for i in range(n_layers)]
    rows.append({"d": d, "measured": float(np.mean(per_block)),
                 "26d + h·n_ctx + 6": costs.activation_values(
                     d_model=d, n_heads=n_heads, context=context),
                 "Korthikanti 16d + a·n_ctx": costs.korthikanti_activation_values(
                     d_model=d, n_heads=n_heads, context=context)})
act = pd.DataFrame(rows)
act["measured / Korthikanti"] = act["measured"] / act["Korthikanti 16d + a·n_ctx"]
report.table(act, index=False)

# %%
memory_rel_error = max(compare.max_rel_diff(a, b) for a, b in
                       zip(act["measured"], act["26d + h·n_ctx + 6"], strict=True))
report.record("tfm", memory_rel_error=memory_rel_error,
              memory_korthikanti_ratio=float(act["measured / Korthikanti"].max()))

# %% [markdown]
# The derived count agrees with what TensorFlow keeps to {glue:text}`tfm_memory_rel_error:.1%`
# (values per token and layer, every width). Korthikanti et al.'s count is lower (ours is
# up to {glue:text}`tfm_memory_korthikanti_ratio:.2f` times theirs) for two reasons that
# are both implementation details: Megatron's fused LayerNorm and GELU kernels keep only
# their inputs, while Keras's LayerNorm and exact GELU are compositions of small ops, each
# of which keeps its own operands. A fused GELU would save $8d$ per token and layer, a
# fused LayerNorm $2d$ — which is the point of their paper: the formula is a property of
# the implementation, not of the architecture.
#
# This is an honest measurement of what the backward pass *asks* for. The runtime may
# keep a little more (temporary buffers) or, with rematerialization, less; measuring a
# process's peak memory on a CPU is the subject of exercise 3.
#
# (ch12-real)=
# ## The bill for real models
#
# The same formulas for three published configurations:
# GPT-3 175B {cite:p}`brown2020language` (Table 2.1), Chinchilla 70B
# {cite:p}`hoffmann2022training` (Table 4) and LLaMA-7B {cite:p}`touvron2023llama`
# (Table 2; its SwiGLU MLP has three $d \times 11008$ matrices instead of two
# $d \times 4d$, and no biases). Activations are for 16-bit values with Korthikanti et
# al.'s count without dropout; training FLOPs are $6N + 6Ln_\text{ctx}d$ per token.

# %%
real = pd.DataFrame(costs.REAL_MODELS).T
rows = []
for name, r in real.iterrows():
    L, d, h, n = int(r["layers"]), int(r["d_model"]), int(r["heads"]), int(r["context"])
    n_formula = 12 * L * d**2
    act_seq = costs.korthikanti_activation_values(d_model=d, n_heads=h, context=n)
    rows.append({
        "model": name, "published N": r["params"], "12·L·d²": n_formula,
        "train state (TB, 16 B/param)": 16 * r["params"] / 1e12,
        "activations per sequence (GB)": 2 * act_seq * n * L / 1e9,
        "train FLOPs per token": 6 * r["params"] + 6 * L * n * d,
        "attention share": 6 * L * n * d / (6 * r["params"] + 6 * L * n * d)})
bill = pd.DataFrame(rows).set_index("model")
report.table(bill, digits=3)

# %% tags=["remove-input"]
gpt3 = bill.loc["GPT-3 175B"]
report.record("tfm", gpt3_state_tb=gpt3["train state (TB, 16 B/param)"],
              gpt3_act_gb=gpt3["activations per sequence (GB)"],
              gpt3_attention_share=gpt3["attention share"],
              gpt3_formula_params_ratio=gpt3["12·L·d²"] / gpt3["published N"],
              gpt3_gpus_80gb=int(np.ceil(gpt3["train state (TB, 16 B/param)"] / 0.08)),
              chinchilla_formula_params_ratio=bill.loc["Chinchilla 70B", "12·L·d²"]
              / bill.loc["Chinchilla 70B", "published N"])

# %% [markdown]
# For GPT-3, $12Ld^2$ is {glue:text}`tfm_gpt3_formula_params_ratio:.3f` of the published
# parameter count. Its training state alone is {glue:text}`tfm_gpt3_state_tb:.1f` TB —
# {glue:text}`tfm_gpt3_gpus_80gb` accelerators of 80 GB before a single activation is stored, which is why
# chapter 13's sharding exists — and one 2048-token sequence needs another
# {glue:text}`tfm_gpt3_act_gb:.0f` GB of activations unless they are recomputed. At its
# context of 2048 tokens attention is only {glue:text}`tfm_gpt3_attention_share:.1%` of
# the training FLOPs: for models this wide, $6N$ per token is an excellent approximation,
# as {cite:t}`kaplan2020scaling` assumed. For Chinchilla, $12Ld^2$ is only
# {glue:text}`tfm_chinchilla_formula_params_ratio:.2f` of the published 70B: its
# configuration table lists layers, heads and $d$ but not the MLP width or the
# vocabulary, so the paper alone does not let a reader reproduce its parameter count.
#
# ## Summary
#
# * The exact parameter count $Vd + n_\text{ctx}d + L(12d^2 + 13d) + 2d + dV + V$ equals
#   Keras's `count_params()` for {glue:text}`tfm_param_configs` configurations; the
#   non-embedding $N \approx 12Ld^2$ is what scaling laws use.
# * Forward FLOPs per token: the matrix-product formula
#   $2(L(4d^2 + 2dd_\text{ff}) + dV) + 4Ln_\text{ctx}d$ equals TensorFlow's count of the
#   matrix products exactly; the total differs by at most
#   {glue:text}`tfm_flops_rel_error:.1%` (element-wise ops, shrinking with width).
#   Training costs {glue:text}`tfm_flops_train_ratio:.2f` forward passes.
# * $2N$ per token fails at long context: attention reached
#   {glue:text}`tfm_flops_attention_share_long:.0%` of the FLOPs of our narrowest model
#   at {glue:text}`tfm_flops_kaplan_ratio_long:.1f`× $2N$, but only
#   {glue:text}`tfm_gpt3_attention_share:.1%` for GPT-3.
# * Memory: 16 bytes of training state per parameter (measured
#   {glue:text}`tfm_state_bytes_per_param:.1f`), plus activations that the backward pass
#   keeps: $26d + hn_\text{ctx} + 6$ values per token and layer in Keras (within
#   {glue:text}`tfm_memory_rel_error:.1%` of TensorFlow's graph), up to
#   {glue:text}`tfm_memory_korthikanti_ratio:.2f`× Korthikanti et al.'s fused-kernel count.
#
# ## Exercises
#
# 1. Tie the output layer to the token embedding (use the embedding matrix, transposed,
#    for the logits). Which terms of the parameter formula change, and which of the
#    FLOPs formula?
# 2. Replace `activation="gelu"` by `"relu"` in `Block` and recount the kept activations.
#    Why does the MLP now keep only $4d$ values per token? (Hint: what does the
#    derivative of ReLU need?)
# 3. Measure peak memory on your machine: run one training step at several batch sizes,
#    each in a fresh Python process, and read `resource.getrusage(...).ru_maxrss`. Is the
#    slope per token close to $L(26d + hn_\text{ctx})$ values of 4 bytes?
# 4. At which context length does attention cost as much as all the weight products for
#    GPT-3? For LLaMA-7B?

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
# (ch14-precision)=
# # Number formats and mixed precision
#
# A float32 number takes four bytes; float16 and bfloat16 take two. Half the bytes means
# half the memory traffic and, on GPUs and TPUs with tensor cores, several times the
# arithmetic rate. The price is range and precision. This page reads the three formats'
# limits from NumPy and TensorFlow, then trains the same model in float32, in
# `mixed_float16` with and without loss scaling, and in `mixed_bfloat16`, and counts the
# gradients that become exactly zero {cite:p}`micikevicius2018mixed,kalamkar2019bfloat16`.
#
# This machine has no GPU: float16 arithmetic on a CPU is emulated and *slower* than
# float32 (TensorFlow warns about it), and some CPUs lack fast float16 kernels entirely.
# What a CPU shows faithfully are the **numerics**: the same roundings and underflows
# happen on a GPU. The speed-up needs tensor cores; no number on this page measures it.

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
epochs = 60                 # epochs of each run (the probe follows the float32 run)
batch_size = 128
learning_rate = 1e-3        # Adam
width = 256                 # hidden units of the two hidden layers
probe_examples = 512        # examples in the batch whose gradients are probed
loss_scale = 2.0**15        # the probe's fixed scale (LossScaleOptimizer's initial one)

# %%
import ml_dtypes
import numpy as np
import pandas as pd

from scalekit import data, efficiency, env, plots, report

tf = env.setup(seed=seed)
plots.set_theme()
mixed_precision = tf.keras.mixed_precision

# %% [markdown]
# ## Three formats
#
# A binary floating-point number is $(-1)^s \cdot 1.m \cdot 2^{e}$: the exponent bits
# set the **range**, the mantissa bits the **precision** (the gap `eps` between 1 and
# the next number). float16 spends 5 bits on the exponent and 10 on the mantissa;
# bfloat16 ("brain float") keeps float32's 8 exponent bits and only 7 mantissa bits.
# `ml_dtypes` (a TensorFlow dependency) gives `finfo` for all three.

# %%
formats = {"float32": np.float32, "float16": np.float16, "bfloat16": ml_dtypes.bfloat16}
rows = []
for name, dtype in formats.items():
    info = ml_dtypes.finfo(dtype)
    rows.append({"format": name, "bits": info.bits, "exponent bits": info.nexp,
                 "mantissa bits": info.nmant, "eps": float(info.eps),
                 "smallest normal": float(info.smallest_normal),
                 "smallest subnormal": float(info.smallest_subnormal),
                 "largest": float(info.max)})
formats_df = pd.DataFrame(rows).set_index("format")
report.table(formats_df)

# %% [markdown]
# TensorFlow's own dtypes agree (`tf.bfloat16.max` is float32's order of magnitude), and
# three casts show what the table means for training:

# %%
checks = pd.DataFrame({
    "value": [1e-8, 7e4, 1 + 2**-9],
    "float16": [float(tf.cast(v, tf.float16)) for v in (1e-8, 7e4, 1 + 2**-9)],
    "bfloat16": [float(tf.cast(v, tf.bfloat16)) for v in (1e-8, 7e4, 1 + 2**-9)],
}, index=["a tiny gradient", "a large activation", "1 plus a small update"])
bf16_max = float(ml_dtypes.finfo(ml_dtypes.bfloat16).max)
bf16_max_matches = bool(float(tf.bfloat16.max) == bf16_max)
report.table(checks, digits=6)

# %% [markdown]
# float16 flushes $10^{-8}$ to zero (it is below the smallest subnormal, about
# $6\times10^{-8}$) and overflows $7\times10^4$ to infinity; bfloat16 keeps both, but
# rounds $1 + 2^{-9}$ back to 1: it has about three significant decimal digits. Tiny
# gradients are a float16 problem; lost small updates are a bfloat16 problem, which is
# why both mixed-precision recipes keep the **weights in float32** and only compute in
# 16 bits.

# %% tags=["remove-input"]
fmt_table = report.record("fmt", fp16_smallest_subnormal=formats_df.loc[
    "float16", "smallest subnormal"], bf16_max_matches_tf=bf16_max_matches)

# %% [markdown]
# ## Mixed precision in Keras
#
# A Keras **dtype policy** sets two dtypes per layer: variables stay float32, computations
# run in float16 (`mixed_float16`) or bfloat16 (`mixed_bfloat16`). The output layer keeps
# float32 so the softmax and the loss are computed in full precision. The model is a
# two-hidden-layer MLP on scikit-learn's digits.

# %%
split = data.load("digits", seed=seed)
x_train, y_train = split.x_train, split.y_train.astype("int32")
loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def build(policy: str) -> tf.keras.Model:
    mixed_precision.set_global_policy(policy)
    tf.keras.utils.set_random_seed(seed)          # the same initial weights every time
    model = tf.keras.Sequential([
        tf.keras.Input((64,)),
        tf.keras.layers.Dense(width, activation="relu"),
        tf.keras.layers.Dense(width, activation="relu"),
        tf.keras.layers.Dense(10, dtype="float32"),   # logits and loss in float32
    ])
    mixed_precision.set_global_policy("float32")
    return model


probe_model = build("mixed_float16")
print(probe_model.layers[0].dtype_policy, probe_model.layers[0].kernel.dtype)

# %% [markdown]
# ### The loss-scaling probe
#
# Backpropagation multiplies small numbers: the gradient of a well-fitted example's loss
# with respect to its logits is $(p - y)$, tiny once $p \approx y$, divided by the batch
# size; the layers pass it backwards as the **activation gradients**. In float16
# anything below about $6\times10^{-8}$ becomes 0. **Loss scaling** multiplies the loss
# by a large $S$ before the backward pass, so every gradient is $S$ times larger while it
# is in float16, and divides the float32 result by $S$ again. The probe computes one
# batch's gradients, with respect to the hidden layers' outputs and to the weights, at
# the same weights in four ways, and counts the entries that are non-zero in float32
# but exactly 0 in 16 bits (`efficiency.underflow_fraction`).

# %%
probe_x = tf.constant(x_train[:probe_examples])
probe_y = tf.constant(y_train[:probe_examples])
probe_models = {p: build(p) for p in ("mixed_float16", "mixed_bfloat16")}


def gradients(model, scale=1.0):
    """Activation gradients of the hidden layers, then weight gradients, in float32."""
    with tf.GradientTape() as tape:
        acts, h = [], probe_x
        for layer in model.layers:
            h = layer(h)
            acts.append(h)
        loss = loss_fn(probe_y, h) * scale
    grads = tape.gradient(loss, acts[:-1] + model.trainable_variables)
    # unscale in float32: dividing a float16 gradient by S would underflow again
    grads = [tf.cast(g, tf.float32) / scale for g in grads]
    return grads[: len(acts) - 1], grads[len(acts) - 1:]


def probe(weights):
    for m in (reference, *probe_models.values()):
        m.set_weights(weights)
    act32, w32 = gradients(reference)
    fp16, bf16 = probe_models["mixed_float16"], probe_models["mixed_bfloat16"]
    out = {}
    for name, (act, w) in {"fp16": gradients(fp16),
                           "fp16, scaled": gradients(fp16, loss_scale),
                           "bf16": gradients(bf16)}.items():
        out[f"{name}: activations"] = efficiency.underflow_fraction(act, act32)
        out[f"{name}: weights"] = efficiency.underflow_fraction(w, w32)
    return out


# %% [markdown]
# ### Four training runs from the same start
#
# A custom training step shows what `LossScaleOptimizer` does (under `model.fit` Keras
# wraps the optimizer automatically): `get_scaled_loss` before the backward pass,
# `get_unscaled_gradients` after it; its `apply_gradients` skips a step whose gradients
# overflowed to inf/NaN and halves the scale, and doubles the scale after 2,000 clean
# steps (*dynamic* loss scaling). The float32 run is probed along the way.

# %%
def train(policy, scaled, probe_every=None):
    model = build(policy)
    optimizer = tf.keras.optimizers.Adam(learning_rate)
    if scaled:
        optimizer = mixed_precision.LossScaleOptimizer(optimizer)

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
            scaled_loss = optimizer.get_scaled_loss(loss) if scaled else loss
        grads = tape.gradient(scaled_loss, model.trainable_variables)
        if scaled:
            grads = optimizer.get_unscaled_gradients(grads)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    ds = tf.data.Dataset.from_tensor_slices((x_train, y_train))
    ds = ds.shuffle(len(x_train), seed=seed).batch(batch_size)
    losses, probes = [], []
    for epoch in range(epochs + 1):
        if probe_every and epoch % probe_every == 0:
            train_loss = float(loss_fn(y_train, model(x_train)))
            probes.append({"epoch": epoch, "fp32 training loss": train_loss,
                           **probe(model.get_weights())})
        if epoch < epochs:
            losses.append(float(np.mean([step(x, y) for x, y in ds])))
    final = float(loss_fn(y_train, model(x_train)))
    return losses, final, probes


reference = build("float32")
runs = {}
runs["float32"] = train("float32", False, probe_every=max(1, epochs // 6))
runs["mixed_float16 + loss scaling"] = train("mixed_float16", True)
runs["mixed_float16, no scaling"] = train("mixed_float16", False)
runs["mixed_bfloat16"] = train("mixed_bfloat16", False)

# %% [markdown]
# The probe along the float32 run: as the training loss falls, a growing share of the
# unscaled float16 activation gradients is exactly zero; scaled by
# {glue:text}`mp_loss_scale:,.0f`, almost none are. Not every new zero is an underflow:
# rounding the forward pass to 16 bits switches a few ReLUs on or off, and a weight
# behind a unit that is off in one run and on in the other gets an exactly-zero gradient
# in one of them only. That is why bfloat16, whose range is float32's but whose rounding
# is coarser, can show a few zeros too. The scaled and unscaled float16 probes share the
# same forward pass, so the difference between them is underflow alone.

# %%
probes = pd.DataFrame(runs["float32"][2]).set_index("epoch")
report.table(probes)

# %% tags=["remove-cell"]
fig, axes = plots.subplots(2)
ax = axes[0]
for col in ("fp16", "fp16, scaled", "bf16"):
    share = probes[f"{col}: activations"].clip(lower=1e-6)
    ax.plot(probes["fp32 training loss"], share, "o-", label=col)
ax.set(xscale="log", yscale="log", xlabel="float32 training loss",
       ylabel="activation gradients lost", title="Zeros in 16 bits (floor 1e-6)")
ax.invert_xaxis()
ax.legend()
ax = axes[1]
for name, (losses, _, _) in runs.items():
    ax.plot(range(1, epochs + 1), losses, label=name)
ax.set(yscale="log", xlabel="epoch", ylabel="mean training loss", title="Training")
ax.legend(fontsize=9)
report.figure("mp_fig", fig)

# %% [markdown]
# ```{glue:figure} mp_fig
# :alt: Left, the share of float16 activation gradients that become zero rises as the float32 training loss falls, while the loss-scaled and bfloat16 shares stay lower. Right, training loss per epoch for the four runs, which lie close together.
# :name: fig-mp
#
# Left: activation gradients non-zero in float32 but exactly zero in 16 bits, probed
# along the float32 run. Right: the four training runs from the same initial weights.
# ```

# %%
final = pd.DataFrame({"final training loss": {name: r[1] for name, r in runs.items()}})
final["ratio to float32"] = final["final training loss"] / runs["float32"][1]
report.table(final)

# %% tags=["remove-input"]
last = probes.iloc[-1]
ratio = final["ratio to float32"]
report.record(
    "mp",
    loss_scale=loss_scale,
    fp16_zero_grad_fraction=last["fp16: activations"],
    scaled_zero_grad_fraction=last["fp16, scaled: activations"],
    bf16_zero_grad_fraction=last["bf16: activations"],
    fp16_zero_weight_grad_fraction=last["fp16: weights"],
    scaled_zero_weight_grad_fraction=last["fp16, scaled: weights"],
    final_fp32_loss=runs["float32"][1],
    scaled_vs_fp32_loss_ratio=ratio["mixed_float16 + loss scaling"],
    unscaled_vs_fp32_loss_ratio=ratio["mixed_float16, no scaling"],
    bf16_vs_fp32_loss_ratio=ratio["mixed_bfloat16"],
)

# %% [markdown]
# At the end of float32 training (loss {glue:text}`mp_final_fp32_loss:.2g`),
# {glue:text}`mp_fp16_zero_grad_fraction:.2%` of the non-zero activation gradients
# vanish in float16 without scaling, {glue:text}`mp_scaled_zero_grad_fraction:.2%` with
# it, and {glue:text}`mp_bf16_zero_grad_fraction:.2%` in bfloat16. Weight gradients sum
# contributions of many examples and suffer less
# ({glue:text}`mp_fp16_zero_weight_grad_fraction:.2%` unscaled,
# {glue:text}`mp_scaled_zero_weight_grad_fraction:.2%` scaled); on large networks
# {cite:t}`micikevicius2018mixed` found most activation gradients below float16's range.
# The loss-scaled float16 run ends at {glue:text}`mp_scaled_vs_fp32_loss_ratio:.2f`
# times the float32 run's training loss, the unscaled one at
# {glue:text}`mp_unscaled_vs_fp32_loss_ratio:.2f` times and bfloat16 at
# {glue:text}`mp_bf16_vs_fp32_loss_ratio:.2f` times: 16-bit runs follow their own
# rounding path, so these ratios wander around 1 from seed to seed. On a model this
# small the lost gradients do not yet hurt the loss; they are the first sign of what
# breaks unscaled float16 training of deep networks.
#
# ## Summary
#
# * float16 has 10 mantissa bits and a range that ends at
#   {glue:text}`fmt_fp16_smallest_subnormal:.1e`; bfloat16 has float32's range and 7
#   mantissa bits. Mixed precision keeps float32 weights and computes in 16 bits.
# * Without loss scaling, {glue:text}`mp_fp16_zero_grad_fraction:.2%` of this model's
#   non-zero activation gradients are zero late in training; scaling the loss by
#   {glue:text}`mp_loss_scale:,.0f` brings that to
#   {glue:text}`mp_scaled_zero_grad_fraction:.2%`.
# * Trained with `LossScaleOptimizer`, float16 ends at
#   {glue:text}`mp_scaled_vs_fp32_loss_ratio:.2f` times the float32 loss.
# * bfloat16 needs no loss scaling; its risk is precision, not range.
# * The speed-up of 16-bit formats needs GPU/TPU tensor cores; on a CPU they show only
#   the numerics.
#
# ## Exercises
#
# 1. Set `loss_scale` to $2^{24}$ and to $2^{40}$. What happens to the probe's scaled
#    column, and why does the dynamic `LossScaleOptimizer` never get stuck there?
# 2. Remove `dtype="float32"` from the output layer and train under `mixed_float16`.
#    Where does precision get lost?
# 3. Raise `batch_size` to 512. Does the unscaled underflow share grow? Explain with the
#    $1/B$ in the gradient of a mean loss.
# 4. With a GPU with tensor cores, time one training epoch in each policy. Which layers'
#    speed-ups do you expect to be largest (see {ref}`ch14-roofline`)?

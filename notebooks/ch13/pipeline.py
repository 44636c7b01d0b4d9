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
# (ch13-pipeline)=
# # Pipeline parallelism: GPipe and its bubble
#
# Tensor parallelism splits every layer; **pipeline parallelism** splits the model between
# layers. Its S consecutive groups of layers, the *stages*, live on S devices, and
# activations flow from one to the next. Run naively, only one device works at a time.
# GPipe {cite:p}`huang2019gpipe` cuts each batch into M **micro-batches** and streams them
# through the stages, accumulating gradients, so that the stages work on different
# micro-batches at the same time. The start and the end of each step, where some stages
# have nothing to do, are the **bubble**.
#
# DTensor is an SPMD engine (every device runs the same program on its shard) and has no
# pipeline schedule, so this page places the stages with `tf.device` on the same logical
# devices and drives the GPipe schedule itself. It proves that the accumulated gradients
# equal those of the unsplit model on the whole batch, records the schedule as (stage,
# micro-batch, time slot), and measures the bubble from it.

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
num_devices = 4         # logical devices (GPUs where there are enough)
stages = 4              # S: pipeline stages, one per device (at most num_devices)
micro_batches = 8       # M: micro-batches per batch
batch_size = 64         # the whole batch, divisible by micro_batches
width = 32              # width of every layer
layers_per_stage = 2    # tanh layers in each stage

# %%
import numpy as np
import pandas as pd

from scalekit import compare, env, parallel, plots, report

tf = env.setup(seed=seed, logical_cpus=num_devices)
plots.set_theme()
if stages > num_devices or batch_size % micro_batches:
    raise ValueError("need stages <= num_devices and micro_batches dividing batch_size")
devices = [d.name for d in tf.config.list_logical_devices(
    parallel.device_type(num_devices))][:stages]
print(devices)

# %% [markdown]
# ## The model, split into stages
#
# The model is a stack of `stages × layers_per_stage` tanh layers followed by a mean
# squared error. Stage s owns its layers' variables, created on device s. The loss of a
# micro-batch is divided by M, so that the accumulated gradient is that of the mean loss
# over the whole batch (all micro-batches have the same size).

# %%
rng = np.random.default_rng(seed)
weights_np = [[(rng.normal(0, width**-0.5, (width, width)), rng.normal(0, 0.1, width))
               for _ in range(layers_per_stage)] for _ in range(stages)]
x_np = rng.normal(size=(batch_size, width))
y_np = np.sin(x_np)

stage_vars = []
for s in range(stages):
    with tf.device(devices[s]):
        stage_vars.append([tf.Variable(a) for pair in weights_np[s] for a in pair])


def run_stage(s, h):
    """Stage s's layers; its variables are on device s, and so is the computation."""
    v = stage_vars[s]
    for i in range(0, len(v), 2):
        h = tf.tanh(tf.matmul(h, v[i]) + v[i + 1])
    return h


def loss_fn(out, y):
    return tf.reduce_mean(tf.square(out - y))

# %% [markdown]
# ## The GPipe schedule, executed
#
# Time advances in slots. In each slot every stage runs at most one task: the forward
# pass of a micro-batch whose input the previous stage produced in an *earlier* slot, or,
# once the last stage has run all M forwards (GPipe's *flush*), the backward pass of a
# micro-batch whose output gradient the next stage produced earlier. A forward task keeps
# its `GradientTape`; the backward task asks that tape for the gradients of the stage's
# input and variables given the gradient of its output, adds the variables' part to the
# stage's accumulator, and hands the input's part to the previous stage. Moving a tensor
# to the next device is the pipeline's only communication.

# %%
S, M = stages, micro_batches
x_mb = np.split(x_np, M)
y_mb = np.split(y_np, M)
fwd, bwd = {}, {}                 # (stage, micro-batch) -> slot it ran in
saved, grad_out = {}, {}          # tapes and tensors between tasks
accum = [[tf.zeros_like(v) for v in vs] for vs in stage_vars]
log = []
slot = 0
while len(bwd) < S * M:
    ready = []
    for s in range(S):
        todo = [m for m in range(M) if (s, m) not in fwd]
        if todo and (s == 0 or fwd.get((s - 1, todo[0]), slot) < slot):
            ready.append(("forward", s, todo[0]))
            continue
        flushed = len([m for m in range(M) if fwd.get((S - 1, m), slot) < slot]) == M
        todo = [m for m in range(M) if (s, m) not in bwd]
        if flushed and todo and (s == S - 1 or bwd.get((s + 1, todo[0]), slot) < slot):
            ready.append(("backward", s, todo[0]))
    for phase, s, m in ready:
        with tf.device(devices[s]):
            if phase == "forward":
                sent = tf.constant(x_mb[m]) if s == 0 else saved[s - 1, m][2]
                inp = tf.identity(sent)  # on device s: the send from stage s - 1
                with tf.GradientTape() as tape:
                    tape.watch(inp)
                    out = run_stage(s, inp)
                    if s == S - 1:
                        out = loss_fn(out, y_mb[m]) / M
                saved[s, m] = (tape, inp, out)
                fwd[s, m] = slot
            else:
                tape, inp, out = saved[s, m]
                upstream = None if s == S - 1 else tf.identity(grad_out[s + 1, m])
                g_in, g_vars = tape.gradient(out, (inp, stage_vars[s]),
                                             output_gradients=upstream)
                accum[s] = [a + g for a, g in zip(accum[s], g_vars, strict=True)]
                grad_out[s, m] = g_in
                bwd[s, m] = slot
        log.append({"phase": phase, "stage": s, "micro_batch": m, "slot": slot})
    slot += 1
schedule = pd.DataFrame(log)
print(f"{len(schedule)} tasks in {slot} slots")

# %% [markdown]
# ## The same gradients as the unsplit model

# %%
every_var = [v for vs in stage_vars for v in vs]
with tf.GradientTape() as tape:
    h = tf.constant(x_np)
    for s in range(S):
        h = run_stage(s, h)
    loss = loss_fn(h, y_np)
reference = tape.gradient(loss, every_var)
pp_diff = compare.max_abs_diff([a.numpy() for vs in accum for a in vs],
                               [g.numpy() for g in reference])
print(f"pipelined vs whole-batch gradients: max |diff| = {pp_diff:.1e}")

# %% [markdown]
# ## The bubble, measured from the schedule
#
# Over the span of the step, S stages have S × (number of slots) places for work; the
# tasks fill 2SM of them. GPipe's idle share has the closed form
# $(S-1)/(M+S-1)$ {cite:p}`huang2019gpipe`: the pipeline takes $S - 1$ slots to fill in each
# direction. We measure it from the recorded schedule and compare.

# %%
measured = parallel.bubble_fraction(schedule, S)
formula = parallel.gpipe_bubble(S, M)
matches = bool(schedule.sort_values(["slot", "stage"], ignore_index=True).equals(
    parallel.gpipe_schedule(S, M)))
print(f"bubble measured {measured:.4f}, formula {formula:.4f}; "
      f"schedule equals the textbook GPipe schedule: {matches}")
report.table(schedule.pivot(index="stage", columns="slot", values="micro_batch")
             .astype("Int64").astype(str).replace("<NA>", "·"))

# %% tags=["remove-cell"]
from matplotlib.patches import Patch  # noqa: E402

fig, (ax1, ax2) = plots.subplots(2, height=3.0, width_ratios=[1.6, 1])
for row in log:
    color = "C0" if row["phase"] == "forward" else "C1"
    ax1.broken_barh([(row["slot"], 1)], (row["stage"] - 0.45, 0.9), color=color,
                    edgecolor="white")
    ax1.text(row["slot"] + 0.47, row["stage"], str(row["micro_batch"]), ha="center",
             va="center", color="white", fontsize=9)
ax1.set_yticks(range(S), [f"stage {s}" for s in range(S)])
ax1.invert_yaxis()
ax1.set_xlabel("time slot")
ax1.legend(handles=[Patch(color="C0", label="forward"),
                    Patch(color="C1", label="backward")],
           loc="upper center", bbox_to_anchor=(0.5, -0.25), ncols=2)
ms = np.arange(1, 33)
for k, s_count in enumerate(sorted({2, S, 8})):
    ax2.plot(ms, [parallel.gpipe_bubble(s_count, m) for m in ms], color=f"C{k + 2}",
             label=f"S = {s_count}")
ax2.plot([M], [measured], "o", color="black", label="measured")
ax2.set_xscale("log", base=2)
ax2.set_xlabel("micro-batches M")
ax2.set_ylabel("bubble fraction")
ax2.legend()
report.figure("pp_schedule_fig", fig)

# %% [markdown]
# ```{glue:figure} pp_schedule_fig
# :alt: Left, a Gantt chart of stages against time slots: forward boxes form a staircase down and to the right, then backward boxes a staircase back up; the empty triangles at the corners are the bubble. Right, the bubble fraction falling with the number of micro-batches for several stage counts, with the measured point on its curve.
# :name: fig-pp-schedule
#
# Left: the executed GPipe schedule (numbers are micro-batches). Right: the bubble
# fraction $(S-1)/(M+S-1)$ against M, and the one measured from the schedule on the left.
# ```

# %% [markdown]
# The bubble shrinks as M grows, but each stage must keep the activations of all M
# micro-batches until their backward pass; recomputing them in the backward pass
# (chapter 14) and the one-forward-one-backward schedule of PipeDream-Flush
# {cite:p}`narayanan2021efficient` bound that memory. Time here is counted in slots, not
# seconds: the logical devices share the machine's cores, so running stages "at once"
# does not make this page faster, and its wall-clock time says nothing about a real
# pipeline. On GPUs each slot is one stage's compute on one micro-batch, and the formula
# is what the schedule costs.

# %%
report.record("pp", grad_max_abs_diff=pp_diff, bubble_fraction=measured,
              bubble_formula=formula, schedule_matches=matches, stages=S,
              micro_batches=M, slots=slot)

# %% [markdown]
# ## Summary
#
# * {glue:text}`pp_stages` stages on as many devices, {glue:text}`pp_micro_batches`
#   micro-batches per batch: the accumulated gradients equal the unsplit model's on the
#   whole batch to {glue:text}`pp_grad_max_abs_diff:.1e`.
# * The executed schedule took {glue:text}`pp_slots` slots; it is GPipe's textbook
#   schedule ({glue:text}`pp_schedule_matches`).
# * Its measured bubble, {glue:text}`pp_bubble_fraction:.4f`, equals $(S-1)/(M+S-1)$ =
#   {glue:text}`pp_bubble_formula:.4f`.
# * Logical CPU devices share cores: the point here is *what* is computed and *when*, not
#   a speed-up.
#
# ## Exercises
#
# 1. Set `micro_batches = 1`. What is the bubble, and why is that "naive" model
#    parallelism?
# 2. How many micro-batches keep the bubble below 10 % with 8 stages?
# 3. Change the executor so that each stage starts a backward pass as soon as one is
#    ready, before its remaining forwards (the 1F1B order). Does the bubble change? What
#    does change?

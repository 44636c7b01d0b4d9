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
# (ch14-recompute)=
# # Recomputation and XLA: trading compute for memory, fusing for speed
#
# Two more ways to make one device go further. **Activation recomputation** (gradient
# checkpointing) keeps only some activations during the forward pass and recomputes the
# rest during the backward pass: less memory, more arithmetic
# {cite:p}`chen2016training`. **XLA** compiles a whole TensorFlow function into fused
# kernels: the same arithmetic, fewer trips to memory. This page checks that both give
# the same numbers as the plain computation and measures what each costs or saves, as
# ratios within one run on this machine.

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
batch_size = 2048           # rows of the recomputation batch (activations grow with it)
width = 128                 # d: each block is Dense(4d, relu) then Dense(d)
blocks = 8                  # residual blocks, each wrapped in tf.recompute_grad
repeats = 10                # interleaved timing rounds (the minimum is kept)
elementwise_size = 2**22    # elements of the XLA element-wise chain
learning_rate = 0.01
xla_steps = 20              # training steps compared with and without XLA

# %%
import pandas as pd

from scalekit import compare, efficiency, env, plots, report

tf = env.setup(seed=seed)
plots.set_theme()

# %% [markdown]
# ## Activation recomputation
#
# The network is a stack of residual blocks $h \leftarrow h + W_2\,\mathrm{relu}(W_1 h)$.
# Without recomputation, the tape keeps, per block, the block's input ($b \times d$) and
# the hidden activation ($b \times 4d$, which the gradients of ReLU and of the second
# matrix product both need). `tf.recompute_grad(f)`
# returns a function with the same outputs whose intermediate tensors are *not* kept: its
# gradient runs `f` again from the saved input. Only the block inputs survive the forward
# pass.

# %%
tf.keras.utils.set_random_seed(seed)
layers = [tf.keras.Sequential([tf.keras.Input((width,)),
                               tf.keras.layers.Dense(4 * width, activation="relu"),
                               tf.keras.layers.Dense(width)]) for _ in range(blocks)]
checkpointed = [tf.recompute_grad(block) for block in layers]
variables = [v for block in layers for v in block.trainable_variables]
x = tf.random.normal((batch_size, width), seed=seed)


def gradients(recompute):
    with tf.GradientTape() as tape:
        h = x
        for f in checkpointed if recompute else layers:
            h = h + f(h)
        loss = tf.reduce_mean(h**2)
    return tape.gradient(loss, variables)


plain_step = tf.function(lambda: gradients(False))
recompute_step = tf.function(lambda: gradients(True))
recompute_diff = compare.max_abs_diff(plain_step(), recompute_step())
print(f"max |Δgrad| = {recompute_diff:.1e}")

# %% [markdown]
# The gradients agree to {glue:text}`recompute_max_abs_diff:.1e`: recomputation repeats
# the same operations on the same inputs.
#
# ### Memory: formula and measurement
#
# Per block the tape keeps $b(d + 4d) = 5bd$ floats without recomputation; with it,
# only the block inputs ($bd$ each) plus, during the backward pass, one block's
# internals at a time. TensorFlow's allocator counts the bytes it hands out, on CPUs too
# (`tf.config.experimental.get_memory_info`), so we can also measure the peak of one
# eager gradient computation above what was allocated before it (the minimum of a few
# tries). The measured peak also holds the gradients and the backward pass's
# temporaries, so it falls less than the activations alone.

# %%
def peak_mib(fn, tries=3):
    peaks = []
    for _ in range(tries):
        tf.config.experimental.reset_memory_stats("CPU:0")
        before = tf.config.experimental.get_memory_info("CPU:0")["current"]
        [g.numpy() for g in fn()]
        peaks.append(tf.config.experimental.get_memory_info("CPU:0")["peak"] - before)
    return min(peaks) / 2**20


mib = 4 / 2**20                                         # float32 bytes, in MiB
memory = pd.DataFrame({
    "activations kept, formula (MiB)": [blocks * 5 * batch_size * width * mib,
                                        (blocks + 5) * batch_size * width * mib],
    "measured peak (MiB)": [peak_mib(lambda: gradients(False)),
                            peak_mib(lambda: gradients(True))],
}, index=["plain", "recompute_grad"])
report.table(memory, digits=3)

# %% [markdown]
# ### Time: the extra forward pass
#
# A backward pass costs about twice the forward pass, so recomputing every block's
# forward once more adds about a third: $(1 + 2 + 1)/(1 + 2) \approx 1.33$ by FLOPs. The
# two compiled steps are timed in alternation, {glue:text}`recompute_repeats` rounds,
# keeping each one's fastest (`efficiency.interleaved_min_times`), so that load from
# other programs hits both alike.

# %%
def run(step):
    return lambda: [g.numpy() for g in step()]


times = efficiency.interleaved_min_times(
    {"plain": run(plain_step), "recompute": run(recompute_step)}, repeats)
recompute_ratio = times["recompute"] / times["plain"]
print({k: f"{v * 1e3:.1f} ms" for k, v in times.items()},
      f"ratio {recompute_ratio:.2f}")

# %% tags=["remove-input"]
report.record(
    "recompute",
    max_abs_diff=recompute_diff,
    time_ratio=recompute_ratio,
    repeats=repeats,
    formula_memory_ratio=memory.iloc[1, 0] / memory.iloc[0, 0],
    measured_memory_ratio=memory.iloc[1, 1] / memory.iloc[0, 1],
)

# %% [markdown]
# Recomputation took {glue:text}`recompute_time_ratio:.2f` times as long as the plain
# step here. The FLOP count says about 1.33; the measured ratio also reflects memory
# traffic (the plain step allocates and touches more memory) and, on a machine shared
# with other programs, varies from run to run even with interleaved minima. The kept
# activations fall to {glue:text}`recompute_formula_memory_ratio:.0%` of the plain
# step's by formula, and the measured peak to
# {glue:text}`recompute_measured_memory_ratio:.0%`. Checkpointing every
# $\sqrt{L}$-th layer instead of every block gives memory $O(\sqrt{L})$ for one extra
# forward pass {cite:p}`chen2016training`.
#
# (ch14-xla)=
# ## XLA: fusing operations
#
# Without XLA, TensorFlow runs one kernel per operation: an element-wise chain of eight
# operations reads and writes the whole tensor eight times. XLA compiles the function
# and **fuses** the chain into one kernel that reads the input once and writes the output
# once; the arithmetic is the same, the memory traffic about eight times smaller. For
# memory-bound operations (see {ref}`ch14-roofline`) that is the whole cost.
# `tf.function(jit_compile=True)` asks for it.

# %%
def chain(v):
    u = v * 0.5
    u = u * (1.0 + tf.tanh(0.79788456 * (v + 0.044715 * v * v * v)))   # GELU (tanh)
    return u * tf.sigmoid(u) - 0.1 * v


eager_chain = tf.function(chain)
xla_chain = tf.function(chain, jit_compile=True)
v = tf.random.normal((elementwise_size,), seed=seed)
chain_diff = compare.max_abs_diff(eager_chain(v), xla_chain(v))
chain_times = efficiency.interleaved_min_times(
    {"plain": lambda: eager_chain(v).numpy(), "xla": lambda: xla_chain(v).numpy()},
    repeats)
chain_speedup = chain_times["plain"] / chain_times["xla"]
print(f"max |Δ| = {chain_diff:.1e}, speed-up {chain_speedup:.2f}")

# %% [markdown]
# XLA may evaluate `tanh` and `sigmoid` with its own approximations, so the outputs agree
# to float32 round-off rather than bit for bit; we accept $10^{-5}$ for values of order
# 1. The same switch on a small model's whole training step (forward, backward and the
# SGD update in one compiled program), from the same initial weights:

# %%
def train(jit, steps):
    tf.keras.utils.set_random_seed(seed)
    model = tf.keras.Sequential([tf.keras.Input((width,)),
                                 tf.keras.layers.Dense(4 * width, activation="gelu"),
                                 tf.keras.layers.Dense(width)])
    opt = tf.keras.optimizers.SGD(learning_rate)
    xs = tf.random.normal((256, width), seed=seed)

    @tf.function(jit_compile=jit)
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(xs) - xs) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss

    for _ in range(steps):
        step()
    return model, lambda: step().numpy()


plain_model, plain_train = train(False, xla_steps)
xla_model, xla_train = train(True, xla_steps)
step_diff = compare.max_abs_diff(plain_model.get_weights(), xla_model.get_weights())
step_times = efficiency.interleaved_min_times(
    {"plain": plain_train, "xla": xla_train}, repeats)
step_speedup = step_times["plain"] / step_times["xla"]
xla = pd.DataFrame({
    "max |Δ|": [chain_diff, step_diff],
    "plain (ms)": [chain_times["plain"] * 1e3, step_times["plain"] * 1e3],
    "XLA (ms)": [chain_times["xla"] * 1e3, step_times["xla"] * 1e3],
    "speed-up": [chain_speedup, step_speedup],
}, index=["element-wise chain", "training step"])
report.table(xla, digits=3)

# %% tags=["remove-input"]
report.record("xla", max_abs_diff=chain_diff, step_max_abs_diff=step_diff,
              speedup=chain_speedup, step_speedup=step_speedup, steps=xla_steps,
              within_tolerance=bool(max(chain_diff, step_diff) <= 1e-5))

# %% tags=["remove-cell"]
fig, ax = plots.subplots()
xla[["plain (ms)", "XLA (ms)"]].plot.barh(ax=ax)
ax.set(xscale="log", xlabel="fastest of the interleaved runs (ms, log scale)",
       ylabel="",
       title="Same arithmetic, with and without XLA")
report.figure("xla_fig", fig)

# %% [markdown]
# ```{glue:figure} xla_fig
# :alt: Horizontal bars of the fastest time with and without XLA for the element-wise chain and for the training step, on a log scale.
# :name: fig-xla
#
# The element-wise chain and the training step, with and without `jit_compile=True`,
# timed in alternation on this machine.
# ```
#
# Both computations agree within $10^{-5}$: the chain to
# {glue:text}`xla_max_abs_diff:.1e`, the weights after {glue:text}`xla_steps` training
# steps to {glue:text}`xla_step_max_abs_diff:.1e`. XLA ran the element-wise chain {glue:text}`xla_speedup:.2f` times as
# fast and the training step {glue:text}`xla_step_speedup:.2f` times as fast. On a
# shared CPU these ratios vary from run to run, and a matmul-heavy step has little to
# fuse: its time is in the matrix products, which XLA hands to the same libraries. On
# GPUs, where launching each kernel has a fixed cost and memory traffic dominates
# element-wise work, fusion usually helps more.
#
# ## Summary
#
# * `tf.recompute_grad` gives the same gradients (max difference
#   {glue:text}`recompute_max_abs_diff:.1e`), keeps
#   {glue:text}`recompute_formula_memory_ratio:.0%` of the activations by formula and
#   lowers the measured peak to {glue:text}`recompute_measured_memory_ratio:.0%`, for
#   {glue:text}`recompute_time_ratio:.2f` times the step time.
# * XLA's fused element-wise chain agrees to {glue:text}`xla_max_abs_diff:.1e` and ran
#   {glue:text}`xla_speedup:.2f` times as fast here; the training step
#   {glue:text}`xla_step_speedup:.2f` times.
# * Both are ratios measured in one run on a shared CPU: fusion pays most for
#   memory-bound work, recomputation costs about one extra forward pass.
#
# ## Exercises
#
# 1. Wrap pairs of blocks instead of single blocks in `tf.recompute_grad`. How do the
#    formula and the measured peak change?
# 2. Double `batch_size`. Which column of the memory table doubles?
# 3. Shorten `chain` to a single multiplication. What happens to the XLA speed-up, and
#    why?
# 4. Use `tf.function(jit_compile=True)` on a function whose input shape changes at every
#    call. Time the first few calls: what does XLA do each time?

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
# (ch05-distributed)=
# # Distributed training: data parallelism with `MirroredStrategy`
#
# The source's project wraps its one-weight model in `tf.distribute.MirroredStrategy()` and
# says that `steps_per_epoch=10` "gradually increases the training data in each epoch".
# Neither the strategy nor `steps_per_epoch` does what it claims there. This section runs
# the source's code as written, then teaches what data-parallel training is and measures
# it: the same weights as one device, the per-replica and the global batch, a pitfall with
# the last batch, throughput against replica count, and the large-batch learning-rate rule.
# The following sections run several worker *processes*
# ({ref}`ch05-distributed-multiworker`, with fault tolerance) and a parameter-server
# cluster ({ref}`ch05-distributed-ps`).
#
# Everything here runs on TensorFlow's own `tf.distribute` runtime. On a machine with GPUs
# the replicas are the GPUs; on a machine without (like the one that built this book) we
# split the CPU into several *logical* devices. That runs the very same multi-replica code
# path (variables mirrored per device, per-replica batches, an all-reduce of gradients),
# but the logical devices share the same cores: the correctness results carry over to
# GPUs, the speed results do not.

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
seed = 0                      # every random draw follows from it
num_replicas = 2              # replicas of the equivalence experiment (GPUs or CPUs)
global_batch_size = 64        # examples per synchronous step, summed over replicas
epochs = 5                    # epochs of the equivalence experiment
replica_counts = [1, 2, 4]    # throughput sweep
per_replica_batch = 64        # throughput sweep: batch per replica (global: N times)
throughput_epochs = 6         # timed epochs per replica count (the first is dropped)
throughput_copies = 4         # the training images are repeated this often for timing
lr_base_batch = 16            # large-batch experiment: the small batch ...
lr_base_rate = 0.01           # ... and its tuned learning rate
lr_scale = 16                 # the large batch is lr_scale times bigger
lr_warmup_epochs = 2          # linear warm-up length for the scaled rate
lr_epochs = 10                # epochs of each large-batch run
lr_repeats = 2                # seeds averaged per large-batch setting

# %% [markdown]
# ## Set-up
#
# `env.setup(logical_cpus=N)` must run before TensorFlow touches a device: it splits the
# CPU into `N` logical devices unless the machine already has `N` GPUs.
# `scalekit.distribute.mirrored_strategy(n)` then builds a `MirroredStrategy` on the first
# `n` GPUs, or on the first `n` logical CPUs when there are not enough GPUs.

# %%
import json
import os
import textwrap

import numpy as np
import pandas as pd

from scalekit import compare, data, distribute, env, models, plots, report, throughput

tf = env.setup(seed=seed, logical_cpus=max([num_replicas, *replica_counts]))
plots.set_theme()
report.table(env.devices())

# %% [markdown]
# (ch05-source-mirrored)=
# ## The source's code, run as written
#
# We run the source's snippet unchanged in a fresh Python process (so that it sees the
# machine as it is, without our logical devices) and record three things: how many
# replicas the strategy has, how many batches each epoch runs, and how many *different*
# examples exist.

# %%
SOURCE = textwrap.dedent("""
    import json
    import numpy as np
    import tensorflow as tf
    tf.random.set_seed(42)
    x_train = np.random.uniform(0, 100, size=(100, 1))
    y_train = 2 * x_train + 3 + np.random.normal(0, 10, size=(100, 1))

    # --- the source's §5.3.3, verbatim ---
    strategy = tf.distribute.MirroredStrategy()
    with strategy.scope():
        model = tf.keras.Sequential([
            tf.keras.layers.Dense(units=1, input_shape=(1,))
        ])
        model.compile(optimizer='sgd', loss='mse')
    # --- plus a callback that counts batches per epoch ---
    class Count(tf.keras.callbacks.Callback):
        def on_train_begin(self, logs=None): self.per_epoch = []
        def on_epoch_begin(self, epoch, logs=None): self.per_epoch.append(0)
        def on_train_batch_end(self, batch, logs=None): self.per_epoch[-1] += 1
    count = Count()
    history = model.fit(x_train, y_train, epochs=10, steps_per_epoch=10, verbose=0,
                        callbacks=[count])
    print(json.dumps({"replicas": strategy.num_replicas_in_sync,
                      "gpus": len(tf.config.list_physical_devices("GPU")),
                      "batches_per_epoch": count.per_epoch,
                      "distinct_examples": len(x_train),
                      "final_loss": str(history.history["loss"][-1])}))
""")
run = subprocess.run([sys.executable, "-c", SOURCE], capture_output=True, text=True,
                     timeout=300, check=True,
                     env={**os.environ, "TF_USE_LEGACY_KERAS": "1"})
source_run = json.loads(run.stdout.strip().splitlines()[-1])
per_epoch = source_run["batches_per_epoch"]

# %% tags=["remove-input"]
report.record("mirrored", source_replicas=source_run["replicas"],
              source_gpus=source_run["gpus"], source_batches_per_epoch=per_epoch[0],
              source_same_batches_every_epoch=len(set(per_epoch)) == 1,
              source_examples_per_epoch=per_epoch[0] * 32,
              source_final_loss_is_finite=np.isfinite(float(source_run["final_loss"])))

# %% [markdown]
# This machine has {glue:text}`mirrored_source_gpus` GPUs, and the strategy has
# {glue:text}`mirrored_source_replicas` replica(s): without GPUs, `MirroredStrategy()`
# uses the one CPU and the code runs exactly as without it. Every epoch runs the same
# {glue:text}`mirrored_source_batches_per_epoch` batches (the same number in every epoch:
# {glue:text}`mirrored_source_same_batches_every_epoch`): `steps_per_epoch` only says how
# many batches make up an "epoch" (here {glue:text}`mirrored_source_examples_per_epoch`
# example visits, cycling through the same 100 examples); it never adds data, gradually
# or otherwise. (The run's final loss is not even a number, finite:
# {glue:text}`mirrored_source_final_loss_is_finite`; that is the learning-rate problem of
# the raw inputs, corrected in
# {ref}`the linear-regression section <ch05-why-it-explodes>`.) The batch size, 32 by
# default, is
# the **global** batch: with 4 GPUs each would see 8 examples per step, and the model would
# take the same steps as on one device.
#
# ## Data parallelism in one picture
#
# A *replica* is a copy of the model on one device. In synchronous data parallelism each
# step takes a **global batch** of $B$ examples, splits it into $N$ **per-replica batches**
# of $B/N$, lets each replica compute the gradient of its mean loss, averages the $N$
# gradients (an **all-reduce**), and applies the same update on every replica. When the
# shards are equal, the mean of the per-replica means *is* the mean over the global batch,
#
# $$\nabla \frac{1}{B}\sum_{i=1}^{B} \ell_i = \frac{1}{N}\sum_{r=1}^{N}
#   \nabla \frac{N}{B}\sum_{i \in r} \ell_i ,$$
#
# so $N$ replicas with global batch $B$ follow the same trajectory as one device with batch
# $B$. The strategy makes each step cheaper per device; it changes neither the data nor the
# optimization. Here is how `MirroredStrategy` splits one global batch:

# %%
strategy = distribute.mirrored_strategy(num_replicas)
batches = tf.data.Dataset.range(4 * global_batch_size).batch(global_batch_size)
first = next(iter(strategy.experimental_distribute_dataset(batches)))
per_replica_shapes = [int(t.shape[0])
                      for t in strategy.experimental_local_results(first)]
print(f"{strategy.num_replicas_in_sync} replicas on "
      f"{distribute.replica_devices(num_replicas)}")
print(f"global batch {global_batch_size} -> per-replica batches {per_replica_shapes}")

# %%
report.record("mirrored", per_replica_batch=per_replica_shapes[0],
              global_batch=global_batch_size)

# %% [markdown]
# ### All-reduce, explained with NumPy
#
# The averaging of gradients is an all-reduce: every replica ends with the sum of all
# replicas' vectors. The *ring* algorithm popularized for deep learning by Baidu and by
# Horovod {cite:p}`sergeev2018horovod` cuts each vector into $N$ chunks and passes chunks
# around a ring: $N-1$ steps of *reduce-scatter* (each step adds a received chunk) and
# $N-1$ steps of *all-gather* (each step copies a finished chunk). The function below is an
# **illustration** of that idea in NumPy; the training in this book uses TensorFlow's
# collective ops, not this code.

# %%
def ring_allreduce(vectors: list[np.ndarray]) -> tuple[list[np.ndarray], int]:
    """Sum ``vectors`` (one per worker) by ring all-reduce; return sums, values sent."""
    n = len(vectors)
    chunks = [np.array_split(v.astype(float), n) for v in vectors]
    sent = 0
    for step in range(n - 1):                       # reduce-scatter
        messages = [(w, (w - step) % n) for w in range(n)]
        payload = [chunks[w][c].copy() for w, c in messages]
        for (w, c), p in zip(messages, payload, strict=True):
            chunks[(w + 1) % n][c] += p
            sent += p.size
    for step in range(n - 1):                       # all-gather
        messages = [(w, (w + 1 - step) % n) for w in range(n)]
        payload = [chunks[w][c].copy() for w, c in messages]
        for (w, c), p in zip(messages, payload, strict=True):
            chunks[(w + 1) % n][c] = p
            sent += p.size
    return [np.concatenate(c) for c in chunks], sent


rng = np.random.default_rng(seed)
grads = [rng.normal(size=1000) for _ in range(4)]
reduced, sent = ring_allreduce(grads)
assert all(np.allclose(r, sum(grads)) for r in reduced)
print(f"4 workers, 1000 values each: every worker ends with the sum; "
      f"{sent / 4:.0f} values sent per worker = 2(N-1)/N x 1000")

# %% [markdown]
# Each worker sends $2(N-1)/N$ times the gradient size, almost independent of $N$: that is
# why all-reduce scales to many devices when the links are fast.
#
# (ch05-mirrored-equivalence)=
# ## Experiment: N replicas give the same weights as one device
#
# Same initial weights, same data in the same order (`shuffle=False`), plain SGD: one run
# without a strategy, one under `MirroredStrategy` with `num_replicas` replicas, both with
# global batch `global_batch_size`. We first keep a multiple of the batch size of the
# training digits.

# %%
split = data.load("digits", seed=seed)


def make_model() -> tf.keras.Model:
    model = models.mlp(split.num_features, split.num_classes, width=64)
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.1),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


tf.keras.utils.set_random_seed(seed)
initial = make_model().get_weights()


def train(x, y, strategy=None) -> list[np.ndarray]:
    """Train from ``initial`` for ``epochs`` epochs; return the final weights."""
    strategy = strategy or tf.distribute.get_strategy()  # the default: one device
    with strategy.scope():
        model = make_model()
        model.set_weights(initial)
    model.fit(x, y, batch_size=global_batch_size, epochs=epochs, shuffle=False,
              verbose=0)
    return model.get_weights()


n_even = len(split.x_train) // global_batch_size * global_batch_size
x_even, y_even = split.x_train[:n_even], split.y_train[:n_even]
single = train(x_even, y_even)
mirrored = train(x_even, y_even, strategy)
equivalence = compare.max_abs_diff(single, mirrored)

# %%
report.record("mirrored", replicas=strategy.num_replicas_in_sync,
              steps=epochs * n_even // global_batch_size,
              vs_single_max_abs_diff=equivalence,
              vs_single_max_rel_diff=compare.max_rel_diff(single, mirrored))

# %% [markdown]
# After {glue:text}`mirrored_steps` SGD steps, the {glue:text}`mirrored_replicas`-replica
# run and the single-device run differ by at most
# {glue:text}`mirrored_vs_single_max_abs_diff:.1e` in any weight
# ({glue:text}`mirrored_vs_single_max_rel_diff:.1e` relative to the largest weight):
# float32 round-off from summing in a different order, nothing more.
#
# (ch05-ragged-batch)=
# ### The pitfall: a ragged last batch
#
# Now the full {glue:text}`mirrored_train_examples` training examples: the last batch of
# each epoch has only {glue:text}`mirrored_ragged_last_batch` examples. One device
# averages the loss over them. The strategy splits them unevenly across replicas (with 3
# examples and 2 replicas: 2 and 1), each replica averages its own share, and the
# all-reduce averages the replicas' means: an example alone on its replica gets more
# weight than the others. The trajectories separate.

# %%
ragged = compare.max_abs_diff(train(split.x_train, split.y_train),
                              train(split.x_train, split.y_train, strategy))


def pipeline(x, y):
    """Batches of exactly ``global_batch_size``: the ragged remainder is dropped."""
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    return ds.batch(global_batch_size, drop_remainder=True)


def train_ds(strategy=None) -> list[np.ndarray]:
    strategy = strategy or tf.distribute.get_strategy()
    with strategy.scope():
        model = make_model()
        model.set_weights(initial)
    model.fit(pipeline(split.x_train, split.y_train), epochs=epochs, verbose=0)
    return model.get_weights()


fixed = compare.max_abs_diff(train_ds(), train_ds(strategy))
n_all = len(split.x_train)
report.table(pd.DataFrame({
    "data": [f"{n_even:,} examples (divisible)", f"{n_all:,} examples (ragged)",
             f"{n_all:,} with drop_remainder=True"],
    "max |w_single - w_mirrored|": [equivalence, ragged, fixed]}),
    digits=2, index=False)

# %% tags=["remove-input"]
report.record("mirrored", train_examples=n_all,
              ragged_last_batch=n_all % global_batch_size,
              ragged_fit_max_abs_diff=ragged, ragged_fixed_max_abs_diff=fixed)

# %% [markdown]
# With the ragged batch the weights differ by {glue:text}`mirrored_ragged_fit_max_abs_diff:.1e`,
# orders of magnitude above round-off; with `drop_remainder=True` (or a data set size
# divisible by the global batch) the difference falls back to
# {glue:text}`mirrored_ragged_fixed_max_abs_diff:.1e`. Neither trajectory is wrong (both are valid
# SGD), but if you compare a distributed run with a single-device one, or resume it on a
# different number of replicas, make the batches even.
#
# (ch05-throughput)=
# ## Throughput and scaling efficiency
#
# Data parallelism is for speed. We time the small CNN of the book on the digit images
# for each replica count in `replica_counts` (by default 1, 2 and 4), keeping the
# **per-replica** batch fixed (the global batch grows with $N$, as on a real cluster),
# and report examples per second and the *scaling efficiency*
#
# $$E_N = \frac{T_N}{N \, T_1},$$
#
# where $T_N$ is the throughput with $N$ replicas. $E_N = 1$ is perfect linear scaling.
# For timing only, the training images are repeated `throughput_copies` times so that each
# epoch has enough steps; the first epoch (graph tracing) is not timed.

# %%
images = data.load("digits", seed=seed, images=True)
x_big = np.concatenate([images.x_train] * throughput_copies)
y_big = np.concatenate([images.y_train] * throughput_copies)


def build_cnn() -> tf.keras.Model:
    """The model to time; mirrored_sweep calls it inside each strategy's scope."""
    cnn = models.small_cnn(images.x_train.shape[1:], images.num_classes)
    cnn.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.05),
                loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return cnn


sweep = throughput.mirrored_sweep(build_cnn, x_big, y_big,
                                  replica_counts=replica_counts,
                                  per_replica_batch=per_replica_batch,
                                  epochs=throughput_epochs)
report.table(sweep, digits=3, index=False)

# %% tags=["remove-cell"]
fig, ax = plots.subplots(height=3.2)
ax.bar(sweep["replicas"].astype(str), sweep["efficiency"], color="C0", width=0.6)
ax.axhline(1.0, ls="--", color="k", lw=1)
ax.text(0.98, 1.02, "perfect linear scaling", ha="right", va="bottom",
        transform=ax.get_yaxis_transform(), fontsize=9)
ax.set(title="Scaling efficiency on this machine's replica devices",
       ylabel=r"efficiency $T_N / (N\,T_1)$", xlabel="replicas N",
       ylim=(0, max(1.15, sweep["efficiency"].max() * 1.1)))
report.figure("mirrored_efficiency_fig", fig)

# %% tags=["remove-input"]
report.record("mirrored", throughput_1=sweep["examples/s"].iloc[0],
              max_replicas=sweep["replicas"].iloc[-1],
              efficiency_max_replicas=sweep["efficiency"].iloc[-1],
              devices_are_gpus="GPU" in distribute.replica_devices(1)[0].upper(),
              cpu_cores=os.cpu_count() or 1)

# %% [markdown]
# ```{glue:figure} mirrored_efficiency_fig
# :alt: Bar chart of scaling efficiency for each replica count, with a dashed line at 1 for perfect linear scaling; on logical CPU devices the bars beyond one replica fall below the line.
# :name: fig-ch05-efficiency
#
# Scaling efficiency T_N/(N·T_1) at a fixed per-replica batch. On logical CPU devices
# the replicas share the same cores, so efficiency below 1 is expected.
# ```
#
# One replica trains at {glue:text}`mirrored_throughput_1:.0f` examples/s;
# {glue:text}`mirrored_max_replicas` replicas reach an efficiency of
# {glue:text}`mirrored_efficiency_max_replicas:.2f` (the replicas are GPUs:
# {glue:text}`mirrored_devices_are_gpus`). Read this honestly: logical devices share the
# machine's {glue:text}`mirrored_cpu_cores` cores, which the single replica already used
# (TensorFlow parallelizes each op across cores). Extra replicas add no arithmetic units,
# only the work of splitting batches and all-reducing gradients, so $E_N < 1$ here is
# expected, and it says nothing about GPUs. On real accelerators each replica brings its
# own compute and the question becomes whether communication keeps up:
# {cite:t}`goyal2017accurate` report about 90% scaling efficiency for ResNet-50 going
# from 8 to 256 GPUs, and {cite:t}`sergeev2018horovod` report 88% efficiency for
# Inception V3 and ResNet-101 on 128 GPUs with Horovod's ring all-reduce. Run this
# notebook on a multi-GPU machine and the same code measures your hardware
# (`benchmarks/distributed_throughput.py` runs the same `mirrored_sweep` alone).
#
# ## Large batches need larger learning rates
#
# Adding replicas at a fixed per-replica batch makes the *global* batch $N$ times larger,
# so an epoch has $N$ times fewer steps. Keep the learning rate and the model learns less
# per epoch. The *linear scaling rule* of {cite:t}`goyal2017accurate`: multiply the learning
# rate by $k$ when the batch grows by $k$, and ramp it up linearly over the first epochs
# (warm-up) because early updates are the least stable. We measure it on the digits: batch
# `lr_base_batch` with its rate, then a batch `lr_scale` times larger with the same rate,
# with the scaled rate, and with the scaled rate plus warm-up, all for the same number of
# epochs (SGD with momentum 0.9). The global batch is what matters, so these runs use one
# device; under a strategy, the global batch is replicas × per-replica batch.

# %%
class LinearWarmup(tf.keras.optimizers.schedules.LearningRateSchedule):
    """Rate rising linearly from peak/warmup_steps to ``peak``, then constant."""

    def __init__(self, peak: float, warmup_steps: int):
        self.peak, self.warmup_steps = peak, warmup_steps

    def __call__(self, step):
        step = tf.cast(step, tf.float32)
        return self.peak * tf.minimum(1.0, (step + 1.0) / self.warmup_steps)

    def get_config(self):
        return {"peak": self.peak, "warmup_steps": self.warmup_steps}


def large_batch_run(batch: int, rate: float, warmup_epochs: int,
                    run_seed: int) -> float:
    tf.keras.utils.set_random_seed(run_seed)
    steps_per_epoch = len(split.x_train) // batch
    schedule = (LinearWarmup(rate, warmup_epochs * steps_per_epoch) if warmup_epochs
                else rate)
    model = models.mlp(split.num_features, split.num_classes, width=128)
    model.compile(optimizer=tf.keras.optimizers.SGD(schedule, momentum=0.9),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    model.fit(split.x_train, split.y_train, batch_size=batch, epochs=lr_epochs,
              verbose=0)
    return float(model.evaluate(split.x_test, split.y_test, verbose=0)[1])


big = lr_base_batch * lr_scale
settings = {
    "small": (f"batch {lr_base_batch}, rate {lr_base_rate}", lr_base_batch,
              lr_base_rate, 0),
    "unscaled": (f"batch {big}, same rate", big, lr_base_rate, 0),
    "scaled": (f"batch {big}, rate ×{lr_scale}", big, lr_base_rate * lr_scale, 0),
    "warmup": (f"batch {big}, rate ×{lr_scale}, {lr_warmup_epochs}-epoch warm-up", big,
               lr_base_rate * lr_scale, lr_warmup_epochs),
}
lr_runs = pd.DataFrame([
    {"setting": key, "description": desc, "seed": seed + r,
     "test accuracy": large_batch_run(b, rate, warm, seed + r)}
    for key, (desc, b, rate, warm) in settings.items() for r in range(lr_repeats)])
lr_table = lr_runs.groupby(["setting", "description"], sort=False)["test accuracy"].agg(
    ["mean", "min", "max"]).reset_index()
report.table(lr_table.drop(columns="setting"), digits=3, index=False)

# %% tags=["remove-input"]
acc = lr_table.set_index("setting")["mean"]
spread = (lr_table["max"] - lr_table["min"]).max()
report.record("mirrored", lr_scale_factor=lr_scale, lr_acc_small=acc["small"],
              lr_acc_unscaled=acc["unscaled"], lr_acc_scaled=acc["scaled"],
              lr_acc_warmup=acc["warmup"], lr_warmup_gain=acc["warmup"] - acc["scaled"],
              lr_seed_spread=spread, lr_repeats=lr_repeats)

# %% tags=["remove-cell"]
fig, ax = plots.subplots(height=3.0)
keys = list(settings)
for k, key in enumerate(keys):
    runs = lr_runs[lr_runs["setting"] == key]["test accuracy"]
    ax.plot(runs.mean(), k, "D", color=f"C{k}", ms=10)
    ax.plot(runs, [k] * len(runs), "k.", ms=6)
ax.set_yticks(range(len(keys)), [settings[k][0] for k in keys])
ax.set(xlim=(max(0.0, lr_runs["test accuracy"].min() - 0.05), 1.0),
       ylim=(len(keys) - 0.5, -0.5),
       xlabel="test accuracy (diamond: mean over seeds; dots: runs)",
       title=f"Test accuracy after {lr_epochs} epochs")
report.figure("mirrored_lr_fig", fig)

# %% [markdown]
# ```{glue:figure} mirrored_lr_fig
# :alt: Dot plot of test accuracy for four settings: the small batch, the large batch at the same rate (clearly lowest), the large batch with the scaled rate, and the scaled rate with warm-up; diamonds mark the mean, small dots the individual seeds.
# :name: fig-ch05-large-batch
#
# The linear scaling rule on the digits: a larger batch at the same rate learns less in
# the same epochs; scaling the rate recovers the accuracy.
# ```
#
# With the small batch the model reaches {glue:text}`mirrored_lr_acc_small:.3f` test
# accuracy. The batch {glue:text}`mirrored_lr_scale_factor` times larger with the same
# rate takes {glue:text}`mirrored_lr_scale_factor` times fewer steps and stops at
# {glue:text}`mirrored_lr_acc_unscaled:.3f`; scaling the rate recovers
# {glue:text}`mirrored_lr_acc_scaled:.3f`, and warm-up gives
# {glue:text}`mirrored_lr_acc_warmup:.3f`, a change of
# {glue:text}`mirrored_lr_warmup_gain:+.3f` against the scaled rate alone (means over
# {glue:text}`mirrored_lr_repeats` seed(s); the largest spread between seeds of one
# setting is {glue:text}`mirrored_lr_seed_spread:.3f`). This small problem does not need
# warm-up. {cite:t}`goyal2017accurate` did, for ResNet-50 at batch 8,192: in their
# Table 1, the scaled rate without warm-up trains but ends at 24.84% top-1 validation
# error, against 23.60% for the small-batch baseline at batch 256, and gradual warm-up
# brings it to 23.74%. The rule has limits too: beyond some batch size no rate recovers
# the small-batch accuracy in the same number of epochs.
#
# Pruning a model under a strategy is shown in
# {ref}`the compression section <ch05-compression-strategy>`.
#
# ## Summary
#
# * The source's `MirroredStrategy()` had {glue:text}`mirrored_source_replicas` replica(s)
#   on this machine, and `steps_per_epoch=10` ran the same
#   {glue:text}`mirrored_source_batches_per_epoch` batches in every epoch: it adds no data.
# * A strategy copies the model and splits each **global** batch across replicas; with
#   even batches, {glue:text}`mirrored_replicas` replicas reproduce single-device
#   training (largest weight difference {glue:text}`mirrored_vs_single_max_abs_diff:.0e`).
# * A ragged last batch breaks that equivalence (difference
#   {glue:text}`mirrored_ragged_fit_max_abs_diff:.0e`); `drop_remainder=True` restores it.
# * Throughput scaling is a hardware question: on logical CPU devices
#   {glue:text}`mirrored_max_replicas` replicas reached an efficiency of
#   {glue:text}`mirrored_efficiency_max_replicas:.2f`; measure $E_N$ where you train.
# * A {glue:text}`mirrored_lr_scale_factor`-times larger batch at the same rate fell to
#   {glue:text}`mirrored_lr_acc_unscaled:.3f` accuracy; the scaled rate recovered
#   {glue:text}`mirrored_lr_acc_scaled:.3f`.
#
# ## Exercises
#
# 1. Set `num_replicas = 4` and `global_batch_size = 60`. Which batches are ragged now, and
#    how large is the weight difference?
# 2. Make the throughput sweep use a fixed *global* batch instead (strong scaling). How do
#    the curves change, and why?
# 3. Try `lr_scale = 64` with and without warm-up. Does warm-up start to matter?

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
# (ch05-distributed-ps)=
# # Parameter servers
#
# All-reduce ({ref}`ch05-distributed`, {ref}`ch05-distributed-multiworker`) has no central
# node: every worker holds all the weights. The older design, from DistBelief
# {cite:p}`dean2012large` and the parameter server of {cite:t}`li2014scaling`, splits the
# roles. **Parameter servers** (PS) store the variables; **workers** each run the whole
# model on their own batches, read the current variables and send back updates; a
# **coordinator** hands out the steps. TensorFlow implements it as
# `tf.distribute.ParameterServerStrategy`, with training steps dispatched asynchronously by
# a `ClusterCoordinator` (which `Model.fit` uses for you).
#
# We start a complete cluster (workers and a parameter server) inside this notebook's
# process with `tf.distribute.Server`, on free local ports, train with `fit`, and then ask
# when this design beats all-reduce.

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
seed = 0                  # every random draw follows from it
num_workers = 2           # worker tasks of the in-process cluster
num_ps = 1                # parameter-server tasks
epochs = 5                # epochs of `fit`
steps_per_epoch = 20      # required with ParameterServerStrategy: the data set repeats
global_batch_size = 64    # examples per step, summed over the replicas of a step

# %%
import pandas as pd

from scalekit import data, distribute, env, models, report

tf = env.setup(seed=seed)

# %% [markdown]
# ## An in-process cluster
#
# A `tf.distribute.Server` is one task of a cluster: it listens on its port and runs what
# the coordinator sends it. In production each task is its own process on its own machine,
# started with the same `TF_CONFIG` idea as in {ref}`ch05-distributed-multiworker`
# (cluster = `worker` and `ps` addresses, plus a `chief` that runs the coordinator). Here
# all servers live in this process, the coordinator too. Each worker gets a few
# inter-operation threads, because this machine has fewer cores than tasks
# (the retail page {ref}`ch06-recommendation` starts its cluster the same way):
#
# ```{literalinclude} ../../scalekit/distribute.py
# :language: python
# :pyobject: in_process_cluster
# :caption: scalekit/distribute.py, in_process_cluster
# ```

# %%
servers, resolver = distribute.in_process_cluster(num_workers, num_ps)
strategy = tf.distribute.ParameterServerStrategy(resolver)
print(resolver.cluster_spec().as_dict())

# %% [markdown]
# (ch05-ps-placement)=
# ## Where the variables live, and where the model runs
#
# Build and compile the model in the strategy's scope as usual, then look at each
# variable's device.

# %%
split = data.load("digits", seed=seed)
with strategy.scope():
    model = models.mlp(split.num_features, split.num_classes, width=64)
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.1),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
placement = pd.DataFrame({"variable": [v.name for v in model.variables],
                          "shape": [str(tuple(v.shape)) for v in model.variables],
                          "device": [v.device for v in model.variables]})
report.table(placement, index=False)

# %%
ps_task = placement["device"].str.extract(r"/job:ps/replica:\d+/task:(\d+)")[0]
report.record("ps", variables_on_ps=placement["device"].str.contains("/job:ps").all(),
              ps_tasks_used=ps_task.nunique())

# %% [markdown]
# Every variable sits on a `/job:ps` task ({glue:text}`ps_variables_on_ps`), spread
# over {glue:text}`ps_ps_tasks_used` of the {glue:text}`ps_num_ps` parameter-server
# task(s). The computation does not: each training step
# is a complete forward and backward pass of the *whole* model, dispatched to whichever
# worker is free, on a batch from that worker's own input pipeline. The dataset function
# below runs once on each worker; the `InputContext` says which worker it is and its
# batch size.
#
# So a parameter server is a way to do **data** parallelism (with the variables stored
# centrally, and possibly split across several PS tasks when they are large), not model
# parallelism. Model parallelism splits one model's *computation* across devices, which
# then exchange activations and gradients within every step; it does not train
# sub-models separately and merge them through a server, as the source's §1.5 puts it.

# %%
def dataset_fn(context: tf.distribute.InputContext) -> tf.data.Dataset:
    """Each worker's pipeline: its own shuffle order, repeated forever."""
    batch = context.get_per_replica_batch_size(global_batch_size)
    ds = tf.data.Dataset.from_tensor_slices((split.x_train, split.y_train))
    ds = ds.shard(context.num_input_pipelines, context.input_pipeline_id)
    return ds.shuffle(2048, seed=seed).repeat().batch(batch).prefetch(2)


history = model.fit(tf.keras.utils.experimental.DatasetCreator(dataset_fn),
                    epochs=epochs, steps_per_epoch=steps_per_epoch, verbose=0)
steps_done = int(model.optimizer.iterations.numpy())
report.table(pd.DataFrame(history.history).rename_axis("epoch"), digits=3)

# %% [markdown]
# `steps_per_epoch` is required here: the input repeats forever and the coordinator needs
# to know when an "epoch" (a block of steps followed by callbacks) ends. It does not add or
# remove data. To check the trained weights, we copy them into an ordinary model outside
# the strategy and evaluate it on the test split.

# %%
local = models.mlp(split.num_features, split.num_classes, width=64)
local.set_weights(model.get_weights())
logits = local.predict(split.x_test, verbose=0)

# %%
report.record("ps", steps_completed=steps_done, steps_expected=epochs * steps_per_epoch,
              test_accuracy=(logits.argmax(axis=1) == split.y_test).mean(),
              workers=num_workers, num_ps=num_ps)

# %% [markdown]
# The coordinator completed {glue:text}`ps_steps_completed` of the
# {glue:text}`ps_steps_expected` steps it was asked for, spread over
# {glue:text}`ps_workers` workers, and the model reached a test accuracy of
# {glue:text}`ps_test_accuracy:.3f`. The steps were *asynchronous*: a worker applies its
# update to whatever the variables are when it finishes, so a step may use weights that
# another worker has already changed ("stale" gradients). Unlike
# {ref}`ch05-mirrored-equivalence`, the result is therefore not bitwise reproducible.
#
# ## When does a parameter server beat all-reduce?
#
# Count the bytes that must move per step for a model of $M$ bytes of gradients, $N$
# workers and $S$ parameter-server shards. With ring all-reduce, each worker sends (and
# receives) $2(N-1)/N \cdot M$. With parameter servers, each worker sends $M$ of gradients
# and receives $M$ of weights, and each PS shard handles $N M / S$ in each direction. The
# table is this arithmetic (not a measurement) for a 100 MB model:

# %%
model_mb = 100.0
rows = []
for n in (4, 16, 64):
    for shards in (1, 4):
        rows.append({"workers N": n, "PS shards S": shards,
                     "all-reduce: MB per worker": 2 * (n - 1) / n * model_mb,
                     "PS: MB per worker": 2 * model_mb,
                     "PS: MB per shard (busiest node)": 2 * n * model_mb / shards})
report.table(pd.DataFrame(rows), digits=3, index=False)

# %% [markdown]
# For a dense model on a fast interconnect, all-reduce wins: the traffic per node stays
# below $2M$ however many workers join, with no extra machines and no single busiest
# node, which is why synchronous all-reduce (Horovod {cite:p}`sergeev2018horovod`, MWMS,
# PyTorch DDP) dominates GPU training. Parameter servers win in other regimes:
#
# * **Sparse updates.** A recommendation model with a huge embedding table touches a few
#   rows per batch. Workers pull and push only those rows; all-reduce of a dense gradient
#   would move the whole table. This is the setting of {cite:t}`li2014scaling`;
#   {ref}`ch06-recommendation` trains such a model with its tables sharded across PS tasks.
# * **Unreliable or uneven workers.** Asynchronous steps do not wait for the slowest
#   worker, and a lost worker only slows the job down; with all-reduce every step waits for
#   everyone, and a lost worker stops the job (see {ref}`ch05-fault-tolerance`).
# * **Variables larger than one device's memory** can be sharded across PS tasks.
#
# The price is staleness: asynchronous updates can slow convergence or need a smaller
# learning rate, and the PS tasks are extra machines to run.
#
# ## Summary
#
# * `ParameterServerStrategy` placed every variable on a parameter-server task
#   ({glue:text}`ps_variables_on_ps`) while {glue:text}`ps_workers` workers ran whole
#   training steps: a data-parallel design, not model parallelism.
# * The coordinator ran {glue:text}`ps_steps_completed` of
#   {glue:text}`ps_steps_expected` asynchronous steps, and the model reached
#   {glue:text}`ps_test_accuracy:.3f` test accuracy.
# * By arithmetic, all-reduce moves less than 2M per worker however many join, while the
#   busiest PS shard handles 2NM/S: parameter servers pay off for sparse updates,
#   unreliable workers or variables too large for one device.
#
# ## Exercises
#
# 1. Use `num_ps = 2` and look at the placement table. How does TensorFlow spread the
#    variables? (Look up `variable_partitioner` for splitting one large variable.)
# 2. Train with `num_workers = 1`. Is the result closer to an ordinary single-device run?
# 3. Extend the traffic table with a sparse model where a step touches 1% of the weights.

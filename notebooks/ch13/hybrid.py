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
# (ch13-hybrid)=
# # Hybrid parallelism, the bill, and more than one machine
#
# The source's third strategy is "hybrid parallelism" (混合并行), which "combines the
# advantages of data and model parallelism" (§1.5). In practice, large models are trained
# on a mesh with one axis per kind of parallelism: tensor parallelism inside a machine,
# pipeline stages across machines, data parallelism (often sharded) over the rest
# {cite:p}`narayanan2021efficient`. This page trains a model on a 2-D mesh (data × model)
# and proves it equal to one device; writes the bill of memory and communication for
# every strategy, for this page's model and for 7- and 70-billion-parameter models; and
# runs the same DTensor program as several client processes, the way it runs on several
# machines.

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
mesh_shape = [2, 2]     # devices along (batch, model); product = num_devices
steps = 10              # Adam steps of each run
batch_size = 32         # global batch, split along "batch"
width = 16              # inputs and outputs of the Megatron MLP block
hidden_units = 64       # hidden width, split along "model"
learning_rate = 1e-2    # Adam's step size
run_multi_client = True  # also run the program as 2 client processes on localhost

# %%
import json
import tempfile
from pathlib import Path

import numpy as np

from scalekit import compare, env, parallel, plots, report, workers

tf = env.setup(seed=seed, logical_cpus=num_devices)
plots.set_theme()
from tensorflow.experimental import dtensor  # noqa: E402  (after the devices are set)

# %% [markdown]
# ## A 2-D mesh: data × model
#
# The model is chapter 13's Megatron MLP block ({ref}`ch13-tensor-parallel`). On a mesh
# with a `batch` and a `model` axis, the batch is split along `batch` and the block's
# weights along `model`, so each device holds 1/(model-axis size) of the weights and
# 1/(batch-axis size) of the batch. The weight gradients are then summed over `batch` (the
# data-parallel all-reduce) and the activations over `model` (the tensor-parallel one);
# DTensor derives both from the layouts.

# %%
dims = parallel.mesh_dims(["batch", "model"], mesh_shape, num_devices)
mesh = dtensor.create_mesh(dims, device_type=parallel.device_type(num_devices))
U = dtensor.UNSHARDED
spec = {"w1": [U, "model"], "b1": ["model"], "w2": ["model", U], "b2": [U]}

init, x_np, y_np = parallel.mlp_task(seed, width=width, hidden_units=hidden_units,
                                     steps=steps, batch_size=batch_size)


def block(p, x):
    return tf.matmul(tf.nn.relu(tf.matmul(x, p["w1"]) + p["b1"]), p["w2"]) + p["b2"]



def train(p, m, v, place=lambda a, k: a, to_numpy=lambda t: t.numpy()):
    """K Adam steps on the page's data; ``place`` puts a batch or a step on devices."""
    @tf.function
    def step(x, y, t):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(block(p, x) - y))
        parallel.adam_update(p, tape.gradient(loss, p), m, v, t, lr=learning_rate)
        return loss

    for k in range(steps):
        step(place(x_np[k], "data"), place(y_np[k], "data"),
             place(np.float64(k + 1), "scalar"))
    return {k: to_numpy(w.read_value()) for k, w in p.items()}

# %% [markdown]
# The reference runs on one device; the hybrid run differs only in where the variables
# and the batches live.

# %%
single = train({k: tf.Variable(a) for k, a in init.items()},
               {k: tf.Variable(np.zeros_like(a)) for k, a in init.items()},
               {k: tf.Variable(np.zeros_like(a)) for k, a in init.items()})


def on_mesh(array, layout):
    full = dtensor.copy_to_mesh(tf.constant(array),
                                dtensor.Layout.replicated(mesh, np.ndim(array)))
    return dtensor.relayout(full, layout)


def dvars(arrays):
    return {k: dtensor.DVariable(on_mesh(a, dtensor.Layout(spec[k], mesh)))
            for k, a in arrays.items()}


def place(a, kind):
    return on_mesh(a, dtensor.Layout(["batch", U] if kind == "data" else [], mesh))


def gather(t):
    rep = dtensor.Layout.replicated(mesh, len(t.shape))
    return dtensor.unpack(dtensor.relayout(t, rep))[0].numpy()


zeros = {k: np.zeros_like(a) for k, a in init.items()}
hybrid = train(dvars(init), dvars(zeros), dvars(zeros), place, gather)
hybrid_diff = compare.max_abs_diff(hybrid, single)
moved = compare.max_abs_diff(single, init)
print(f"mesh {dict(dims)}: max |hybrid − one device| = {hybrid_diff:.1e} "
      f"(training moved them {moved:.3f})")

# %% [markdown]
# ## The bill
#
# What each strategy costs per device, by formula (`scalekit.parallel`): the bytes of the
# **model states** (with mixed-precision Adam, 16 bytes per parameter as in
# {cite:t}`rajbhandari2020zero`; activations not counted) and the bytes each device
# **sends per training step** in ring collectives (for tensor parallelism, four
# all-reduces of the activations per layer; for pipelines, activations and their
# gradients once across each stage boundary). The large models are shaped like Llama 2's
# 7B (32 layers of width 4,096) and 70B (80 layers of width 8,192)
# {cite:p}`touvron2023llama` with a global batch of 4M tokens; the devices have 80 GB.
# "tensor+zero3" is tensor parallelism in groups of 8 (one machine) with ZeRO-3 across the
# groups.
#
# ```{literalinclude} ../../scalekit/parallel.py
# :pyobject: step_comm_bytes
# ```

# %%
psi = sum(a.size for a in init.values())
models = {
    "this page's block": {"params": psi, "layers": 1, "hidden": width,
                          "tokens": batch_size},
    "7B": {"params": 6.7e9, "layers": 32, "hidden": 4096, "tokens": 2**22},
    "70B": {"params": 70e9, "layers": 80, "hidden": 8192, "tokens": 2**22},
}
bill = parallel.bill(models, [8, 64])
big = bill[bill.model != "this page's block"]
wide = big.pivot_table(index=["model", "strategy"], columns="devices",
                       values=["state_gb", "comm_gb"], sort=False)
wide.columns = [f"{'states' if v == 'state_gb' else 'sent'} GB, {n} devices"
                for v, n in wide.columns]
report.table(wide, digits=3)

# %% [markdown]
# How to read it, which is also how practitioners choose {cite:p}`narayanan2021efficient`:
#
# 1. **Fit first.** Plain data parallelism needs all 16 bytes per parameter on every
#    device: {glue:text}`bill_dp_7b_state_gb:.0f` GB for the 7B model, more than a device
#    holds, at any device count.
#    ZeRO-1/2 cut that without sending a byte more than data parallelism; ZeRO-3 (FSDP)
#    divides everything by N for 1.5 times the traffic.
# 2. **Then communicate least, on the fastest links.** Tensor parallelism sends
#    *activations* four times per layer; that is far more bytes than any other column, so
#    it stays inside a machine, where NVLink-class links are an order of magnitude faster
#    than the network. A pipeline sends activations only across stage boundaries, point
#    to point rather than in collectives, and its traffic does not grow with the number
#    of parameters: it suits the slow links between machines, at the price of the bubble
#    ({ref}`ch13-pipeline`).
# 3. **Combine.** Tensor parallelism inside a machine × pipeline across machines × data
#    parallelism (sharded if memory is tight) over the rest: the mesh has one axis per
#    strategy, as the 2-D mesh above has two.
#
# For this page's tiny block every strategy fits, and the right choice is plain data
# parallelism; the sharded strategies only pay off when the states do not fit.

# %%
page = bill[(bill.model == "this page's block") & (bill.devices == 8)]
report.table(page.drop(columns="model").assign(
    state_bytes=page.state_gb * 1e9, sent_bytes=page.comm_gb * 1e9
).drop(columns=["state_gb", "comm_gb"]), index=False, digits=3)


# %% tags=["remove-cell"]
fig, axes = plots.subplots(2, height=3.6)
order = list(parallel.STRATEGIES)
pos = np.arange(len(order))
for k, name in enumerate(("7B", "70B")):
    sel = bill[(bill.model == name) & (bill.devices == 64)].set_index("strategy")
    for ax, column in zip(axes, ("state_gb", "comm_gb"), strict=True):
        ax.bar(pos + (k - 0.5) * 0.4, sel.loc[order, column], width=0.4,
               color=f"C{k}", label=name)
axes[0].axhline(80, color="0.3", ls=":", label="80 GB device")
titles = ("model states per device (GB)", "GB sent per device per step")
for ax, title in zip(axes, titles, strict=True):
    ax.set_yscale("log")
    ax.set_title(title)
    ax.set_xticks(pos, order, rotation=40, ha="right")
axes[0].legend()
report.figure("bill_fig", fig)

# %% [markdown]
# ```{glue:figure} bill_fig
# :alt: Two bar charts on logarithmic axes, one bar per strategy for the 7B and the 70B model on 64 devices. Left, model-state memory per device with a dotted line at 80 GB: data parallelism and ZeRO-1/2 of the 70B model lie above it, the fully sharded strategies below. Right, bytes sent per device per step: tensor parallelism is two orders of magnitude above the others.
# :name: fig-bill
#
# The bill on 64 devices, by formula: memory of the model states per device (left;
# below the dotted line they fit in an 80 GB device) and bytes each device sends per
# training step (right).
# ```

# %% [markdown]
# ## Beyond one machine: multi-client DTensor
#
# On several machines, each machine runs one **client** process with the same program;
# each client owns its local devices, and DTensor builds one mesh over all of them. The
# clients find each other through four environment variables: `DTENSOR_CLIENT_ID` (this
# client's index), `DTENSOR_NUM_CLIENTS`, `DTENSOR_JOB_NAME` and `DTENSOR_JOBS` (the
# `host:port` of every client, in order). `dtensor.initialize_accelerator_system()` reads
# them and connects the clients; `dtensor.create_distributed_mesh` then makes the global
# mesh. Each client feeds the shards that live on its own devices; here every client
# holds the whole (small) batch and `relayout` keeps its part.
#
# The program below is the hybrid training above, as a script. We run it as two clients
# on this machine, each with two logical CPU devices: the 2 × 2 mesh now spans two
# processes, which talk over gRPC exactly as two hosts would. Each worker gets its client
# index from the `TF_CONFIG` that `scalekit.workers.WorkerGroup` hands it.

# %%
WORKER = '''
import json, os, sys
import numpy as np
task = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
os.environ["DTENSOR_CLIENT_ID"] = str(task)   # the other three come from the parent
import tensorflow as tf
from tensorflow.experimental import dtensor

data = np.load(sys.argv[1])
mesh_shape, steps, lr = json.loads(sys.argv[2])
dtensor.initialize_accelerator_system("CPU", num_logical_cpu_devices=int(sys.argv[3]))
mesh = dtensor.create_distributed_mesh(
    [("batch", mesh_shape[0]), ("model", mesh_shape[1])], device_type="CPU")
U = dtensor.UNSHARDED
spec = {"w1": [U, "model"], "b1": ["model"], "w2": ["model", U], "b2": [U]}

def on_mesh(a, spec):
    rep = dtensor.copy_to_mesh(tf.constant(a), dtensor.Layout.replicated(mesh, a.ndim))
    return dtensor.relayout(rep, dtensor.Layout(spec, mesh))

p = {k: dtensor.DVariable(on_mesh(data[k], spec[k])) for k in spec}
m = {k: dtensor.DVariable(on_mesh(0 * data[k], spec[k])) for k in spec}
v = {k: dtensor.DVariable(on_mesh(0 * data[k], spec[k])) for k in spec}

@tf.function
def step(x, y, t, b1=0.9, b2=0.999, eps=1e-8):
    with tf.GradientTape() as tape:
        h = tf.nn.relu(tf.matmul(x, p["w1"]) + p["b1"])
        loss = tf.reduce_mean(tf.square(tf.matmul(h, p["w2"]) + p["b2"] - y))
    g = tape.gradient(loss, p)
    for k in p:
        m_new = b1 * m[k] + (1 - b1) * g[k]
        v_new = b2 * v[k] + (1 - b2) * tf.square(g[k])
        upd = lr * m_new / (1 - b1**t) / (tf.sqrt(v_new / (1 - b2**t)) + eps)
        p[k].assign_sub(upd)
        m[k].assign(m_new)
        v[k].assign(v_new)

for k in range(steps):
    step(on_mesh(data["x"][k], ["batch", U]), on_mesh(data["y"][k], ["batch", U]),
         on_mesh(np.float64(k + 1), []))
out = {}
for k, w in p.items():
    full = dtensor.Layout.replicated(mesh, len(w.shape))
    rep = dtensor.relayout(w.read_value(), full)
    out[k] = dtensor.unpack(rep)[0].numpy()           # a shard on this client's devices
if dtensor.client_id() == 0:
    np.savez(sys.argv[4], **out)
print("client", dtensor.client_id(), "of", dtensor.num_clients(), "devices",
      dtensor.num_global_devices("CPU"), "done")
'''

# %%
clients = 2
mc_diff = None
if run_multi_client and num_devices % clients == 0:
    work = Path(tempfile.mkdtemp(prefix="ch13-dtensor-"))
    (work / "worker.py").write_text(WORKER)
    np.savez(work / "data.npz", x=x_np, y=y_np, **init)
    ports = workers.free_ports(clients)
    dtensor_env = {"DTENSOR_NUM_CLIENTS": str(clients), "DTENSOR_JOB_NAME": "worker",
                   "DTENSOR_JOBS": ",".join(f"localhost:{p}" for p in ports)}
    command = workers.python_command(
        work / "worker.py", work / "data.npz", json.dumps([mesh_shape, steps,
                                                          learning_rate]),
        num_devices // clients, work / "weights.npz")
    results = workers.run_workers(command, clients, work / "logs", timeout=300,
                                     extra_env=dtensor_env)
    for r in results:
        print(r.log.read_text().strip().splitlines()[-1])
    multi = dict(np.load(work / "weights.npz"))
    mc_diff = compare.max_abs_diff(multi, single)
    print(f"two clients vs one device: max |diff| = {mc_diff:.1e}")
else:
    print("multi-client run skipped (switched off, or the devices do not split)")

# %% [markdown]
# On real machines only `DTENSOR_JOBS` changes (their host names instead of `localhost`),
# and `"GPU"` or `"TPU"` replaces `"CPU"`; the training code itself does not change.

# %%
report.record("hybrid", max_abs_diff=hybrid_diff, weights_moved=moved,
              mesh_batch=mesh_shape[0], mesh_model=mesh_shape[1],
              mc_ran=mc_diff is not None,
              mc_max_abs_diff=-1.0 if mc_diff is None else mc_diff)

# %% tags=["remove-input"]
def cell(model, devices, strategy, column):
    sel = bill[(bill.model == model) & (bill.devices == devices)
               & (bill.strategy == strategy)]
    return float(sel[column].iloc[0])


report.record("bill", dp_7b_state_gb=cell("7B", 8, "data", "state_gb"),
              zero3_7b_8_state_gb=cell("7B", 8, "zero3", "state_gb"),
              zero3_70b_64_state_gb=cell("70B", 64, "zero3", "state_gb"),
              tp_70b_8_comm_gb=cell("70B", 8, "tensor", "comm_gb"),
              dp_70b_64_comm_gb=cell("70B", 64, "data", "comm_gb"),
              pp_70b_64_comm_gb=cell("70B", 64, "pipeline", "comm_gb"))

# %% [markdown]
# ## Summary
#
# * On a {glue:text}`hybrid_mesh_batch` × {glue:text}`hybrid_mesh_model` mesh (data ×
#   model) the Megatron block trains to the same weights as on one device: max difference
#   {glue:text}`hybrid_max_abs_diff:.1e`, while training moved them by
#   {glue:text}`hybrid_weights_moved:.3f`.
# * The same program, run as two client processes with the `DTENSOR_*` variables, gives
#   the same weights again (max difference {glue:text}`hybrid_mc_max_abs_diff:.1e`).
# * The bill, by formula: a 7B model's states take {glue:text}`bill_dp_7b_state_gb:.0f` GB
#   per device under data parallelism, {glue:text}`bill_zero3_7b_8_state_gb:.1f` GB under
#   ZeRO-3 on 8 devices; a 70B model's {glue:text}`bill_zero3_70b_64_state_gb:.1f` GB on 64.
# * Traffic decides the rest: for the 70B model, tensor parallelism on 8 devices sends
#   {glue:text}`bill_tp_70b_8_comm_gb:,.0f` GB per device per step, data parallelism on 64
#   {glue:text}`bill_dp_70b_64_comm_gb:.0f` GB, a pipeline {glue:text}`bill_pp_70b_64_comm_gb:.0f`
#   GB. Fit first, then put the heaviest traffic on the fastest links.
#
# ## Exercises
#
# 1. Run the hybrid training with `mesh_shape = [4, 1]` and `[1, 4]`. Which strategies of
#    this chapter are these two meshes?
# 2. Add ZeRO-3 to the hybrid run: shard the weights' *other* dimension along `batch`.
#    Which layouts change, and does the result still match?
# 3. With the bill, find the smallest number of 80 GB devices on which the 70B model's
#    states fit under ZeRO-1, ZeRO-2 and ZeRO-3.
# 4. In the worker, give each client only its own half of the batch (read the client id)
#    instead of the whole batch. Which DTensor call builds a sharded tensor from local
#    pieces? (Hint: `dtensor.pack`.)

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
# (ch05-distributed-multiworker)=
# # Several workers, and surviving the loss of one
#
# `MirroredStrategy` ({ref}`ch05-distributed`) keeps all replicas in one process on one
# machine. To use several machines, each machine runs its own copy of the training
# program, a *worker*, and `tf.distribute.MultiWorkerMirroredStrategy` (MWMS) keeps their
# replicas in lock-step with collective all-reduce over the network. Each worker learns who
# it is from the environment variable `TF_CONFIG`.
#
# We run real worker processes, here on one machine (`localhost`, one port each); on a
# cluster only `TF_CONFIG` changes. Then we kill a worker in the middle of training with
# `SIGKILL`, as a lost machine would, relaunch the job, and check that
# `tf.keras.callbacks.BackupAndRestore` resumed it with nothing lost.
#
# The notebook itself does not train: it writes the training script, launches the workers
# with `scalekit.workers` (free ports, `TF_CONFIG`, captured logs, a timeout, and every
# child killed if anything fails) and reads back what they saved.

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
seed = 0                  # seeds the data split and the initial weights in every worker
num_workers = 2           # worker processes
epochs = 6                # training epochs
global_batch_size = 64    # examples per synchronous step, summed over all workers
kill_after_epoch = 3      # the fault-tolerance demo kills a worker after this epoch
worker_timeout = 600      # seconds before a hanging job is killed
workdir = ""              # folder for scripts, logs and backups; empty: a temporary one

# %%
import os
import tempfile
from pathlib import Path

import pandas as pd

from scalekit import compare, plots, report, workers

plots.set_theme()
work = Path(workdir or tempfile.mkdtemp(prefix="ch05-multiworker-"))
work.mkdir(parents=True, exist_ok=True)
os.chdir(work)  # every path below is relative to this working folder

# %% [markdown]
# ## `TF_CONFIG`: who is who
#
# `TF_CONFIG` is a JSON object with the whole cluster (every task's `host:port`) and the
# task this process is. On a real cluster of two machines it reads, for the first worker:

# %%
two_machines = {"worker": ["10.0.0.1:12345", "10.0.0.2:12345"]}
print(workers.tf_config(two_machines, "worker", 0))

# %% [markdown]
# and the second machine gets the same cluster with `"index": 1`. Worker 0 is the *chief*:
# it also writes checkpoints and logs. On one machine we give each worker its own free
# port:

# %%
cluster = workers.localhost_cluster(num_workers)
for i in range(num_workers):
    print(workers.tf_config(cluster, "worker", i))

# %% [markdown]
# ## The training script
#
# Every worker runs this same file. It is an ordinary Keras program with three
# multi-worker details: the strategy is created **first** (it connects to the other
# workers), the model is built and compiled inside `strategy.scope()`, and the batch size
# is the *global* one (MWMS gives each worker its share of every batch). The
# `BackupAndRestore` callback saves the training state at the end of every epoch and, when
# the script starts again with a backup present, restores it and continues with the next
# epoch. Other details: the data order is fixed (`shuffle=False`), every worker saves its
# final weights so we can compare them, and an `EpochLog` callback records the loss of each
# epoch. The `--stall-after-epoch` option exists only for the demonstration below; it
# makes worker 1 stop and wait to be killed at a known point.

# %%
# %%writefile train_mwms.py
"""One worker of a MultiWorkerMirroredStrategy job; TF_CONFIG says which one."""
import argparse
import json
import os
import signal
from pathlib import Path

import numpy as np

from scalekit import data, env

parser = argparse.ArgumentParser()
parser.add_argument("--out", required=True)              # folder shared by all workers
parser.add_argument("--epochs", type=int, default=6)
parser.add_argument("--global-batch-size", type=int, default=64)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--stall-after-epoch", type=int, default=0)  # demo only
args = parser.parse_args()

tf = env.setup(seed=args.seed)                    # tf_keras (Keras 2), seeded
index = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
strategy = tf.distribute.MultiWorkerMirroredStrategy()  # first: joins the cluster
out = Path(args.out)

split = data.load("digits", seed=args.seed)
batch = args.global_batch_size
n = len(split.x_train) // batch * batch  # even batches
dataset = tf.data.Dataset.from_tensor_slices((split.x_train[:n], split.y_train[:n]))
dataset = dataset.batch(batch, drop_remainder=True)
options = tf.data.Options()  # each worker keeps its share of every global batch
shard_policy = tf.data.experimental.AutoShardPolicy.DATA
options.experimental_distribute.auto_shard_policy = shard_policy
dataset = dataset.with_options(options)

with strategy.scope():
    model = tf.keras.Sequential([
        tf.keras.Input(shape=(64,)),
        tf.keras.layers.Dense(64, activation="relu"),
        tf.keras.layers.Dense(10),
    ])
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.1),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))


class EpochLog(tf.keras.callbacks.Callback):
    """Append each finished epoch to history_<index>.jsonl (epochs counted from 0)."""

    def on_epoch_end(self, epoch, logs=None):
        with open(out / f"history_{index}.jsonl", "a") as f:
            f.write(json.dumps({"epoch": epoch, "loss": float(logs["loss"]),
                                "pid": os.getpid()}) + "\n")
        if index == 1 and epoch + 1 == args.stall_after_epoch:
            (out / "stalled").write_text(str(epoch + 1))
            signal.pause()  # wait here to be killed: a reproducible failure point


backup = tf.keras.callbacks.BackupAndRestore(backup_dir=str(out / "backup"),
                                             save_freq="epoch")
model.fit(dataset, epochs=args.epochs, shuffle=False, verbose=2,
          callbacks=[backup, EpochLog()])  # backup first: it saves before EpochLog runs
np.savez(out / f"weights_{index}.npz", *model.get_weights())
print("finished", flush=True)

# %% [markdown]
# ## Run the job
#
# `workers.run_workers` starts `num_workers` copies of the script, each with its own
# `TF_CONFIG` and `TF_USE_LEGACY_KERAS=1` (TensorFlow's own MWMS tutorial fails under
# Keras 3, as reported in
# [keras-team/keras#20585](https://github.com/keras-team/keras/issues/20585); the book
# uses Keras 2 throughout), waits for all of them, and raises an error with the failing
# worker's last log lines if one of them fails.

# %%
import json  # the notebook's own imports (the cell above only wrote a file)
import time

import numpy as np


def command(out: Path, *extra: object) -> list[str]:
    return workers.python_command("train_mwms.py", "--out", out, "--epochs", epochs,
                                  "--global-batch-size", global_batch_size,
                                  "--seed", seed, *extra)


clean = Path("uninterrupted")
start = time.perf_counter()
results = workers.run_workers(command(clean), num_workers, clean / "logs",
                              timeout=worker_timeout)
mwms_seconds = time.perf_counter() - start
report.table(pd.DataFrame([vars(r) for r in results]).astype({"log": str}), index=False)

# %%
print(workers.log_tail(results[0].log, 2 * epochs + 1))

# %%
def load_weights(path: Path) -> list[np.ndarray]:
    with np.load(path) as f:
        return [f[k] for k in f.files]


worker_weights = [load_weights(clean / f"weights_{i}.npz") for i in range(num_workers)]

# %%
report.record("mwms", workers=num_workers, epochs=epochs, seconds=mwms_seconds,
              weights_max_abs_diff_across_workers=max(
                  compare.max_abs_diff(worker_weights[0], w) for w in worker_weights))

# %% [markdown]
# The {glue:text}`mwms_workers` workers trained for {glue:text}`mwms_epochs` epochs in
# {glue:text}`mwms_seconds:.0f` s of wall time, most of it spent starting TensorFlow in each
# process and connecting them. Their final weights are bitwise identical (largest
# difference between workers: {glue:text}`mwms_weights_max_abs_diff_across_workers:.1g`):
# each step, every worker
# applied the same all-reduced gradient to the same weights. Nothing here is particular to
# one machine: give each machine its `TF_CONFIG` and start the same script there.
#
# (ch05-fault-tolerance)=
# ## Fault tolerance: kill a worker, relaunch, resume
#
# Synchronous training needs every worker at every step, so the loss of one machine stops
# the job. The remedy is to save the training state regularly and restart from it. We run
# the same job again; after epoch `kill_after_epoch` worker 1 announces that it has
# finished the epoch (and `BackupAndRestore` has saved it), and we kill the process with
# `SIGKILL`, which no Python code can catch or clean up after.

# %%
faulty = Path("interrupted")
with workers.WorkerGroup(command(faulty, "--stall-after-epoch", kill_after_epoch),
                         num_workers, faulty / "logs_attempt_1") as job:
    job.wait_for_file(faulty / "stalled", timeout=worker_timeout)  # worker 1 is ready
    killed_at = time.time()
    job.kill(1)                                     # SIGKILL, like a lost machine
    try:
        ended = job.wait(timeout=120, check=False)  # does the survivor notice?
        survivor_code = ended[0].returncode
    except workers.WorkerError:                     # it hung: the group was killed
        survivor_code = None
    survivor_log = workers.log_tail(job.log(0), 40)
print(f"worker 1 exit code {job.procs[1].returncode} (-9 = SIGKILL); "
      f"worker 0 exit code {survivor_code}, "
      f"{time.time() - killed_at:.0f} s after the kill")
errors = [line for line in survivor_log.splitlines() if "Error" in line]
print(errors[-1][:400] if errors else survivor_log)

# %%
report.record("mwms", killed_worker_exit_code=job.procs[1].returncode,
              survivor_saw_unavailable="UnavailableError" in survivor_log,
              kill_after_epoch=kill_after_epoch)

# %% [markdown]
# The surviving worker did not hang: its all-reduce failed with TensorFlow's
# `UnavailableError` once the coordination service noticed that the killed worker had
# stopped sending heartbeats (the check above printed
# {glue:text}`mwms_survivor_saw_unavailable`). In production a cluster manager (Kubernetes, a
# batch scheduler) now restarts the job; here we do it by hand, with the same command and
# the same output folder, so the workers find the backup.

# %%
results = workers.run_workers(command(faulty), num_workers, faulty / "logs_attempt_2",
                              timeout=worker_timeout)
history = pd.DataFrame([json.loads(line) for line in
                        (faulty / "history_0.jsonl").read_text().splitlines()])
first_pid = history["pid"].iloc[0]
history["attempt"] = np.where(history["pid"] == first_pid, "before the kill",
                              "relaunched")
resumed_at = int(history.loc[history["attempt"] == "relaunched", "epoch"].min())
resumed = load_weights(faulty / "weights_0.npz")
report.table(history[["epoch", "loss", "attempt"]], digits=4, index=False)

# %% tags=["remove-input"]
report.record("mwms", resume_started_at_epoch=resumed_at,
              resume_final_weights_max_abs_diff=compare.max_abs_diff(worker_weights[0],
                                                                     resumed))

# %% tags=["remove-cell"]
reference = pd.DataFrame([json.loads(line) for line in
                          (clean / "history_0.jsonl").read_text().splitlines()])
fig, ax = plots.subplots(height=3.6)
ax.plot(reference["epoch"] + 1, reference["loss"], "o-", lw=4, alpha=0.35, color="C0",
        label="uninterrupted run")
for k, (name, part) in enumerate(history.groupby("attempt", sort=False)):
    ax.plot(part["epoch"] + 1, part["loss"], "s--", color=f"C{k + 1}",
            label=f"interrupted run: {name}")
ax.axvline(kill_after_epoch + 0.5, color="0.3", lw=1.5)
ax.text(kill_after_epoch + 0.55, ax.get_ylim()[1], "worker 1 killed (SIGKILL)",
        color="0.3", va="top", fontsize=9)
ax.set_xticks(reference["epoch"] + 1)
ax.set(xlabel="epoch", ylabel="training loss", title="Resuming from BackupAndRestore")
ax.legend(loc="lower left")
report.figure("mwms_resume_fig", fig)

# %% [markdown]
# ```{glue:figure} mwms_resume_fig
# :alt: Training loss per epoch for the uninterrupted run (thick faint line) and the interrupted run, split at a vertical line where worker 1 was killed; the relaunched epochs continue from the backup and lie on the uninterrupted curve.
# :name: fig-ch05-resume
#
# Training loss of worker 0 per epoch: the uninterrupted job, and the job that lost a
# worker and was relaunched from its `BackupAndRestore` backup.
# ```
#
# The relaunched job did not start over: Keras counts epochs from 0, and it began at epoch
# index {glue:text}`mwms_resume_started_at_epoch`, right after the
# {glue:text}`mwms_kill_after_epoch` epochs completed before the kill. Its final weights differ
# from the uninterrupted run's by at most
# {glue:text}`mwms_resume_final_weights_max_abs_diff:.1g`:
# the two runs are the same computation, because the backup holds the weights, the
# optimizer state and the epoch counter, and the data order is deterministic.
#
# What this relies on, and its limits:
#
# * **Epoch-level saves lose the epoch in progress.** The work done after the last backup
#   is redone. `save_freq=<steps>` saves more often, but a run resumed in the middle of an
#   epoch starts that epoch's data from its first batch again, so with a finite data set
#   some batches are seen twice and the result is no longer identical to an uninterrupted
#   run.
# * **Deterministic input.** With `shuffle=True` or a randomly shuffled `tf.data` pipeline,
#   the resumed epochs see a different order unless the shuffle is seeded per epoch; the
#   run is then still correct, just not bitwise equal.
# * **Same cluster shape.** Restart with the same number of workers; a different number
#   changes the per-worker batches (see the ragged-batch pitfall in
#   {ref}`ch05-ragged-batch`).
#
# ## Summary
#
# * {glue:text}`mwms_workers` worker processes, each told its role by `TF_CONFIG`, trained
#   one model with `MultiWorkerMirroredStrategy`; their final weights agree to
#   {glue:text}`mwms_weights_max_abs_diff_across_workers:.1g`.
# * A worker killed with `SIGKILL` (exit code {glue:text}`mwms_killed_worker_exit_code`)
#   stops the synchronous job: the survivor's all-reduce failed with `UnavailableError`
#   ({glue:text}`mwms_survivor_saw_unavailable`).
# * Relaunched with the same command, `BackupAndRestore` resumed at epoch index
#   {glue:text}`mwms_resume_started_at_epoch`, and the final weights differ from the
#   uninterrupted run's by {glue:text}`mwms_resume_final_weights_max_abs_diff:.1g`.
# * Bitwise resumption needs epoch-level saves, deterministic input and the same cluster
#   shape.
#
# ## Exercises
#
# 1. Kill worker 0 (the chief) instead of worker 1. Does the job still resume?
# 2. Relaunch with `num_workers = 1` after the kill. What happens, and why?
# 3. Change `save_freq` to a number of steps, kill in the middle of an epoch, and measure
#    how far the final weights move from the uninterrupted run.

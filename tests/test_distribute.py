"""scalekit.distribute, .workers and .throughput: devices, ports, TF_CONFIG, worker
processes (errors, timeouts, no orphans) and throughput timing."""

from __future__ import annotations

import json
import os
import socket
import sys
import textwrap
import time

import numpy as np
import pytest

from scalekit import distribute
from scalekit import throughput as t
from scalekit import workers as d

# A worker that reads its TF_CONFIG: index 0 starts a grandchild and sleeps, index 1
# behaves according to MODE (exit with an error, or succeed).
CHILD = textwrap.dedent("""
    import json, os, subprocess, sys, time
    task = json.loads(os.environ["TF_CONFIG"])["task"]
    print("legacy keras", os.environ.get("TF_USE_LEGACY_KERAS"), flush=True)
    print("I am", task["type"], task["index"], flush=True)
    mode = sys.argv[1]
    if mode == "ok":
        sys.exit(0)
    if task["index"] == 0:
        grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
        print("grandchild", grandchild.pid, flush=True)
        time.sleep(120)
    elif mode == "fail":
        time.sleep(1.0)
        print("something went wrong in epoch 3", flush=True)
        sys.exit(3)
    else:
        time.sleep(120)
""")


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _alive(pid: int, grace: float = 5.0) -> bool:
    """True if ``pid`` still runs (not a zombie) after ``grace`` seconds for SIGKILL to land."""
    deadline = time.monotonic() + grace
    while _running(pid):
        if time.monotonic() > deadline:
            return True
        time.sleep(0.05)
    return False


def _grandchild_pid(log) -> int:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for line in log.read_text().splitlines() if log.exists() else []:
            if line.startswith("grandchild"):
                return int(line.split()[1])
        time.sleep(0.1)
    raise AssertionError("the worker never reported its grandchild")


@pytest.fixture
def child_script(tmp_path):
    path = tmp_path / "child.py"
    path.write_text(CHILD)
    return path


def test_free_ports_are_distinct_and_bindable():
    ports = d.free_ports(4)
    assert len(set(ports)) == 4
    for p in ports:
        with socket.socket() as s:
            s.bind(("localhost", p))


@pytest.mark.parametrize("bad", [0, -1])
def test_free_ports_rejects_bad_count(bad):
    with pytest.raises(ValueError, match="n must be"):
        d.free_ports(bad)


def test_localhost_cluster_and_tf_config():
    cluster = d.localhost_cluster(2, num_ps=1)
    assert sorted(cluster) == ["ps", "worker"]
    assert len(cluster["worker"]) == 2 and len(cluster["ps"]) == 1
    assert all(a.startswith("localhost:") for a in cluster["worker"] + cluster["ps"])
    config = json.loads(d.tf_config(cluster, "worker", 1))
    assert config == {"cluster": cluster, "task": {"type": "worker", "index": 1}}
    assert "chief" in d.localhost_cluster(1, chief=True)


def test_tf_config_two_machines():
    cluster = {"worker": ["10.0.0.1:12345", "10.0.0.2:12345"]}
    assert json.loads(d.tf_config(cluster, "worker", 0))["cluster"] == cluster


@pytest.mark.parametrize(("cluster", "task", "index", "match"), [
    ({"worker": ["localhost:1"]}, "worker", 1, "task_index"),
    ({"worker": ["localhost:1"]}, "ps", 0, "task_type"),
    ({"boss": ["localhost:1"]}, "boss", 0, "unknown task type"),
    ({"worker": []}, "worker", 0, "non-empty"),
    ({"worker": ["localhost"]}, "worker", 0, "bad address"),
    ({}, "worker", 0, "cluster must be"),
])
def test_tf_config_rejects_bad_input(cluster, task, index, match):
    with pytest.raises(ValueError, match=match):
        d.tf_config(cluster, task, index)


def test_zero_workers_is_a_value_error(child_script, tmp_path):
    with pytest.raises(ValueError, match="num_workers"):
        d.run_workers(d.python_command(child_script, "ok"), 0, tmp_path)
    with pytest.raises(ValueError, match="num_workers"):
        d.localhost_cluster(0)
    with pytest.raises(TypeError, match="command"):
        d.WorkerGroup("python train.py", 2, tmp_path)


def test_workers_get_their_own_tf_config(child_script, tmp_path):
    results = d.run_workers(d.python_command(child_script, "ok"), 3, tmp_path, timeout=60)
    assert [r.returncode for r in results] == [0, 0, 0]
    for r in results:
        log = r.log.read_text()
        assert f"I am worker {r.index}" in log
        assert "legacy keras 1" in log


def test_failing_worker_raises_with_log_tail_and_leaves_no_orphans(child_script, tmp_path):
    group = d.WorkerGroup(d.python_command(child_script, "fail"), 2, tmp_path)
    with pytest.raises(d.WorkerError) as err, group:
        grandchild = _grandchild_pid(group.log(0))
        group.wait(timeout=60)
    message = str(err.value)
    assert "worker 1" in message and "code 3" in message
    assert "something went wrong in epoch 3" in message  # the log tail
    for pid in [*group.pids, grandchild]:
        assert not _alive(pid), f"process {pid} survived"


def test_timeout_kills_everything(child_script, tmp_path):
    group = d.WorkerGroup(d.python_command(child_script, "hang"), 2, tmp_path).start()
    grandchild = _grandchild_pid(group.log(0))
    start = time.monotonic()
    with pytest.raises(d.WorkerError, match="still running"):
        group.wait(timeout=1.5)
    assert time.monotonic() - start < 30
    for pid in [*group.pids, grandchild]:
        assert not _alive(pid), f"process {pid} survived"


def test_kill_one_worker_with_sigkill(child_script, tmp_path):
    with d.WorkerGroup(d.python_command(child_script, "hang"), 2, tmp_path) as group:
        group.kill(1)
        assert group.procs[1].wait(timeout=10) == -9
        assert group.procs[0].poll() is None
        with pytest.raises(ValueError, match="index"):
            group.kill(5)
        with pytest.raises(TypeError, match="sig"):
            group.kill(0, sig="KILL")
    assert not any(_alive(p) for p in group.pids)


def test_wait_rejects_bad_timeout(child_script, tmp_path):
    with d.WorkerGroup(d.python_command(child_script, "ok"), 1, tmp_path) as group, \
            pytest.raises(ValueError, match="timeout"):
        group.wait(timeout=0)


def test_log_tail(tmp_path):
    path = tmp_path / "log.txt"
    path.write_text("\n".join(str(i) for i in range(100)))
    assert d.log_tail(path, 3) == "97\n98\n99"
    assert d.log_tail(tmp_path / "missing.txt") == ""


def test_python_command_uses_this_interpreter():
    assert d.python_command("train.py", "--epochs", 3) == [sys.executable, "train.py",
                                                          "--epochs", "3"]


def test_scaling_efficiency():
    eff = t.scaling_efficiency({1: 100.0, 2: 150.0, 4: 200.0})
    assert eff == {1: 1.0, 2: 0.75, 4: 0.5}
    with pytest.raises(ValueError, match="1-replica"):
        t.scaling_efficiency({2: 1.0})
    with pytest.raises(ValueError, match=r"throughputs\[2\]"):
        t.scaling_efficiency({1: 1.0, 2: 0.0})


def test_replica_devices_and_bad_counts():
    import tensorflow as tf  # noqa: F401  (scalekit already selected tf_keras)

    assert len(distribute.replica_devices(1)) == 1
    with pytest.raises(ValueError, match="num_replicas"):
        distribute.replica_devices(0)
    with pytest.raises(ValueError, match="num_replicas=4096 exceeds"):
        distribute.replica_devices(4096)
    with pytest.raises(ValueError, match="num_replicas"):
        distribute.mirrored_strategy(4096)
    assert distribute.mirrored_strategy(1).num_replicas_in_sync == 1


def test_fit_throughput_counts_examples_per_second():
    from scalekit import env, models

    tf = env.setup(seed=0)
    model = models.mlp(4, 2, width=4)
    model.compile(optimizer="sgd", loss=tf.keras.losses.SparseCategoricalCrossentropy(
        from_logits=True))
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    rate = t.fit_throughput(model, x, y, batch_size=16, epochs=2)
    assert np.isfinite(rate) and rate > 0
    with pytest.raises(ValueError, match="warmup_epochs"):
        t.fit_throughput(model, x, y, batch_size=16, epochs=2, warmup_epochs=2)
    with pytest.raises(ValueError, match="batch_size"):
        t.fit_throughput(model, x, y, batch_size=128)
    assert os.environ["TF_USE_LEGACY_KERAS"] == "1"


@pytest.mark.parametrize(("call", "match"), [
    (lambda: d.free_ports(2, host=""), "host"),
    (lambda: d.free_ports(1.5), "n must be"),
    (lambda: d.localhost_cluster(1, chief="yes"), "chief"),
    (lambda: d.localhost_cluster(1, num_ps=-1), "num_ps"),
    (lambda: d.tf_config({"worker": ["localhost:1"]}, 0, 0), "task_type"),
    (lambda: d.log_tail("x.log", 0), "lines"),
    (lambda: d.run_workers(["python"], 1, ".", timeout=-1), "timeout"),
    (lambda: d.WorkerGroup(["python"], 1, ".", extra_env=["A=1"]), "extra_env"),
    (lambda: d.WorkerGroup(["python"], 1, ".").log(-1), "index"),
    (lambda: t.scaling_efficiency([1.0, 2.0]), "throughputs"),
    (lambda: t.scaling_efficiency({1: 1.0, 0: 1.0}), "replica count"),
    (lambda: t.mirrored_sweep(None, [], [], replica_counts=[1], per_replica_batch=1),
     "build"),
    (lambda: t.mirrored_sweep(lambda: None, [], [], replica_counts=[],
                              per_replica_batch=1), "replica_counts"),
    (lambda: t.mirrored_sweep(lambda: None, [], [], replica_counts=[1],
                              per_replica_batch=0), "per_replica_batch"),
])
def test_bad_arguments_name_themselves(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_wait_for_file_and_wait_rejects_bad_poll(child_script, tmp_path):
    with d.WorkerGroup(d.python_command(child_script, "hang"), 1, tmp_path) as group:
        (tmp_path / "here").write_text("1")
        assert group.wait_for_file(tmp_path / "here", timeout=5) == tmp_path / "here"
        with pytest.raises(d.WorkerError, match="never appeared"):
            group.wait_for_file(tmp_path / "absent", timeout=0.5)
        with pytest.raises(ValueError, match="poll"):
            group.wait(timeout=1, poll=0)


def test_mirrored_sweep_table():
    from scalekit import env, models

    tf = env.setup(seed=0)

    def build():
        model = models.mlp(4, 2, width=4)
        model.compile(optimizer="sgd", loss=tf.keras.losses.SparseCategoricalCrossentropy(
            from_logits=True))
        return model

    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    table = t.mirrored_sweep(build, x, y, replica_counts=[1], per_replica_batch=16,
                             epochs=2)
    assert list(table.columns) == ["replicas", "global batch", "examples/s", "speed-up",
                                   "efficiency"]
    assert table["replicas"].tolist() == [1] and table["efficiency"].iloc[0] == 1.0


def test_in_process_cluster_starts_every_task():
    from scalekit import env

    env.setup(seed=0)
    servers, resolver = distribute.in_process_cluster(2, 1)
    jobs = resolver.cluster_spec().as_dict()
    assert len(jobs["worker"]) == 2 and len(jobs["ps"]) == 1
    assert len(servers) == 3
    assert all(s.target.startswith("grpc://") for s in servers)


@pytest.mark.parametrize("workers_, ps, match", [(0, 1, "num_workers"), (1, 0, "num_ps"),
                                                 (1.5, 1, "num_workers")])
def test_in_process_cluster_rejects_bad_counts(workers_, ps, match):
    with pytest.raises((ValueError, TypeError), match=match):
        distribute.in_process_cluster(workers_, ps)

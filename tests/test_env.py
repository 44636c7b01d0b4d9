import subprocess
import sys
import textwrap

import pytest

from scalekit import env


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=300)


def test_setup_returns_tensorflow_with_keras2_and_seeds():
    tf = env.setup(seed=3)
    assert tf.keras.layers.Dense.__module__.startswith("tf_keras")
    a = tf.random.uniform([3]).numpy()
    env.setup(seed=3)
    b = tf.random.uniform([3]).numpy()
    assert (a == b).all()


def test_seed_everything_seeds_numpy_and_python():
    import random

    import numpy as np

    env.seed_everything(7)
    a = (random.random(), np.random.rand())
    env.seed_everything(7)
    assert a == (random.random(), np.random.rand())


@pytest.mark.parametrize("bad", [-1, 1.5, "1", True])
def test_seed_rejects_bad_values(bad):
    with pytest.raises((ValueError, TypeError), match="seed"):
        env.setup(seed=bad)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"deterministic": "yes"}, "deterministic"), ({"quiet": 1}, "quiet"),
    ({"logical_cpus": 1.5}, "logical_cpus")])
def test_setup_rejects_bad_switches(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        env.setup(seed=0, **kwargs)


def test_zero_logical_cpus_is_rejected():
    with pytest.raises(ValueError, match="logical_cpus"):
        env.setup(seed=0, logical_cpus=0)


def test_logical_cpus_in_a_fresh_process():
    out = _run("""
        import scalekit.env as e
        tf = e.setup(seed=0, logical_cpus=3)
        print(len(tf.config.list_logical_devices("CPU")), len(e.devices()))
    """)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[-2:] == ["3", "3"]


def test_logical_cpus_after_initialization_is_a_clear_error():
    out = _run("""
        import scalekit.env as e
        tf = e.setup(seed=0)
        tf.constant(1.0) + 1.0            # initializes the devices
        try:
            e.setup(seed=0, logical_cpus=2)
        except RuntimeError as err:
            print("RAISED", err)
    """)
    assert "RAISED" in out.stdout and "logical_cpus=2" in out.stdout, out.stderr[-2000:]


def test_keras3_is_detected():
    out = _run("""
        import os
        os.environ["TF_USE_LEGACY_KERAS"] = "0"
        import tensorflow as tf
        import scalekit.env as e
        try:
            e.setup(seed=0)
        except RuntimeError as err:
            print("RAISED", err)
    """)
    assert "RAISED" in out.stdout and "Keras 2" in out.stdout, out.stderr[-2000:]


def test_system_table_lists_versions():
    table = env.system_table()
    assert {"Python", "TensorFlow", "Keras behind tf.keras"} <= set(table.index)
    assert table.loc["Keras behind tf.keras", "value"].startswith("tf_keras")

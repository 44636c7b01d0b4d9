"""scalekit.parallel: mesh checks, collective bytes, the GPipe schedule, the bill."""

import pandas as pd
import pytest

from scalekit import parallel


def test_mesh_dims_checks_the_device_count():
    assert parallel.mesh_dims(["batch", "model"], [2, 2], 4) == [("batch", 2), ("model", 2)]
    with pytest.raises(ValueError, match="num_devices"):
        parallel.mesh_dims(["batch", "model"], [2, 3], 4)
    with pytest.raises(ValueError, match="names"):
        parallel.mesh_dims(["batch"], [2, 2], 4)
    with pytest.raises(ValueError, match=r"mesh_shape\[1\]"):
        parallel.mesh_dims(["batch", "model"], [4, 0], 4)


def test_device_type_falls_back_to_cpu():
    assert parallel.device_type(10_000) == "CPU"
    with pytest.raises(ValueError, match="num_devices"):
        parallel.device_type(0)


def test_collective_bytes_ring_formulas():
    assert parallel.collective_bytes("all_reduce", 4, 100.0) == pytest.approx(150.0)
    assert parallel.collective_bytes("all_gather", 4, 100.0) == pytest.approx(75.0)
    assert parallel.collective_bytes("reduce_scatter", 4, 100.0) == pytest.approx(75.0)
    assert parallel.collective_bytes("all_reduce", 1, 100.0) == 0.0
    with pytest.raises(ValueError, match="kind"):
        parallel.collective_bytes("broadcast", 4, 1.0)
    with pytest.raises(ValueError, match="nbytes"):
        parallel.collective_bytes("all_gather", 4, -1.0)


@pytest.mark.parametrize(("s", "m"), [(1, 1), (2, 4), (4, 8), (3, 1), (4, 16)])
def test_gpipe_schedule_bubble_matches_formula(s, m):
    sched = parallel.gpipe_schedule(s, m)
    assert len(sched) == 2 * s * m
    assert not sched.duplicated(["stage", "slot"]).any()
    assert parallel.bubble_fraction(sched, s) == pytest.approx(parallel.gpipe_bubble(s, m))
    # dependencies: a forward follows the previous stage's forward of the same micro-batch
    fwd = sched[sched.phase == "forward"].set_index(["stage", "micro_batch"]).slot
    bwd = sched[sched.phase == "backward"].set_index(["stage", "micro_batch"]).slot
    for (stage, mb), slot in fwd.items():
        if stage:
            assert fwd[(stage - 1, mb)] < slot
    for (stage, mb), slot in bwd.items():
        assert fwd[(s - 1, m - 1)] < slot
        if stage < s - 1:
            assert bwd[(stage + 1, mb)] < slot


def test_bubble_fraction_validates():
    with pytest.raises(TypeError, match="schedule"):
        parallel.bubble_fraction([(0, 0)], 1)
    bad = pd.DataFrame({"stage": [0, 0], "slot": [0, 0]})
    with pytest.raises(ValueError, match="two tasks"):
        parallel.bubble_fraction(bad, 1)
    with pytest.raises(ValueError, match="stage"):
        parallel.bubble_fraction(pd.DataFrame({"stage": [3], "slot": [0]}), 2)
    with pytest.raises(ValueError, match="stages"):
        parallel.gpipe_bubble(0, 4)


def test_state_bytes_follow_zero_paper():
    psi, n = 7.5e9, 64  # ZeRO paper, figure 1: 120 GB, 31.4 GB, 16.6 GB, 1.9 GB
    assert parallel.state_bytes("data", psi, n) / 1e9 == pytest.approx(120.0)
    assert parallel.state_bytes("zero1", psi, n) / 1e9 == pytest.approx(31.4, abs=0.05)
    assert parallel.state_bytes("zero2", psi, n) / 1e9 == pytest.approx(16.6, abs=0.05)
    assert parallel.state_bytes("zero3", psi, n) / 1e9 == pytest.approx(1.875)
    assert parallel.state_bytes("tensor+zero3", psi, 64) == pytest.approx(16 * psi / 64)
    with pytest.raises(ValueError, match="strategy"):
        parallel.state_bytes("fsdp", psi, n)
    with pytest.raises(ValueError, match="params"):
        parallel.state_bytes("data", 0, n)
    with pytest.raises(ValueError, match="tensor_degree"):
        parallel.state_bytes("tensor+zero3", psi, 12, tensor_degree=8)


def test_step_comm_bytes():
    kw = {"layers": 2, "hidden": 8, "tokens": 16}
    dp = parallel.step_comm_bytes("data", 1000.0, 4, **kw)
    assert dp == pytest.approx(2 * 3 / 4 * 2000)
    assert parallel.step_comm_bytes("zero3", 1000.0, 4, **kw) == pytest.approx(1.5 * dp)
    assert parallel.step_comm_bytes("tensor", 1000.0, 4, **kw) == pytest.approx(
        4 * 2 * 2 * 3 / 4 * 2 * 16 * 8)
    assert parallel.step_comm_bytes("pipeline", 1000.0, 4, **kw) == 2 * 2 * 16 * 8
    assert parallel.step_comm_bytes("data", 1000.0, 1, **kw) == 0.0
    with pytest.raises(ValueError, match="layers"):
        parallel.step_comm_bytes("data", 1000.0, 4, layers=0, hidden=8, tokens=16)


def test_bill_table():
    models = {"7B": {"params": 7e9, "layers": 32, "hidden": 4096, "tokens": 2**20}}
    table = parallel.bill(models, [8, 64])
    assert len(table) == 2 * len(parallel.STRATEGIES)
    assert list(table.columns) == ["model", "devices", "strategy", "state_gb", "fits",
                                   "comm_gb"]
    row = table[(table.devices == 8) & (table.strategy == "data")].iloc[0]
    assert row.state_gb == pytest.approx(112.0) and not row.fits
    with pytest.raises(ValueError, match="lacks"):
        parallel.bill({"x": {"params": 1.0}}, [8])


def test_mlp_task_shapes_seed_and_bad_input():
    init, x, y = parallel.mlp_task(0, width=4, hidden_units=6, steps=3, batch_size=5)
    assert init["w1"].shape == (4, 6) and init["w2"].shape == (6, 4)
    assert not init["b1"].any() and x.shape == y.shape == (3, 5, 4)
    again = parallel.mlp_task(0, width=4, hidden_units=6, steps=3, batch_size=5)
    assert (again[1] == x).all()
    with pytest.raises(ValueError, match="hidden_units"):
        parallel.mlp_task(0, width=4, hidden_units=0, steps=3, batch_size=5)
    with pytest.raises(TypeError, match="width"):
        parallel.mlp_task(0, width=4.5, hidden_units=6, steps=3, batch_size=5)


def test_adam_update_matches_keras_adam_and_checks_keys():
    tf = pytest.importorskip("tensorflow")
    import numpy as np

    w0, grad = np.array([0.5, -1.0, 2.0]), np.array([0.1, -0.3, 0.2])
    p = {"w": tf.Variable(w0)}
    m, v = {"w": tf.Variable(np.zeros(3))}, {"w": tf.Variable(np.zeros(3))}
    ref = tf.Variable(w0)
    keras_adam = tf.keras.optimizers.Adam(learning_rate=0.01, epsilon=1e-8)
    for t in (1, 2, 3):
        parallel.adam_update(p, {"w": tf.constant(grad)}, m, v, t, lr=0.01)
        keras_adam.apply_gradients([(tf.constant(grad), ref)])
    # Keras adds epsilon to sqrt(v) with the bias correction folded into the rate: a
    # difference of the order of epsilon
    assert np.max(np.abs(p["w"].numpy() - ref.numpy())) < 1e-6
    with pytest.raises(ValueError, match="same keys"):
        parallel.adam_update(p, {"x": tf.constant(grad)}, m, v, 1, lr=0.01)

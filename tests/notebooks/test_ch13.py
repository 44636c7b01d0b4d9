"""Chapter 13: parallelism beyond data, on a mesh of logical CPU devices with DTensor.

Each notebook runs once as its page (small sizes) and once as a variant at another mesh
shape and seed. Every equality the chapter claims is asserted at both.
"""

import pytest

from nbtools import dump, run_page, run_variant

pytestmark = pytest.mark.notebook

MESH = "notebooks/ch13/mesh.ipynb"
TP = "notebooks/ch13/tensor_parallel.ipynb"
SHARDED = "notebooks/ch13/sharded.ipynb"
PIPELINE = "notebooks/ch13/pipeline.ipynb"
HYBRID = "notebooks/ch13/hybrid.ipynb"


@pytest.fixture(scope="module")
def mesh():
    return run_page(MESH, {"seed": 0, "num_devices": 4, "mesh_shape": [2, 2]})


@pytest.fixture(scope="module")
def tp():
    return run_page(TP, {"seed": 0, "num_devices": 4, "batch_size": 16, "width": 16,
                         "hidden_units": 64})


@pytest.fixture(scope="module")
def fsdp():
    return run_page(SHARDED, {"seed": 0, "num_devices": 4, "steps": 8, "batch_size": 32,
                              "hidden_units": 32})


@pytest.fixture(scope="module")
def pp():
    return run_page(PIPELINE, {"seed": 0, "num_devices": 4, "stages": 4,
                               "micro_batches": 8, "batch_size": 32})


@pytest.fixture(scope="module")
def hybrid():
    return run_page(HYBRID, {"seed": 0, "num_devices": 4, "mesh_shape": [2, 2],
                             "steps": 6, "run_multi_client": True})


def check_mesh(g, devices):
    assert g["mesh_devices"] == devices, dump(g)
    assert g["mesh_share_per_device"] == pytest.approx(1 / devices), dump(g)
    assert g["mesh_roundtrip_max_abs_diff"] == 0.0, dump(g)
    assert g["mesh_allreduce_max_abs_diff"] <= 1e-5, dump(g)
    assert g["mesh_allreduce_bytes"] == pytest.approx(2 * g["mesh_allgather_bytes"])


def test_mesh_layouts_and_collectives(mesh):
    check_mesh(mesh, 4)


# The mesh page runs once: its layouts and collectives are re-checked on other meshes
# by the tensor-parallel, sharded, pipeline and hybrid variants below.


def check_tp(g, devices):
    assert g["tp_max_abs_diff"] <= 1e-5, dump(g)
    assert g["tp_partial_sum_max_abs_diff"] <= 1e-5, dump(g)
    assert g["tp_partial_alone_diff"] > 0.1, dump(g)  # no single device has the output
    assert g["tp_param_bytes_ratio"] == pytest.approx(g["tp_param_bytes_formula"]), dump(g)
    assert g["tp_inverse_devices"] == pytest.approx(1 / devices)
    assert abs(g["tp_param_bytes_ratio"] - 1 / devices) < 0.02, dump(g)


def test_tensor_parallel_equals_one_device(tp):
    check_tp(tp, 4)


def check_fsdp(g, devices):
    assert g["fsdp_max_abs_diff"] <= 1e-5, dump(g)
    assert g["fsdp_dp_max_abs_diff"] <= 1e-5, dump(g)
    assert g["fsdp_vs_dp_max_abs_diff"] <= 1e-5, dump(g)
    assert g["fsdp_weights_moved"] > 1e-2, dump(g)  # training did move the weights
    assert g["fsdp_state_bytes_ratio"] == pytest.approx(1 / devices), dump(g)
    assert g["fsdp_inverse_devices"] == pytest.approx(1 / devices)
    assert g["fsdp_comm_ratio"] == pytest.approx(1.5), dump(g)


def test_zero3_equals_one_device(fsdp):
    check_fsdp(fsdp, 4)
    assert fsdp["fsdp_steps"] == 8


def test_zero3_other_size_and_seed():
    check_fsdp(run_variant(SHARDED, {"seed": 1, "num_devices": 2, "steps": 5,
                                     "batch_size": 16, "hidden_units": 16},
                           tag="seed1"), 2)


def check_pp(g, s, m):
    assert g["pp_grad_max_abs_diff"] <= 1e-5, dump(g)
    assert g["pp_schedule_matches"] is True, dump(g)
    assert g["pp_bubble_fraction"] == pytest.approx((s - 1) / (m + s - 1)), dump(g)
    assert g["pp_bubble_formula"] == pytest.approx(g["pp_bubble_fraction"]), dump(g)
    assert g["pp_slots"] == 2 * (m + s - 1), dump(g)
    assert (g["pp_stages"], g["pp_micro_batches"]) == (s, m)


def test_pipeline_gradients_and_bubble(pp):
    check_pp(pp, 4, 8)


# Tensor and pipeline parallelism run once; sharding and the hybrid mesh also run on
# another mesh and seed.


def check_hybrid(g, shape):
    assert g["hybrid_max_abs_diff"] <= 1e-5, dump(g)
    assert g["hybrid_weights_moved"] > 1e-2, dump(g)
    assert [g["hybrid_mesh_batch"], g["hybrid_mesh_model"]] == shape


def test_hybrid_and_multi_client_equal_one_device(hybrid):
    check_hybrid(hybrid, [2, 2])
    assert hybrid["hybrid_mc_ran"] is True, dump(hybrid)
    assert 0 <= hybrid["hybrid_mc_max_abs_diff"] <= 1e-5, dump(hybrid)


def test_hybrid_other_mesh_and_seed_without_clients():
    g = run_variant(HYBRID, {"seed": 1, "num_devices": 4, "mesh_shape": [4, 1],
                             "steps": 4, "hidden_units": 32, "run_multi_client": False},
                    tag="seed1")
    check_hybrid(g, [4, 1])
    assert g["hybrid_mc_ran"] is False, dump(g)


def test_the_bill(hybrid):
    assert hybrid["bill_dp_7b_state_gb"] == pytest.approx(16 * 6.7, rel=1e-6)
    assert hybrid["bill_dp_7b_state_gb"] > 80  # does not fit one 80 GB device
    assert hybrid["bill_zero3_7b_8_state_gb"] == pytest.approx(16 * 6.7 / 8)
    assert hybrid["bill_zero3_70b_64_state_gb"] == pytest.approx(16 * 70 / 64)
    # tensor parallelism sends the most; a pipeline less than data parallelism at 70B
    assert hybrid["bill_tp_70b_8_comm_gb"] > hybrid["bill_dp_70b_64_comm_gb"]
    assert hybrid["bill_pp_70b_64_comm_gb"] < hybrid["bill_dp_70b_64_comm_gb"]

"""Chapter 5.3 (distributed training): one page run per notebook, small, plus a variant at
another size and seed where the claims depend on sizes (mirrored, parameter server).

The multi-worker page starts real worker processes three times (slow); its claims are
structural (identical weights, a killed worker, an exact resume) and its page run already
uses non-default sizes, so it has no variant.
"""

import math

import pytest

from nbtools import dump, run_page, run_variant

pytestmark = pytest.mark.notebook

MIRRORED = "notebooks/ch05/distributed.ipynb"
MULTIWORKER = "notebooks/ch05/distributed_multiworker.ipynb"
PS = "notebooks/ch05/distributed_ps.ipynb"

MIRRORED_PAGE = {"seed": 0, "num_replicas": 2, "global_batch_size": 64, "epochs": 3,
                 "replica_counts": [1, 2], "throughput_epochs": 3,
                 "throughput_copies": 2, "lr_epochs": 6, "lr_repeats": 1}
# 4 replicas, global batch 40: the ragged last batch (1347 mod 40 = 27) splits 7/7/7/6
MIRRORED_VARIANT = {"seed": 1, "num_replicas": 4, "global_batch_size": 40, "epochs": 2,
                    "replica_counts": [1, 4], "throughput_epochs": 2,
                    "throughput_copies": 1, "lr_epochs": 6, "lr_repeats": 1}
PS_PAGE = {"seed": 0, "num_workers": 2, "num_ps": 1, "epochs": 3, "steps_per_epoch": 10}


@pytest.fixture(scope="module")
def mirrored_page():
    return run_page(MIRRORED, MIRRORED_PAGE)


@pytest.fixture(scope="module")
def mirrored_variant():
    return run_variant(MIRRORED, MIRRORED_VARIANT, tag="seed1")


@pytest.fixture(scope="module", params=["page", "variant"])
def mirrored(request):
    params = MIRRORED_PAGE if request.param == "page" else MIRRORED_VARIANT
    return params, request.getfixturevalue(f"mirrored_{request.param}")


@pytest.fixture(scope="module")
def multiworker():
    # workdir empty: a temporary folder (the page prints only paths relative to it)
    return run_page(MULTIWORKER, {"seed": 0, "num_workers": 2, "epochs": 3,
                                  "kill_after_epoch": 1, "worker_timeout": 300,
                                  "workdir": ""})


@pytest.fixture(scope="module")
def ps_page():
    return run_page(PS, PS_PAGE)


@pytest.fixture(scope="module")
def ps(ps_page):
    # the parameter-server page runs once (its claims are structural: steps run, placement)
    return PS_PAGE, ps_page


def test_source_code_has_one_replica_and_fixed_steps(mirrored):
    _, g = mirrored
    # without GPUs (as in CI) the source's MirroredStrategy() is a single replica
    if g["mirrored_source_gpus"] == 0:
        assert g["mirrored_source_replicas"] == 1, dump(g)
    assert g["mirrored_source_batches_per_epoch"] == 10
    assert g["mirrored_source_same_batches_every_epoch"] is True
    assert g["mirrored_source_examples_per_epoch"] == 320
    assert g["mirrored_source_final_loss_is_finite"] is False


def test_mirrored_equals_single_device(mirrored):
    params, g = mirrored
    assert g["mirrored_replicas"] == params["num_replicas"]
    assert g["mirrored_global_batch"] == params["global_batch_size"]
    assert g["mirrored_per_replica_batch"] * g["mirrored_replicas"] == \
        params["global_batch_size"]
    assert g["mirrored_vs_single_max_abs_diff"] <= 1e-5, dump(g)
    assert g["mirrored_vs_single_max_rel_diff"] <= 1e-5, dump(g)
    assert g["mirrored_steps"] == params["epochs"] * (g["mirrored_train_examples"]
                                                      // params["global_batch_size"])


def test_ragged_last_batch_is_the_pitfall_and_drop_remainder_fixes_it(mirrored):
    params, g = mirrored
    assert g["mirrored_ragged_last_batch"] == \
        g["mirrored_train_examples"] % params["global_batch_size"] > 0
    assert g["mirrored_ragged_fit_max_abs_diff"] > 1e-4, dump(g)
    assert g["mirrored_ragged_fixed_max_abs_diff"] <= 1e-5, dump(g)


def test_scaling_efficiency_is_measured(mirrored):
    params, g = mirrored
    assert g["mirrored_max_replicas"] == max(params["replica_counts"])
    e = g["mirrored_efficiency_max_replicas"]
    assert math.isfinite(e) and e > 0, dump(g)
    assert g["mirrored_throughput_1"] > 0 and g["mirrored_cpu_cores"] >= 1
    if not g["mirrored_devices_are_gpus"]:
        assert e < 1.5, dump(g)  # logical devices share the cores: no real speed-up


def test_linear_scaling_rule_recovers_accuracy(mirrored):
    _, g = mirrored
    # a 16x larger batch at the same rate learns clearly less in the same epochs
    assert g["mirrored_lr_acc_scaled"] > g["mirrored_lr_acc_unscaled"] + 0.03, dump(g)
    assert g["mirrored_lr_acc_small"] > 0.85
    assert g["mirrored_lr_acc_warmup"] > g["mirrored_lr_acc_unscaled"]
    assert math.isclose(g["mirrored_lr_warmup_gain"],
                        g["mirrored_lr_acc_warmup"] - g["mirrored_lr_acc_scaled"])
    assert g["mirrored_lr_scale_factor"] == 16 and g["mirrored_lr_repeats"] == 1
    assert g["mirrored_lr_seed_spread"] == 0  # one seed per setting in the tests


def test_multiworker_processes_agree(multiworker):
    g = multiworker
    assert g["mwms_workers"] == 2 and g["mwms_epochs"] == 3 and g["mwms_seconds"] > 0
    assert g["mwms_weights_max_abs_diff_across_workers"] == 0, dump(g)


def test_killed_job_resumes_and_matches_uninterrupted_run(multiworker):
    g = multiworker
    assert g["mwms_killed_worker_exit_code"] == -9  # SIGKILL
    assert g["mwms_survivor_saw_unavailable"] is True, dump(g)
    assert g["mwms_resume_started_at_epoch"] == g["mwms_kill_after_epoch"] == 1
    assert g["mwms_resume_final_weights_max_abs_diff"] <= 1e-6, dump(g)


def test_parameter_server_trains(ps):
    params, g = ps
    expected = params["epochs"] * params["steps_per_epoch"]
    assert g["ps_steps_completed"] == g["ps_steps_expected"] == expected, dump(g)
    assert g["ps_variables_on_ps"] is True
    assert g["ps_ps_tasks_used"] == g["ps_num_ps"] == params["num_ps"], dump(g)
    assert g["ps_workers"] == params["num_workers"]
    assert g["ps_test_accuracy"] > 0.5, dump(g)  # 10 classes: chance is 0.1

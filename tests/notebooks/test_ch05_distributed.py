"""Chapter 5.3 (distributed training): run each notebook once, small, and check its claims."""

import math

import pytest

from nbtools import dump, run_and_glue

pytestmark = pytest.mark.notebook

MIRRORED = "notebooks/ch05/distributed.ipynb"
MULTIWORKER = "notebooks/ch05/distributed_multiworker.ipynb"
PS = "notebooks/ch05/distributed_ps.ipynb"


@pytest.fixture(scope="module")
def mirrored():
    return run_and_glue(MIRRORED, {"seed": 0, "num_replicas": 2, "epochs": 3,
                                   "throughput_epochs": 3, "throughput_copies": 2,
                                   "lr_epochs": 6, "lr_repeats": 1})


@pytest.fixture(scope="module")
def multiworker(tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("multiworker"))
    return run_and_glue(MULTIWORKER, {"seed": 0, "num_workers": 2, "epochs": 3,
                                      "kill_after_epoch": 1, "worker_timeout": 300,
                                      "workdir": workdir})


@pytest.fixture(scope="module")
def ps():
    return run_and_glue(PS, {"seed": 0, "num_workers": 2, "num_ps": 1, "epochs": 3,
                             "steps_per_epoch": 10})


def test_source_code_has_one_replica_and_fixed_steps(mirrored):
    # without GPUs (as in CI) the source's MirroredStrategy() is a single replica
    if mirrored["source_gpus"] == 0:
        assert mirrored["source_mirrored_replicas"] == 1, dump(mirrored)
    assert mirrored["source_batches_per_epoch"] == 10
    assert mirrored["source_examples_per_epoch"] == 320


def test_mirrored_equals_single_device(mirrored):
    assert mirrored["mirrored_replicas"] >= 2
    assert mirrored["per_replica_batch"] * mirrored["mirrored_replicas"] == 64
    assert mirrored["mirrored_vs_single_max_abs_diff"] <= 1e-5, dump(mirrored)
    assert mirrored["mirrored_steps"] >= 60


def test_ragged_last_batch_is_the_pitfall_and_drop_remainder_fixes_it(mirrored):
    assert mirrored["ragged_fit_max_abs_diff"] > 1e-4, dump(mirrored)
    assert mirrored["ragged_fixed_max_abs_diff"] <= 1e-5, dump(mirrored)


def test_scaling_efficiency_is_measured(mirrored):
    for n in (2, 4):
        e = mirrored[f"scaling_efficiency_{n}"]
        assert math.isfinite(e) and e > 0, dump(mirrored)
    assert mirrored["throughput_1"] > 0


def test_linear_scaling_rule_recovers_accuracy(mirrored):
    # a 16x larger batch at the same rate learns clearly less in the same epochs
    assert mirrored["large_batch_acc_scaled"] > mirrored["large_batch_acc_unscaled"] + 0.03, \
        dump(mirrored)
    assert mirrored["large_batch_acc_small"] > 0.85
    assert mirrored["large_batch_acc_warmup"] > mirrored["large_batch_acc_unscaled"]


def test_multiworker_processes_agree(multiworker):
    assert multiworker["mwms_workers"] == 2
    assert multiworker["mwms_weights_identical_across_workers"] is True, dump(multiworker)


def test_killed_job_resumes_and_matches_uninterrupted_run(multiworker):
    assert multiworker["killed_worker_exit_code"] == -9  # SIGKILL
    assert multiworker["survivor_saw_unavailable"] is True, dump(multiworker)
    assert multiworker["resume_started_at_epoch"] == 1 > 0  # kill_after_epoch epochs done
    assert multiworker["resume_final_weights_max_abs_diff"] <= 1e-6, dump(multiworker)


def test_parameter_server_trains(ps):
    assert ps["ps_steps_completed"] == ps["ps_steps_expected"] == 30, dump(ps)
    assert ps["ps_variables_on_ps"] is True
    assert ps["ps_test_accuracy"] > 0.5, dump(ps)  # 10 classes: chance is 0.1

"""Devices and strategies for ``tf.distribute`` demos on one machine.

Chapter 5.3 (``notebooks/ch05/distributed.py``) trains the same model on one device and
under a ``MirroredStrategy``; ``benchmarks/distributed_throughput.py`` times it. This
module only picks the devices: the GPUs when there are enough, else the logical CPU
devices made by :func:`scalekit.env.setup` with ``logical_cpus=N``, so that machines
without GPUs run the same multi-replica code path. :func:`in_process_cluster` starts the
parameter-server cluster of chapters 5.3 and 6 (retail) inside one process. Worker
processes and ``TF_CONFIG`` are in :mod:`scalekit.workers`; throughput timing is in
:mod:`scalekit.throughput`.
"""

from __future__ import annotations

from scalekit._validate import positive_int

__all__ = ["replica_devices", "mirrored_strategy", "in_process_cluster"]


def replica_devices(num_replicas: int) -> list[str]:
    """Names of the devices ``num_replicas`` mirrored replicas should run on.

    The first ``num_replicas`` GPUs when the machine has that many, otherwise the first
    ``num_replicas`` logical CPU devices (create them with
    ``scalekit.env.setup(logical_cpus=N)`` before TensorFlow starts).

    Raises:
        ValueError: ``num_replicas`` is below 1 or above the devices available.
    """
    import tensorflow as tf

    num_replicas = positive_int("num_replicas", num_replicas)
    gpus = tf.config.list_logical_devices("GPU")
    if len(gpus) >= num_replicas:
        return [d.name for d in gpus[:num_replicas]]
    cpus = tf.config.list_logical_devices("CPU")
    if len(cpus) < num_replicas:
        raise ValueError(
            f"num_replicas={num_replicas} exceeds the available devices ({len(gpus)} GPU, "
            f"{len(cpus)} logical CPU); call scalekit.env.setup(logical_cpus={num_replicas}) "
            "first, in a fresh kernel"
        )
    return [d.name for d in cpus[:num_replicas]]


def mirrored_strategy(num_replicas: int):
    """A ``tf.distribute.MirroredStrategy`` over :func:`replica_devices` (``num_replicas``).

    Several CPU devices need an explicit cross-device reduction (NCCL is for GPUs), so
    ``ReductionToOneDevice`` is used then; on GPUs TensorFlow's default is kept.
    """
    import tensorflow as tf

    names = replica_devices(num_replicas)
    if "GPU" in names[0].upper():
        return tf.distribute.MirroredStrategy(names)
    return tf.distribute.MirroredStrategy(
        names, cross_device_ops=tf.distribute.ReductionToOneDevice())


def in_process_cluster(num_workers: int, num_ps: int):
    """Start ``num_workers`` workers and ``num_ps`` parameter servers in this process.

    Each task is a ``tf.distribute.Server`` on a free local port (gRPC); each worker gets
    ``num_workers + 1`` inter-op threads so that the tasks can share a small machine.
    Returns ``(servers, resolver)``: keep ``servers`` alive while the cluster is used and
    pass ``resolver`` to ``tf.distribute.ParameterServerStrategy``.
    """
    import tensorflow as tf

    from scalekit import workers

    num_workers = positive_int("num_workers", num_workers)
    num_ps = positive_int("num_ps", num_ps)
    spec = tf.train.ClusterSpec(workers.localhost_cluster(num_workers, num_ps=num_ps))
    config = tf.compat.v1.ConfigProto(inter_op_parallelism_threads=num_workers + 1)
    servers = [tf.distribute.Server(spec, job_name="worker", task_index=i, protocol="grpc",
                                    config=config) for i in range(num_workers)]
    servers += [tf.distribute.Server(spec, job_name="ps", task_index=i, protocol="grpc")
                for i in range(num_ps)]
    resolver = tf.distribute.cluster_resolver.SimpleClusterResolver(spec, rpc_layer="grpc")
    return servers, resolver

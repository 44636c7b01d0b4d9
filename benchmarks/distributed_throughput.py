"""Training throughput of MirroredStrategy for 1, 2 and 4 replicas, as ratios to 1 replica.

Run by hand (not a test):  python benchmarks/distributed_throughput.py [--epochs 6]

Replicas are GPUs when the machine has enough of them, otherwise logical CPU devices that
share the same cores (then expect efficiency < 1: the replicas add no compute). The model is
the book's small CNN on scikit-learn's digits, per-replica batch fixed (weak scaling); the
sweep is :func:`scalekit.throughput.mirrored_sweep`, the same call as chapter 5.3's page.
"""

from __future__ import annotations

import argparse

import numpy as np

from scalekit import data, distribute, env, models, throughput


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--per-replica-batch", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--copies", type=int, default=4, help="repeat the images this often")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    tf = env.setup(seed=args.seed, logical_cpus=max([1, *args.replicas]))
    split = data.load("digits", seed=args.seed, images=True)
    x = np.concatenate([split.x_train] * args.copies)
    y = np.concatenate([split.y_train] * args.copies)

    def build():
        model = models.small_cnn(split.x_train.shape[1:], split.num_classes)
        model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.05),
                      loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        return model

    table = throughput.mirrored_sweep(build, x, y, replica_counts=args.replicas,
                                      per_replica_batch=args.per_replica_batch,
                                      epochs=args.epochs)
    kind = distribute.replica_devices(1)[0]
    print(f"devices: {kind.split(':')[-2]} ; per-replica batch {args.per_replica_batch}")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.2f}"))


if __name__ == "__main__":
    main()

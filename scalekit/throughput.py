"""Training throughput in examples per second, and the scaling efficiency of replicas.

Chapter 5.3 (``notebooks/ch05/distributed.py``, the throughput section) and
``benchmarks/distributed_throughput.py`` time the same model under ``MirroredStrategy``
with 1, 2, 4 … replicas at a fixed per-replica batch (weak scaling) with
:func:`mirrored_sweep`; :func:`fit_throughput` times one ``fit`` and
:func:`scaling_efficiency` turns throughputs into ``T_N / (N · T_1)``. Timings are ratios
within one run: never compare them across machines or runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from scalekit._validate import positive_int, positive_int_list, positive_number

__all__ = ["fit_throughput", "scaling_efficiency", "mirrored_sweep"]


def fit_throughput(model: Any, x: np.ndarray, y: np.ndarray, *, batch_size: int,
                   epochs: int = 3, warmup_epochs: int = 1) -> float:
    """Training throughput of ``model.fit`` in examples per second.

    Runs ``epochs`` epochs and times each one; the first ``warmup_epochs`` (graph tracing,
    memory allocation) are dropped. Examples = steps × ``batch_size``, the *global* batch.
    """
    import tensorflow as tf

    batch_size = positive_int("batch_size", batch_size)
    epochs = positive_int("epochs", epochs)
    warmup_epochs = positive_int("warmup_epochs", warmup_epochs, allow_zero=True)
    if warmup_epochs >= epochs:
        raise ValueError(f"warmup_epochs={warmup_epochs} must be < epochs={epochs}")
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    steps = len(x) // batch_size
    if steps < 1:
        raise ValueError(f"batch_size={batch_size} exceeds the {len(x)} examples")
    times: list[float] = []

    class _Timer(tf.keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.t0)

    ds = tf.data.Dataset.from_tensor_slices((x[: steps * batch_size], y[: steps * batch_size]))
    ds = ds.batch(batch_size, drop_remainder=True).cache().prefetch(tf.data.AUTOTUNE)
    model.fit(ds, epochs=epochs, verbose=0, callbacks=[_Timer()])
    timed = times[warmup_epochs:]
    return steps * batch_size * len(timed) / sum(timed)


def scaling_efficiency(throughputs: Mapping[int, float]) -> dict[int, float]:
    """``throughput_N / (N · throughput_1)`` for every replica count N in ``throughputs``.

    Raises:
        ValueError: no entry for 1 replica, or a non-positive throughput.
    """
    if not isinstance(throughputs, Mapping):
        raise TypeError(f"throughputs must be a mapping, got {type(throughputs).__name__}")
    if 1 not in throughputs:
        raise ValueError("throughputs must contain the 1-replica baseline (key 1)")
    for n, t in throughputs.items():
        positive_int("replica count", n)
        if isinstance(t, bool) or not isinstance(t, (int, float, np.floating)) or not t > 0:
            raise ValueError(f"throughputs[{n}] must be > 0, got {t}")
    base = throughputs[1]
    return {n: float(t / (n * base)) for n, t in sorted(throughputs.items())}


def mirrored_sweep(build: Callable[[], Any], x: np.ndarray, y: np.ndarray, *,
                   replica_counts: Iterable[int], per_replica_batch: int,
                   epochs: int = 3) -> pd.DataFrame:
    """Throughput of ``build()``'s model under ``MirroredStrategy`` per replica count.

    ``build`` returns a compiled model; it is called inside each strategy's scope. The
    per-replica batch is fixed, so the global batch is ``N · per_replica_batch``. The
    1-replica baseline is always measured. Returns one row per count: ``replicas``,
    ``global batch``, ``examples/s``, ``speed-up`` (over 1 replica) and ``efficiency``.
    """
    from scalekit import distribute

    if not callable(build):
        raise TypeError(f"build must be callable, got {type(build).__name__}")
    counts = sorted({1, *positive_int_list("replica_counts", replica_counts)})
    per_replica_batch = positive_int("per_replica_batch", per_replica_batch)
    epochs = positive_int("epochs", epochs)
    rates: dict[int, float] = {}
    for n in counts:
        strategy = distribute.mirrored_strategy(n)
        with strategy.scope():
            model = build()
        rates[n] = positive_number(
            f"throughput at {n} replicas",
            fit_throughput(model, x, y, batch_size=n * per_replica_batch, epochs=epochs))
    efficiency = scaling_efficiency(rates)
    return pd.DataFrame({"replicas": counts,
                         "global batch": [n * per_replica_batch for n in counts],
                         "examples/s": [rates[n] for n in counts],
                         "speed-up": [rates[n] / rates[1] for n in counts],
                         "efficiency": [efficiency[n] for n in counts]})

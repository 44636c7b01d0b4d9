"""Bookkeeping for chapter 13 (parallelism beyond data): meshes, bytes, pipeline schedules.

The DTensor calls that shard tensors are the chapter's lesson and stay in its notebooks.
This module holds only what they would otherwise repeat:

* :func:`device_type` and :func:`mesh_dims`: which devices a mesh uses (GPUs when there
  are enough, else the logical CPU devices made by ``scalekit.env.setup(logical_cpus=N)``)
  and a checked ``[(axis name, size), ...]`` list for ``dtensor.create_mesh``;
* :func:`collective_bytes`: bytes each device sends in a ring all-reduce, all-gather or
  reduce-scatter, by formula;
* :func:`gpipe_schedule`, :func:`bubble_fraction`, :func:`gpipe_bubble`: the GPipe
  schedule as (phase, stage, micro-batch, time slot) rows, its idle fraction measured from
  the rows, and the closed form (S − 1)/(M + S − 1);
* :func:`state_bytes`, :func:`step_comm_bytes`, :func:`bill`: memory of model states
  per device and communication per training step per device, for each strategy;
* :func:`mlp_task`: the two-layer MLP's initial weights and a regression task generated
  from a seed, shared by the sharded and hybrid pages so both train the same problem;
* :func:`adam_update`: Adam on dicts of (D)Variables, written out so that the sharded
  page can shard its slots; the hybrid page trains with the same update.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scalekit._validate import positive_int, positive_int_list

__all__ = [
    "device_type", "mesh_dims", "collective_bytes", "gpipe_schedule", "bubble_fraction",
    "gpipe_bubble", "state_bytes", "step_comm_bytes", "bill", "mlp_task", "adam_update",
    "STRATEGIES",
]

#: Strategies :func:`state_bytes` and :func:`step_comm_bytes` know, in the bill's order.
STRATEGIES = ("data", "zero1", "zero2", "zero3", "tensor", "pipeline", "tensor+zero3")
_COLLECTIVES = ("all_reduce", "all_gather", "reduce_scatter")


def device_type(num_devices: int) -> str:
    """``"GPU"`` if TensorFlow sees at least ``num_devices`` GPUs, else ``"CPU"``."""
    num_devices = positive_int("num_devices", num_devices)
    import tensorflow as tf

    return "GPU" if len(tf.config.list_physical_devices("GPU")) >= num_devices else "CPU"


def mesh_dims(names: Sequence[str], mesh_shape: Sequence[int],
              num_devices: int) -> list[tuple[str, int]]:
    """``[(name, size), ...]`` for ``dtensor.create_mesh``, checked against the devices.

    Raises ``ValueError`` if the lengths differ or the sizes do not multiply to
    ``num_devices``.
    """
    num_devices = positive_int("num_devices", num_devices)
    sizes = positive_int_list("mesh_shape", mesh_shape)
    names = list(names)
    if len(names) != len(sizes) or not all(isinstance(n, str) and n for n in names):
        raise ValueError(f"names must be {len(sizes)} non-empty strings, got {names!r}")
    product = 1
    for s in sizes:
        product *= s
    if product != num_devices:
        raise ValueError(f"mesh_shape {sizes} holds {product} devices, but num_devices is "
                         f"{num_devices}")
    return list(zip(names, sizes, strict=True))


def collective_bytes(kind: str, n: int, nbytes: float) -> float:
    """Bytes each of ``n`` devices sends in a ring collective on a tensor of ``nbytes``.

    ``nbytes`` is the size of the *full* tensor: the summed one for an all-reduce, the
    gathered one for an all-gather, the input for a reduce-scatter. A ring all-reduce is a
    reduce-scatter followed by an all-gather, so it sends twice as much:
    ``all_reduce`` 2(n−1)/n·nbytes, ``all_gather`` and ``reduce_scatter`` (n−1)/n·nbytes.
    """
    if kind not in _COLLECTIVES:
        raise ValueError(f"kind must be one of {_COLLECTIVES}, got {kind!r}")
    n = positive_int("n", n)
    if isinstance(nbytes, bool) or not isinstance(nbytes, (int, float)) or nbytes < 0:
        raise ValueError(f"nbytes must be a non-negative number, got {nbytes!r}")
    share = (n - 1) / n * nbytes
    return 2 * share if kind == "all_reduce" else share


def gpipe_schedule(stages: int, micro_batches: int) -> pd.DataFrame:
    """The GPipe schedule: all forwards, then all backwards in reverse stage order.

    Forward of micro-batch m on stage s runs in slot s + m; backward of m on stage s in
    slot (M + S − 1) + (S − 1 − s) + m. Columns: ``phase`` ("forward"/"backward"),
    ``stage``, ``micro_batch``, ``slot``.
    """
    s_count = positive_int("stages", stages)
    m_count = positive_int("micro_batches", micro_batches)
    span = m_count + s_count - 1
    rows = [("forward", s, m, s + m) for s in range(s_count) for m in range(m_count)]
    rows += [("backward", s, m, span + (s_count - 1 - s) + m)
             for s in range(s_count) for m in range(m_count)]
    frame = pd.DataFrame(rows, columns=["phase", "stage", "micro_batch", "slot"])
    return frame.sort_values(["slot", "stage"], ignore_index=True)


def bubble_fraction(schedule: pd.DataFrame, stages: int) -> float:
    """Share of (stage, slot) cells in which a stage is idle, read from ``schedule``.

    ``schedule`` has one row per task with ``stage`` and ``slot`` columns (any extra
    columns are ignored); the span is from the first to the last slot used.
    """
    stages = positive_int("stages", stages)
    if not isinstance(schedule, pd.DataFrame) or not {"stage", "slot"} <= set(schedule):
        raise TypeError("schedule must be a DataFrame with 'stage' and 'slot' columns")
    if schedule.empty:
        raise ValueError("schedule must not be empty")
    if schedule.duplicated(["stage", "slot"]).any():
        raise ValueError("schedule has two tasks on one stage in one slot")
    if not schedule["stage"].between(0, stages - 1).all():
        raise ValueError(f"schedule names a stage outside 0..{stages - 1}")
    span = int(schedule["slot"].max() - schedule["slot"].min() + 1)
    return 1.0 - len(schedule) / (stages * span)


def gpipe_bubble(stages: int, micro_batches: int) -> float:
    """The closed form of GPipe's idle fraction, (S − 1)/(M + S − 1)."""
    s = positive_int("stages", stages)
    m = positive_int("micro_batches", micro_batches)
    return (s - 1) / (m + s - 1)


def _degrees(strategy: str, devices: int, tensor_degree: int | None) -> tuple[int, int]:
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    devices = positive_int("devices", devices)
    if strategy != "tensor+zero3":
        return devices, 1
    t = positive_int("tensor_degree", min(8, devices) if tensor_degree is None
                     else tensor_degree)
    if devices % t:
        raise ValueError(f"tensor_degree {t} must divide devices {devices}")
    return t, devices // t


def state_bytes(strategy: str, params: float, devices: int, *, weight_bytes: int = 2,
                grad_bytes: int = 2, optimizer_bytes: int = 12,
                tensor_degree: int | None = None) -> float:
    """Bytes of model states (weights, gradients, optimizer) on each device.

    Defaults are mixed-precision Adam as in the ZeRO paper: 2-byte weights and gradients,
    12 bytes of float32 master weights and two moments per parameter (16 in all). Data
    parallelism replicates all of it; ZeRO-1 shards the optimizer states, ZeRO-2 also the
    gradients, ZeRO-3 (FSDP) everything; tensor and pipeline parallelism split the
    weights (and with them the rest) over ``devices``; ``tensor+zero3`` splits them over
    ``tensor_degree`` (default min(8, devices)) times the remaining ZeRO-3 degree.
    Activations are not counted.
    """
    if isinstance(params, bool) or not isinstance(params, (int, float)) or params <= 0:
        raise ValueError(f"params must be a positive number, got {params!r}")
    for name, v in (("weight_bytes", weight_bytes), ("grad_bytes", grad_bytes),
                    ("optimizer_bytes", optimizer_bytes)):
        positive_int(name, v, allow_zero=True)
    a, b = _degrees(strategy, devices, tensor_degree)
    w, g, o = weight_bytes * params, grad_bytes * params, optimizer_bytes * params
    n = a * b
    return {"data": w + g + o, "zero1": w + g + o / n, "zero2": w + (g + o) / n,
            "zero3": (w + g + o) / n, "tensor": (w + g + o) / n,
            "pipeline": (w + g + o) / n, "tensor+zero3": (w + g + o) / n}[strategy]


def step_comm_bytes(strategy: str, params: float, devices: int, *, layers: int,
                    hidden: int, tokens: int, grad_bytes: int = 2,
                    activation_bytes: int = 2, tensor_degree: int | None = None) -> float:
    """Bytes each device sends in one training step (ring collectives, by formula).

    ``tokens`` is the global batch in tokens (sequences × length). Data parallelism,
    ZeRO-1 and ZeRO-2 all-reduce (or reduce-scatter then all-gather) the gradients:
    2(N−1)/N·2Ψ bytes; ZeRO-3 also all-gathers the weights a second time for the backward
    pass: 3(N−1)/N·2Ψ. Megatron tensor parallelism all-reduces the activations
    (tokens × hidden) twice per layer forward and twice backward; pipeline parallelism
    sends each stage's activations forward and their gradients back once per token.
    ``tensor+zero3`` is tensor parallelism inside groups of ``tensor_degree`` plus ZeRO-3
    over the groups on each device's 1/``tensor_degree`` of the weights.
    """
    if isinstance(params, bool) or not isinstance(params, (int, float)) or params <= 0:
        raise ValueError(f"params must be a positive number, got {params!r}")
    layers = positive_int("layers", layers)
    hidden = positive_int("hidden", hidden)
    tokens = positive_int("tokens", tokens)
    a, b = _degrees(strategy, devices, tensor_degree)
    grads = grad_bytes * params
    acts = activation_bytes * tokens * hidden
    if strategy in ("data", "zero1", "zero2"):
        return collective_bytes("all_reduce", a, grads)
    if strategy == "zero3":
        return 3 * collective_bytes("all_gather", a, grads)
    if strategy == "tensor":
        return 4 * layers * collective_bytes("all_reduce", a, acts)
    if strategy == "pipeline":
        return 0.0 if a == 1 else 2.0 * acts
    return (4 * layers * collective_bytes("all_reduce", a, acts / b)
            + 3 * collective_bytes("all_gather", b, grads / a))


def bill(models: dict[str, dict[str, float]], devices: Sequence[int], *,
         memory_gb: float = 80.0, strategies: Sequence[str] = STRATEGIES) -> pd.DataFrame:
    """Memory per device and communication per step per device, one row per case.

    ``models`` maps a name to ``{"params", "layers", "hidden", "tokens"}``. Columns:
    ``model``, ``devices``, ``strategy``, ``state_gb`` (model states per device, GB),
    ``fits`` (``state_gb`` below ``memory_gb``), ``comm_gb`` (sent per step per device).
    """
    devices = positive_int_list("devices", devices)
    if not models:
        raise ValueError("models must not be empty")
    rows = []
    for name, spec in models.items():
        missing = {"params", "layers", "hidden", "tokens"} - set(spec)
        if missing:
            raise ValueError(f"models[{name!r}] lacks {sorted(missing)}")
        for n in devices:
            for strategy in strategies:
                mem = state_bytes(strategy, spec["params"], n) / 1e9
                comm = step_comm_bytes(strategy, spec["params"], n,
                                       layers=int(spec["layers"]),
                                       hidden=int(spec["hidden"]),
                                       tokens=int(spec["tokens"])) / 1e9
                rows.append({"model": name, "devices": n, "strategy": strategy,
                             "state_gb": mem, "fits": bool(mem < memory_gb),
                             "comm_gb": comm})
    return pd.DataFrame(rows)


def mlp_task(seed: int, *, width: int, hidden_units: int, steps: int,
             batch_size: int) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Initial weights of ``x @ w1 + b1 -> relu -> @ w2 + b2`` and ``steps`` batches.

    Returns ``(init, x, y)``: ``init`` maps ``w1, b1, w2, b2`` to float64 arrays (scaled
    normal weights, zero biases); ``x`` has shape ``(steps, batch_size, width)`` and ``y``
    is a noisy ``tanh`` of a random linear map of ``x`` (a target the MLP can learn).
    """
    seed = positive_int("seed", seed, allow_zero=True)
    width = positive_int("width", width)
    hidden_units = positive_int("hidden_units", hidden_units)
    steps = positive_int("steps", steps)
    batch_size = positive_int("batch_size", batch_size)
    rng = np.random.default_rng(seed)
    init = {"w1": rng.normal(0, width**-0.5, (width, hidden_units)),
            "b1": np.zeros(hidden_units),
            "w2": rng.normal(0, hidden_units**-0.5, (hidden_units, width)),
            "b2": np.zeros(width)}
    teacher = rng.normal(0, width**-0.5, (width, width))
    x = rng.normal(size=(steps, batch_size, width))
    y = np.tanh(x @ teacher) + 0.1 * rng.normal(size=x.shape)
    return init, x, y


def adam_update(p: dict, g: dict, m: dict, v: dict, t: int, *, lr: float,
                b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> None:
    """One Adam step on the variables ``p`` with gradients ``g`` and slots ``m``, ``v``.

    ``t`` is the 1-based step. The new moments are computed before anything is assigned:
    inside one ``tf.function``, reading a sharded ``DVariable`` right after assigning it
    was not reliably ordered with TensorFlow 2.21, and this form is correct on every
    layout.
    """
    import tensorflow as tf

    if set(p) != set(g) or set(p) != set(m) or set(p) != set(v):
        raise ValueError(f"p, g, m and v must have the same keys, got {sorted(p)}, "
                         f"{sorted(g)}, {sorted(m)}, {sorted(v)}")
    for k in p:
        m_new = b1 * m[k] + (1 - b1) * g[k]
        v_new = b2 * v[k] + (1 - b2) * tf.square(g[k])
        m_hat, v_hat = m_new / (1 - b1**t), v_new / (1 - b2**t)
        p[k].assign_sub(lr * m_hat / (tf.sqrt(v_hat) + eps))
        m[k].assign(m_new)
        v[k].assign(v_new)

"""Measuring one device's efficiency: the small helpers of chapter 14.

Chapter 14 ("Efficient training on one device") teaches mixed precision, gradient
accumulation, recomputation, XLA, the roofline and the critical batch size with
TensorFlow calls that stay in its notebooks. What they share lives here:

* :func:`underflow_fraction`: the loss-scaling probe (gradients that became exactly 0);
* :func:`accumulate`: k micro-batch gradients combined into one (mean or sum);
* :func:`interleaved_min_times`: timings robust to a busy machine (interleaved rounds,
  minimum per function), so ratios are measured within one run;
* :func:`matmul_intensity`, :func:`elementwise_intensity`, :func:`roofline`: the
  roofline model of Williams, Waterman & Patterson (2009);
* :func:`noise_scale`, :func:`fit_critical_batch`: the gradient noise scale and the
  steps-versus-batch trade-off of McCandlish et al. (2018).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from scalekit._validate import positive_int

__all__ = ["underflow_fraction", "accumulate", "interleaved_min_times",
           "matmul_intensity", "elementwise_intensity", "roofline", "noise_scale",
           "fit_critical_batch"]


def _arrays(name: str, values: Sequence[object]) -> list[np.ndarray]:
    if isinstance(values, (str, bytes, np.ndarray)) or not isinstance(values, Sequence):
        raise TypeError(f"{name} must be a list of arrays, got {type(values).__name__}")
    if not values:
        raise ValueError(f"{name} must not be empty")
    out = []
    for v in values:
        v = getattr(v, "numpy", lambda v=v: v)()
        out.append(np.asarray(v, dtype=np.float64))
    return out


def underflow_fraction(grads: Sequence[object], reference: Sequence[object]) -> float:
    """Share of the entries that are non-zero in ``reference`` but exactly 0 in ``grads``.

    ``grads`` come from a low-precision computation (e.g. under ``mixed_float16``) and
    ``reference`` from the same computation in float32. Entries that are zero in the
    reference too (a dead ReLU, an always-blank pixel) are not counted: they did not
    underflow. Returns 0.0 when the reference has no non-zero entry.
    """
    g, r = _arrays("grads", grads), _arrays("reference", reference)
    if len(g) != len(r):
        raise ValueError(f"grads has {len(g)} arrays but reference has {len(r)}")
    lost = nonzero = 0
    for i, (a, b) in enumerate(zip(g, r, strict=True)):
        if a.shape != b.shape:
            raise ValueError(f"grads[{i}] has shape {a.shape}, reference {b.shape}")
        live = b != 0
        nonzero += int(live.sum())
        lost += int((live & (a == 0)).sum())
    return lost / nonzero if nonzero else 0.0


def accumulate(micro_grads: Sequence[Sequence[object]], *, mode: str = "mean"
               ) -> list[np.ndarray]:
    """Combine the gradients of k micro-batches into the gradient of their union.

    ``micro_grads[j][i]`` is the gradient of variable ``i`` on micro-batch ``j``. With
    ``mode="mean"`` (right for a loss averaged over examples and equal-sized
    micro-batches) the result equals the large batch's gradient; ``"sum"`` is k times
    larger, the classic accumulation bug.
    """
    if mode not in ("mean", "sum"):
        raise ValueError(f"mode must be 'mean' or 'sum', got {mode!r}")
    if isinstance(micro_grads, (str, bytes)) or not isinstance(micro_grads, Sequence):
        raise TypeError("micro_grads must be a list of gradient lists")
    if not micro_grads:
        raise ValueError("micro_grads must not be empty")
    steps = [_arrays(f"micro_grads[{j}]", g) for j, g in enumerate(micro_grads)]
    if len({len(s) for s in steps}) != 1:
        raise ValueError("micro_grads entries must all have the same number of arrays")
    total = [np.sum(parts, axis=0) for parts in zip(*steps, strict=True)]
    return [t / len(steps) for t in total] if mode == "mean" else total


def interleaved_min_times(fns: Mapping[str, Callable[[], object]], repeats: int,
                          *, warmup: int = 1) -> dict[str, float]:
    """Seconds per call of each function: the minimum over ``repeats`` interleaved rounds.

    Each round calls every function once, in turn, so a burst of load from other
    processes hits all of them alike; the minimum is the least disturbed run. ``warmup``
    calls per function come first (tracing, compilation, caches). Return values are
    ignored: make each function block until its result exists (e.g. call ``.numpy()``).
    """
    if not isinstance(fns, Mapping) or not fns:
        raise ValueError("fns must be a non-empty mapping of name -> function")
    for name, fn in fns.items():
        if not callable(fn):
            raise TypeError(f"fns[{name!r}] must be callable")
    repeats = positive_int("repeats", repeats)
    warmup = positive_int("warmup", warmup, allow_zero=True)
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    best = {name: float("inf") for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def _positive(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    if not value > 0:
        raise ValueError(f"{name} must be > 0, got {value}")
    return float(value)


def matmul_intensity(m: int, n: int, k: int, *, bytes_per_element: int = 4) -> float:
    """FLOPs per byte of an (m×k)·(k×n) product: 2mnk over reading A, B and writing C."""
    m, n, k = (positive_int(a, v) for a, v in (("m", m), ("n", n), ("k", k)))
    b = positive_int("bytes_per_element", bytes_per_element)
    return 2 * m * n * k / (b * (m * k + k * n + m * n))


def elementwise_intensity(flops_per_element: float, reads: int, writes: int = 1, *,
                          bytes_per_element: int = 4) -> float:
    """FLOPs per byte of an element-wise op reading ``reads`` and writing ``writes``
    tensors of the same size (e.g. ``a + b``: 1 FLOP, 2 reads, 1 write → 1/12 in fp32)."""
    f = _positive("flops_per_element", flops_per_element)
    reads = positive_int("reads", reads, allow_zero=True)
    writes = positive_int("writes", writes, allow_zero=True)
    if reads + writes == 0:
        raise ValueError("reads + writes must be >= 1")
    b = positive_int("bytes_per_element", bytes_per_element)
    return f / (b * (reads + writes))


def roofline(intensity: object, peak_gflops: float, bandwidth_gbs: float) -> np.ndarray:
    """Attainable GFLOP/s at arithmetic ``intensity`` (FLOP/byte): min(peak, I·bandwidth)."""
    peak = _positive("peak_gflops", peak_gflops)
    bw = _positive("bandwidth_gbs", bandwidth_gbs)
    i = np.asarray(intensity, dtype=np.float64)
    if np.any(~np.isfinite(i)) or np.any(i <= 0):
        raise ValueError("intensity must be positive and finite")
    return np.minimum(peak, i * bw)


def noise_scale(per_example_grads: object, *, whole_population: bool = False
                ) -> dict[str, float]:
    """The simple gradient noise scale B_simple = tr(Σ) / |G|² of McCandlish et al.

    ``per_example_grads`` is a (B, P) array: one flattened gradient per example, B ≥ 2.
    tr(Σ) is the sum of the per-coordinate variances. If the rows are a *sample* of the
    data (default), the variance is the unbiased one and |G|² is estimated without bias
    as |mean|² − tr(Σ)/B, since the squared norm of a mean of B noisy gradients
    overshoots |G|² by tr(Σ)/B. If they are the *whole* data set SGD samples from
    (``whole_population=True``), the mean is G itself and Σ the population covariance.
    Returns ``b_simple`` (inf when the estimate of |G|² is not positive: the sample
    cannot resolve the signal), ``trace_sigma``, ``grad_sq_norm`` and ``batch``.
    """
    if not isinstance(whole_population, bool):
        raise TypeError("whole_population must be a bool")
    g = np.asarray(getattr(per_example_grads, "numpy", lambda: per_example_grads)(),
                   dtype=np.float64)
    if g.ndim != 2 or g.shape[0] < 2 or g.shape[1] < 1:
        raise ValueError(f"per_example_grads must have shape (B >= 2, P), got {g.shape}")
    if not np.all(np.isfinite(g)):
        raise ValueError("per_example_grads must be finite")
    batch = g.shape[0]
    trace = float(g.var(axis=0, ddof=0 if whole_population else 1).sum())
    sq = float(np.sum(g.mean(axis=0) ** 2))
    if not whole_population:
        sq -= trace / batch
    b_simple = trace / sq if sq > 0 else float("inf")
    return {"b_simple": b_simple, "trace_sigma": trace, "grad_sq_norm": sq,
            "batch": float(batch)}


def fit_critical_batch(batch_sizes: Sequence[int], steps: Sequence[float]
                       ) -> tuple[float, float]:
    """Fit S(B) = S_min·(1 + B_crit/B) to steps-to-target ``steps`` at ``batch_sizes``.

    The model is McCandlish et al.'s (S/S_min − 1)(E/E_min − 1) = 1 with E = B·S; it is
    linear in 1/B, so ordinary least squares gives (S_min, S_min·B_crit). Returns
    ``(s_min, b_crit)``; needs at least two distinct batch sizes.
    """
    b = np.asarray([positive_int(f"batch_sizes[{i}]", v) for i, v in enumerate(batch_sizes)],
                   dtype=np.float64)
    s = np.asarray(steps, dtype=np.float64)
    if s.shape != b.shape:
        raise ValueError(f"steps has {s.size} values but batch_sizes has {b.size}")
    if np.any(~np.isfinite(s)) or np.any(s <= 0):
        raise ValueError("steps must be positive and finite")
    if len(np.unique(b)) < 2:
        raise ValueError("batch_sizes needs at least two distinct values")
    slope, intercept = np.polyfit(1.0 / b, s, 1)
    if intercept <= 0:
        return float("nan"), float("nan")
    return float(intercept), float(slope / intercept)

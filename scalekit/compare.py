"""Compare two results numerically: the one difference measure the whole book uses.

Chapters 3-5 and 12-14 prove that two computations agree (from-scratch optimizer versus
Keras, hand backprop versus ``GradientTape``, sharded versus single-device training).
They all report :func:`max_abs_diff` or :func:`max_rel_diff`, defined once here.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["max_abs_diff", "max_rel_diff"]


def _pairs(a: object, b: object) -> list[tuple[np.ndarray, np.ndarray]]:
    if isinstance(a, Mapping) or isinstance(b, Mapping):
        if not (isinstance(a, Mapping) and isinstance(b, Mapping)):
            raise TypeError("a and b must both be arrays or both be dicts of arrays")
        if set(a) != set(b):
            raise ValueError(f"a and b have different keys: {sorted(a)} vs {sorted(b)}")
        items = [(a[k], b[k]) for k in a]
    elif isinstance(a, (list, tuple)) and any(np.ndim(x) > 0 for x in a):
        if not isinstance(b, (list, tuple)) or len(a) != len(b):
            raise ValueError("a and b must be lists of arrays of the same length")
        items = list(zip(a, b, strict=True))  # e.g. model.get_weights()
    else:
        items = [(a, b)]
    pairs = []
    for i, (x, y) in enumerate(items):
        x = np.asarray(getattr(x, "numpy", lambda x=x: x)(), dtype=np.float64)
        y = np.asarray(getattr(y, "numpy", lambda y=y: y)(), dtype=np.float64)
        if x.shape != y.shape:
            raise ValueError(f"a and b differ in shape at entry {i}: {x.shape} vs {y.shape}")
        pairs.append((x, y))
    if not pairs or all(x.size == 0 for x, _ in pairs):
        raise ValueError("a and b must not be empty")
    return pairs


def max_abs_diff(a: object, b: object) -> float:
    """``max |a − b|`` over arrays, tensors, lists of arrays (e.g. ``model.get_weights()``)
    or dicts of arrays with the same keys."""
    return max(float(np.max(np.abs(x - y))) if x.size else 0.0 for x, y in _pairs(a, b))


def max_rel_diff(a: object, b: object) -> float:
    """``max|a − b| / max(|a|, |b|)``, the largest difference relative to the largest
    magnitude (not entry by entry, so entries near zero do not inflate it); 0 when both
    are all zero. Accepts what :func:`max_abs_diff` accepts."""
    pairs = _pairs(a, b)
    diff = max(float(np.max(np.abs(x - y))) if x.size else 0.0 for x, y in pairs)
    scale = max(max(float(np.max(np.abs(x))), float(np.max(np.abs(y))))
                for x, y in pairs if x.size)
    return 0.0 if scale == 0.0 else diff / scale

"""Loss functions in NumPy, written the way Chapter 4 derives them.

Each function returns the *mean over examples* of the per-example loss, the convention of
``tf.keras.losses`` (reduction ``sum_over_batch_size``), so the two can be compared value
for value:

* :func:`mse`: mean squared error.
* :func:`binary_crossentropy` and :func:`categorical_crossentropy`: cross-entropy computed
  from *probabilities*, exactly as the formula reads (optionally clipped to ``[eps, 1-eps]``,
  which is what Keras does by default).
* :func:`binary_crossentropy_from_logits` and :func:`categorical_crossentropy_from_logits`:
  the same losses computed from *logits* with the log-sum-exp rewriting, which never
  overflows; this is what ``from_logits=True`` selects in Keras.
* :func:`sigmoid` and :func:`softmax`: the naive textbook forms (``1/(1+e^{-z})`` and
  ``e^z / Σ e^z``), kept naive on purpose so the chapter can show where they break.

Chapter 4 (``notebooks/ch04/losses.py``, ``backprop.py``) uses this module.
"""

from __future__ import annotations

import numpy as np

from scalekit._validate import fraction

__all__ = [
    "binary_crossentropy",
    "binary_crossentropy_from_logits",
    "categorical_crossentropy",
    "categorical_crossentropy_from_logits",
    "log_softmax",
    "mse",
    "sigmoid",
    "softmax",
]


def _pair(y_true: object, y_pred: object, pred_name: str = "y_pred") -> tuple[np.ndarray, ...]:
    """Both arrays as float64, with the same shape and at least one element."""
    try:
        t = np.asarray(y_true, dtype=np.float64)
        p = np.asarray(y_pred, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"y_true and {pred_name} must be numeric arrays: {err}") from err
    if t.shape != p.shape:
        raise ValueError(
            f"{pred_name} has shape {p.shape} but y_true has shape {t.shape}; they must match"
        )
    if t.size == 0:
        raise ValueError("y_true must not be empty")
    return t, p


def _check_eps(eps: float) -> float:
    return fraction("eps", eps, high=0.5)


def _check_probabilities(p: np.ndarray, name: str) -> None:
    if np.any(p < 0) or np.any(p > 1):
        raise ValueError(f"{name} must hold probabilities in [0, 1]")


def _has_class_axis(name: str, array: np.ndarray) -> None:
    if array.ndim < 1:
        raise ValueError(f"{name} must have a class axis (the last axis), got a scalar")


def mse(y_true: object, y_pred: object) -> float:
    r"""Mean squared error :math:`\frac1n\sum_i (y_i-\hat y_i)^2` over all elements."""
    t, p = _pair(y_true, y_pred)
    return float(np.mean((t - p) ** 2))


def binary_crossentropy(y_true: object, y_pred: object, *, eps: float = 0.0) -> float:
    r"""Binary cross-entropy from probabilities, :math:`-\overline{y\log p+(1-y)\log(1-p)}`.

    ``y_pred`` holds probabilities :math:`p=P(y=1)`. With ``eps > 0`` they are first clipped
    to ``[eps, 1-eps]`` (Keras clips with ``1e-7``); with the default ``eps=0`` a probability
    of exactly 0 or 1 on the wrong side gives ``inf``.
    """
    t, p = _pair(y_true, y_pred)
    eps = _check_eps(eps)
    _check_probabilities(p, "y_pred")
    if eps > 0:
        p = np.clip(p, eps, 1.0 - eps)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_element = -(t * np.log(p) + (1.0 - t) * np.log1p(-p))
    return float(np.mean(per_element))


def binary_crossentropy_from_logits(y_true: object, logits: object) -> float:
    r"""Binary cross-entropy from logits :math:`z`, in the form that cannot overflow.

    :math:`\ell = \max(z,0) - z\,y + \log(1+e^{-|z|})`, algebraically equal to the
    probability form with :math:`p=\sigma(z)`.
    """
    t, z = _pair(y_true, logits, "logits")
    per_element = np.maximum(z, 0.0) - z * t + np.log1p(np.exp(-np.abs(z)))
    return float(np.mean(per_element))


def categorical_crossentropy(y_true: object, y_pred: object, *, eps: float = 0.0) -> float:
    r"""Categorical cross-entropy from probabilities, :math:`-\frac1n\sum_{i,k} y_{ik}\log p_{ik}`.

    The class axis is the last one; ``y_true`` is one-hot (or any distribution over classes).
    With ``eps > 0`` probabilities are clipped to ``[eps, 1-eps]`` first.
    """
    t, p = _pair(y_true, y_pred)
    _has_class_axis("y_pred", p)
    eps = _check_eps(eps)
    _check_probabilities(p, "y_pred")
    if eps > 0:
        p = np.clip(p, eps, 1.0 - eps)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(t == 0, 0.0, t * np.log(p))  # 0·log 0 = 0 by convention
    return float(np.mean(-terms.sum(axis=-1)))


def log_softmax(logits: object) -> np.ndarray:
    r"""Stable :math:`\log\operatorname{softmax}(z) = z - m - \log\sum e^{z-m}`, ``m = max z``.

    Works on the last axis; every exponent is ``<= 0``, so nothing overflows.
    """
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim < 1 or z.shape[-1] == 0:
        raise ValueError(f"logits must have a non-empty class axis, got shape {z.shape}")
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def categorical_crossentropy_from_logits(y_true: object, logits: object) -> float:
    """Categorical cross-entropy from logits via :func:`log_softmax` (the log-sum-exp trick)."""
    t, z = _pair(y_true, logits, "logits")
    _has_class_axis("logits", z)
    return float(np.mean(-(t * log_softmax(z)).sum(axis=-1)))


def sigmoid(z: object) -> np.ndarray:
    r"""The naive logistic function :math:`1/(1+e^{-z})` (``exp`` overflows for :math:`z\ll0`)."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))


def softmax(logits: object) -> np.ndarray:
    r"""The naive softmax :math:`e^{z_k}/\sum_j e^{z_j}` on the last axis, *without* the max shift.

    For logits above about 710, ``exp`` overflows to ``inf`` and the result is ``nan``;
    :func:`log_softmax` is the stable alternative.
    """
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim < 1 or z.shape[-1] == 0:
        raise ValueError(f"logits must have a non-empty class axis, got shape {z.shape}")
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)

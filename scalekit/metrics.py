"""Classification metrics of Chapter 2, in plain NumPy, with scikit-learn's conventions.

Used by chapter 2 (``ch02/metrics``).

* :func:`scores`: accuracy, precision, recall and F1 in one dict.
* :func:`confusion_matrix`: rows are true labels, columns predicted labels.
* :func:`accuracy`, :func:`precision`, :func:`recall`, :func:`f1`: ``average`` is
  ``"binary"`` (the class ``pos_label``), ``"macro"`` (unweighted mean over classes),
  ``"micro"`` (counts pooled over classes first) or ``None`` (one value per class).

**Undefined cases.** Precision is undefined when a class is never predicted
(``tp + fp = 0``), recall when it never occurs (``tp + fn = 0``), F1 when both hold
(``2·tp + fp + fn = 0``; F1 is computed as ``2·tp / (2·tp + fp + fn)``, which equals the
harmonic mean wherever that is defined). As in scikit-learn (≥ 1.3), the value used is set
by ``zero_division``: ``"warn"`` (the default) returns 0.0 and emits an
:class:`UndefinedMetricWarning`; ``0.0`` or ``1.0`` return that value silently; ``np.nan``
returns NaN, and NaN classes are left out of a macro average (all NaN → NaN).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from numbers import Real

import numpy as np

from scalekit._validate import one_of

AVERAGES = ("binary", "macro", "micro", None)


class UndefinedMetricWarning(UserWarning):
    """A metric was undefined (division by zero) and replaced by ``zero_division``."""


def _labels(y_true: object, y_pred: object) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(y_true), np.asarray(y_pred)
    for name, arr in (("y_true", a), ("y_pred", b)):
        if arr.ndim != 1:
            raise ValueError(f"{name} must be a 1-D array of labels, got shape {arr.shape}")
        if arr.size == 0:
            raise ValueError(f"{name} must not be empty")
        if arr.dtype.kind not in "biuUSO":
            raise TypeError(f"{name} must hold integer or string labels, got dtype {arr.dtype}")
    if len(a) != len(b):
        raise ValueError(f"y_true and y_pred must have the same length, got {len(a)} and {len(b)}")
    return a, b


def confusion_matrix(
    y_true: Sequence | np.ndarray,
    y_pred: Sequence | np.ndarray,
    *,
    labels: Sequence | np.ndarray | None = None,
) -> np.ndarray:
    """Counts ``C[i, j]`` of examples with true label ``labels[i]`` predicted as ``labels[j]``.

    ``labels`` defaults to the sorted union of the labels in ``y_true`` and ``y_pred``.
    Examples whose labels are not in ``labels`` are ignored (as in scikit-learn).
    """
    a, b = _labels(y_true, y_pred)
    labs = np.unique(np.concatenate([a, b])) if labels is None else _label_list(labels)
    k = len(labs)
    order = np.argsort(labs, kind="stable")
    sorted_labs = labs[order]

    def index(arr: np.ndarray) -> np.ndarray:
        pos = np.clip(np.searchsorted(sorted_labs, arr), 0, k - 1)
        found = sorted_labs[pos] == arr
        return np.where(found, order[pos], -1)

    i, j = index(a), index(b)
    keep = (i >= 0) & (j >= 0)
    return np.bincount(i[keep] * k + j[keep], minlength=k * k).reshape(k, k).astype(np.int64)


def _label_list(labels: object) -> np.ndarray:
    labs = np.asarray(labels)
    if labs.ndim != 1 or labs.size == 0:
        raise ValueError("labels must be a non-empty 1-D sequence")
    if len(np.unique(labs)) != len(labs):
        raise ValueError(f"labels must not repeat, got {list(labs)}")
    return labs


def accuracy(y_true: Sequence | np.ndarray, y_pred: Sequence | np.ndarray) -> float:
    """Fraction of examples whose predicted label equals the true label."""
    a, b = _labels(y_true, y_pred)
    return float(np.mean(a == b))


def _zero_division(value: object) -> float | str:
    if isinstance(value, str):
        if value != "warn":
            raise ValueError(f"zero_division must be 'warn', 0.0, 1.0 or nan, got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"zero_division must be 'warn' or a number, got {type(value).__name__}")
    v = float(value)
    if not (v in (0.0, 1.0) or np.isnan(v)):
        raise ValueError(f"zero_division must be 'warn', 0.0, 1.0 or nan, got {value!r}")
    return v


def _divide(num: np.ndarray, den: np.ndarray, zero_division: float | str, what: str) -> np.ndarray:
    num, den = num.astype(np.float64), den.astype(np.float64)
    mask = den == 0
    out = num / np.where(mask, 1.0, den)
    if mask.any():
        out[mask] = 0.0 if zero_division == "warn" else zero_division
        if zero_division == "warn":
            warnings.warn(f"{what} is ill-defined for {int(mask.sum())} label(s) and set to 0.0; "
                          "pass zero_division to choose the value and silence this warning",
                          UndefinedMetricWarning, stacklevel=4)
    return out


def _counts(y_true, y_pred, average, pos_label, labels):
    one_of("average", average, AVERAGES)
    a, b = _labels(y_true, y_pred)
    present = np.unique(np.concatenate([a, b]))
    if average == "binary":
        if len(present) > 2:
            raise ValueError(f"average='binary' needs at most 2 distinct labels, got {len(present)}"
                             "; use average='macro' or 'micro'")
        if pos_label not in present and len(present) == 2:
            raise ValueError(f"pos_label={pos_label!r} is not one of the labels {list(present)}")
        labs = np.asarray([pos_label])
    else:
        labs = present if labels is None else _label_list(labels)
    # one-vs-rest counts per label
    tp = np.array([np.sum((a == c) & (b == c)) for c in labs], dtype=np.int64)
    pred = np.array([np.sum(b == c) for c in labs], dtype=np.int64)
    true = np.array([np.sum(a == c) for c in labs], dtype=np.int64)
    if average == "micro":
        tp, pred, true = tp.sum(keepdims=True), pred.sum(keepdims=True), true.sum(keepdims=True)
    return tp, pred, true


def _reduce(values: np.ndarray, average: str | None) -> float | np.ndarray:
    if average is None:
        return values
    if np.all(np.isnan(values)):
        return float("nan")
    return float(np.nanmean(values))


def precision(
    y_true: Sequence | np.ndarray,
    y_pred: Sequence | np.ndarray,
    *,
    average: str | None = "binary",
    pos_label: object = 1,
    labels: Sequence | np.ndarray | None = None,
    zero_division: float | str = "warn",
) -> float | np.ndarray:
    """Precision ``tp / (tp + fp)``: of the examples predicted as a class, the fraction that are.

    See the module docstring for ``average`` and ``zero_division``.
    """
    zd = _zero_division(zero_division)
    tp, pred, _ = _counts(y_true, y_pred, average, pos_label, labels)
    return _reduce(_divide(tp, pred, zd, "Precision"), average)


def recall(
    y_true: Sequence | np.ndarray,
    y_pred: Sequence | np.ndarray,
    *,
    average: str | None = "binary",
    pos_label: object = 1,
    labels: Sequence | np.ndarray | None = None,
    zero_division: float | str = "warn",
) -> float | np.ndarray:
    """Recall ``tp / (tp + fn)``: of the examples of a class, the fraction predicted as it.

    See the module docstring for ``average`` and ``zero_division``.
    """
    zd = _zero_division(zero_division)
    tp, _, true = _counts(y_true, y_pred, average, pos_label, labels)
    return _reduce(_divide(tp, true, zd, "Recall"), average)


def f1(
    y_true: Sequence | np.ndarray,
    y_pred: Sequence | np.ndarray,
    *,
    average: str | None = "binary",
    pos_label: object = 1,
    labels: Sequence | np.ndarray | None = None,
    zero_division: float | str = "warn",
) -> float | np.ndarray:
    """F1 ``2·tp / (2·tp + fp + fn)``, the harmonic mean of precision and recall.

    Macro F1 averages the per-class F1 values (not the F1 of averaged precision and recall).
    See the module docstring for ``average`` and ``zero_division``.
    """
    zd = _zero_division(zero_division)
    tp, pred, true = _counts(y_true, y_pred, average, pos_label, labels)
    return _reduce(_divide(2 * tp, pred + true, zd, "F1"), average)


def scores(
    y_true: Sequence | np.ndarray,
    y_pred: Sequence | np.ndarray,
    *,
    average: str | None = "binary",
    pos_label: object = 1,
    zero_division: float | str = 0.0,
) -> dict[str, float]:
    """Accuracy, precision, recall and F1 in one dict (``average`` must not be ``None``)."""
    one_of("average", average, ("binary", "macro", "micro"))
    kw = {"average": average, "pos_label": pos_label, "zero_division": zero_division}
    return {"accuracy": accuracy(y_true, y_pred),
            "precision": float(precision(y_true, y_pred, **kw)),
            "recall": float(recall(y_true, y_pred, **kw)),
            "f1": float(f1(y_true, y_pred, **kw))}

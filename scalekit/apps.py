"""Decision thresholds and robustness test sets for the case studies of chapter 6.

* :func:`threshold_for_recall`: the decision threshold that reaches a target recall.
* :func:`min_cost_threshold`: the decision threshold with the lowest misclassification cost.
* :func:`perturb_images`: shifted and noisy copies of images (a robustness test set).
* :func:`hard_vote`, :func:`soft_vote`: fusing the probabilities of an ensemble's members.

The labelled text task of ``ch06/nlp`` is data: :func:`scalekit.data.snippet_task`.
"""

from __future__ import annotations

import math

import numpy as np

from scalekit._validate import fraction, positive_int


def _binary_scores(y_true: object, scores: object) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true)
    s = np.asarray(scores, dtype=np.float64)
    if y.ndim != 1 or s.ndim != 1:
        raise ValueError(f"y_true and scores must be 1-D, got shapes {y.shape} and {s.shape}")
    if len(y) != len(s):
        raise ValueError(f"y_true and scores must have the same length, got {len(y)} and {len(s)}")
    if not np.isin(y, (0, 1)).all():
        raise ValueError("y_true must contain only 0 and 1")
    if not np.isfinite(s).all():
        raise ValueError("scores must be finite")
    return y.astype(np.int64), s


def threshold_for_recall(y_true: object, scores: object, target_recall: float) -> float:
    """The largest threshold ``t`` such that predicting ``scores >= t`` reaches ``target_recall``.

    Choose it on a validation split, then apply it to the test split. The largest such
    threshold gives the fewest false positives among thresholds that meet the target.

    Raises:
        ValueError: shapes differ, labels are not 0/1, there are no positives, or
            ``target_recall`` is not in (0, 1].
    """
    y, s = _binary_scores(y_true, scores)
    target = fraction("target_recall", target_recall, inclusive_high=True)
    if target == 0.0:
        raise ValueError("target_recall must be > 0")
    positives = np.sort(s[y == 1])[::-1]  # positive scores, highest first
    if positives.size == 0:
        raise ValueError("y_true has no positive examples; recall is undefined")
    needed = int(np.ceil(target * positives.size - 1e-9))  # positives that must be caught
    return float(positives[needed - 1])


def min_cost_threshold(y_true: object, scores: object, *, cost_fn: float,
                       cost_fp: float) -> float:
    """The threshold (among the observed scores) that minimizes ``cost_fn·FN + cost_fp·FP``.

    Predicting positive means ``scores >= threshold``. Ties go to the highest threshold.

    Raises:
        ValueError: bad shapes or labels, or a cost that is not positive.
    """
    y, s = _binary_scores(y_true, scores)
    for name, cost in (("cost_fn", cost_fn), ("cost_fp", cost_fp)):
        if fraction(name, cost, high=math.inf) == 0.0:
            raise ValueError(f"{name} must be > 0, got {cost}")
    order = np.argsort(-s, kind="stable")
    s_sorted, y_sorted = s[order], y[order]
    tp = np.cumsum(y_sorted)              # predicting the first k+1 examples positive
    fp = np.cumsum(1 - y_sorted)
    fn = y.sum() - tp
    cost = cost_fn * fn + cost_fp * fp
    # only cut between distinct scores: keep the last index of each run of equal scores
    last_of_run = np.r_[s_sorted[1:] != s_sorted[:-1], True]
    candidates = np.flatnonzero(last_of_run)
    best = candidates[np.argmin(cost[candidates])]
    none_cost = cost_fn * y.sum()         # predicting nothing positive
    if none_cost < cost[best]:
        return float(np.nextafter(s_sorted[0], np.inf))
    return float(s_sorted[best])


def _member_probabilities(probabilities: object) -> np.ndarray:
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim != 2 or p.shape[0] == 0 or p.shape[1] == 0:
        raise ValueError("probabilities must have shape (n_examples, n_members) with both "
                         f"> 0, got {p.shape}")
    if not np.isfinite(p).all() or (p < 0).any() or (p > 1).any():
        raise ValueError("probabilities must be finite and in [0, 1]")
    return p


def hard_vote(probabilities: object, *, threshold: float = 0.5) -> np.ndarray:
    """The share of members that vote positive (``probability >= threshold``), per example.

    ``probabilities`` has shape ``(n_examples, n_members)``. The result takes only the
    values ``k / n_members``: a majority vote predicts positive where it is ``> 0.5``.
    It is a vote count, not a probability, so a ROC curve built on it has at most
    ``n_members + 1`` distinct thresholds.

    Raises:
        ValueError: bad shape, a probability outside [0, 1], or ``threshold`` not in [0, 1].
    """
    p = _member_probabilities(probabilities)
    threshold = fraction("threshold", threshold, inclusive_high=True)
    return (p >= threshold).mean(axis=1)


def soft_vote(probabilities: object, weights: object | None = None) -> np.ndarray:
    """The (weighted) mean of the members' probabilities, per example.

    ``probabilities`` has shape ``(n_examples, n_members)``; ``weights`` (one per member,
    non-negative, not all zero) default to equal weights, plain averaging.

    Raises:
        ValueError: bad shape, a probability outside [0, 1], or bad ``weights``.
    """
    p = _member_probabilities(probabilities)
    if weights is None:
        return p.mean(axis=1)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (p.shape[1],):
        raise ValueError(f"weights must have one entry per member ({p.shape[1]}), "
                         f"got shape {w.shape}")
    if not np.isfinite(w).all() or (w < 0).any() or w.sum() == 0:
        raise ValueError("weights must be finite, non-negative and not all zero")
    return p @ (w / w.sum())


def perturb_images(images: object, *, max_shift: int = 1, noise_std: float = 0.0,
                   seed: int = 0) -> np.ndarray:
    """Shift each image by a random whole number of pixels and add Gaussian noise.

    ``images`` has shape ``(n, height, width[, channels])`` with values in [0, 1]. Each
    image moves by ``dx, dy`` drawn uniformly from ``-max_shift..max_shift`` (vacated
    pixels are 0), then ``N(0, noise_std²)`` noise is added and values are clipped to [0, 1].
    """
    x = np.asarray(images, dtype=np.float32)
    if x.ndim not in (3, 4):
        raise ValueError(f"images must have shape (n, h, w) or (n, h, w, c), got {x.shape}")
    max_shift = positive_int("max_shift", max_shift, allow_zero=True)
    if max_shift >= min(x.shape[1], x.shape[2]):
        raise ValueError(f"max_shift must be smaller than the image, got {max_shift}")
    noise_std = fraction("noise_std", noise_std, high=math.inf)
    seed = positive_int("seed", seed, allow_zero=True)
    rng = np.random.default_rng(seed)
    out = np.zeros_like(x)
    h, w = x.shape[1], x.shape[2]
    shifts = rng.integers(-max_shift, max_shift + 1, size=(len(x), 2))
    for i, (dy, dx) in enumerate(shifts):
        src = x[i, max(0, -dy):h - max(0, dy), max(0, -dx):w - max(0, dx)]
        out[i, max(0, dy):max(0, dy) + src.shape[0], max(0, dx):max(0, dx) + src.shape[1]] = src
    if noise_std > 0:
        out = out + rng.normal(0.0, noise_std, size=out.shape).astype(np.float32)
    return np.clip(out, 0.0, 1.0)

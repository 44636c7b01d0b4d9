"""Helpers for the application case studies of Chapter 6.

* :func:`threshold_for_recall`: the decision threshold that reaches a target recall.
* :func:`min_cost_threshold`: the decision threshold with the lowest misclassification cost.
* :func:`perturb_images`: shifted and noisy copies of images (a robustness test set).
* :func:`prose_mask` and :func:`snippet_task`: a labelled text task built from Python
  source files (which file a snippet comes from; whether it is mostly prose or code).
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass

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
        if isinstance(cost, bool) or not isinstance(cost, (int, float)):
            raise TypeError(f"{name} must be a number, got {type(cost).__name__}")
        if not cost > 0:
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
    if isinstance(noise_std, bool) or not isinstance(noise_std, (int, float)):
        raise TypeError(f"noise_std must be a number, got {type(noise_std).__name__}")
    if noise_std < 0:
        raise ValueError(f"noise_std must be >= 0, got {noise_std}")
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


def prose_mask(source: str) -> np.ndarray:
    """Boolean per character of ``source``: True inside comments and string literals.

    Docstrings are string literals, so they count as prose. Uses :mod:`tokenize`; a
    source that does not tokenize raises ``ValueError``.
    """
    if not isinstance(source, str):
        raise TypeError(f"source must be a str, got {type(source).__name__}")
    line_starts = np.r_[0, np.cumsum([len(line) for line in source.splitlines(keepends=True)])]
    mask = np.zeros(len(source), dtype=bool)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError) as err:
        raise ValueError(f"source does not tokenize as Python: {err}") from err
    for tok in tokens:
        if tok.type in (tokenize.COMMENT, tokenize.STRING):
            start = line_starts[tok.start[0] - 1] + tok.start[1]
            end = line_starts[tok.end[0] - 1] + tok.end[1]
            mask[start:end] = True
    return mask


@dataclass
class SnippetTask:
    """Fixed-length snippets of several sources with two labels each.

    ``y_*`` is the index of the source a snippet comes from; ``prose_*`` is 1 when more
    than half of the snippet's characters lie in comments or string literals.
    Train snippets come from the first part of each source, test snippets from the rest,
    so no test text overlaps any training text.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    prose_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    prose_test: np.ndarray
    names: list[str]


def snippet_task(sources: Sequence[str], *, length: int = 128, test_fraction: float = 0.3,
                 names: Sequence[str] | None = None) -> SnippetTask:
    """Cut each source into non-overlapping ``length``-character snippets, encoded as ids.

    The first ``1 - test_fraction`` of each source gives training snippets, the rest test
    snippets. Each class keeps as many snippets as the smallest source has (evenly
    spaced), so the classes are balanced. Characters are encoded with
    :func:`scalekit.data.encode_text`.
    """
    from scalekit.data import encode_text

    if isinstance(sources, str) or not isinstance(sources, Sequence):
        raise TypeError(f"sources must be a sequence of str, got {type(sources).__name__}")
    if len(sources) < 2:
        raise ValueError(f"sources must hold at least 2 texts, got {len(sources)}")
    length = positive_int("length", length)
    test_fraction = fraction("test_fraction", test_fraction)
    if test_fraction == 0.0:
        raise ValueError("test_fraction must be > 0")
    names = [f"source {i}" for i in range(len(sources))] if names is None else list(names)
    if len(names) != len(sources):
        raise ValueError(f"names must have {len(sources)} entries, got {len(names)}")
    for i, text in enumerate(sources):
        if not isinstance(text, str):
            raise TypeError(f"sources[{i}] must be a str, got {type(text).__name__}")
    parts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {"train": [], "test": []}
    for i, text in enumerate(sources):
        ids, prose = encode_text(text), prose_mask(text)
        cut = int(len(text) * (1 - test_fraction))
        for split, (lo, hi) in (("train", (0, cut)), ("test", (cut, len(text)))):
            n = (hi - lo) // length
            if n == 0:
                raise ValueError(f"sources[{i}] is too short for a {split} snippet of "
                                 f"length {length}")
            starts = lo + length * np.arange(n)
            x = np.stack([ids[s:s + length] for s in starts])
            p = np.array([prose[s:s + length].mean() > 0.5 for s in starts], dtype=np.int64)
            parts[split].append((x, p))
    out = {}
    for split, chunks in parts.items():
        keep = min(len(x) for x, _ in chunks)
        xs, ys, ps = [], [], []
        for label, (x, p) in enumerate(chunks):
            idx = np.unique(np.linspace(0, len(x) - 1, keep).round().astype(int))
            xs.append(x[idx])
            ps.append(p[idx])
            ys.append(np.full(len(idx), label, dtype=np.int64))
        out[split] = (np.concatenate(xs).astype(np.int32), np.concatenate(ys),
                      np.concatenate(ps))
    return SnippetTask(*out["train"], *out["test"], names=names)

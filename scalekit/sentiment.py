"""A labelled sentiment corpus the book generates from templates, and its word ids.

The corpus is a small artificial language of short reviews, in three kinds:

* ``plain``: ``the plot was very good`` (the adjective's polarity);
* ``negated``: ``the plot was not very good`` (``not`` or ``never`` flips it);
* ``contrast``: ``the plot was good but the acting was dull`` (two clauses of opposite
  polarity: the clause after ``but`` decides).

Intensifiers (``very``, ``really``, ...) never change the label. These rules define the
labels; they are not a claim about English. In ``contrast`` reviews, swapping the two
adjectives flips the label and keeps the bag of words, so a model that ignores word
order cannot be right about them.

* :func:`make_reviews`: distinct reviews drawn with a seed; no test review occurs in
  the training part;
* :data:`WORDS` and :func:`encode`: word ids (0 is padding).

Used by Chapter 6 (``notebooks/ch06/translation.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scalekit._validate import fraction, positive_int

__all__ = ["KINDS", "WORDS", "Reviews", "make_reviews", "review", "encode"]

SUBJECTS = ["film", "plot", "acting", "music", "ending", "dialogue", "cast", "story"]
VERBS = ["was", "is", "felt", "seemed"]
POSITIVE = ["good", "great", "wonderful", "moving", "brilliant", "funny", "clever", "superb"]
NEGATIVE = ["bad", "awful", "boring", "dull", "weak", "terrible", "clumsy", "tedious"]
INTENSIFIERS = ["very", "really", "quite", "truly"]
NEGATORS = ["not", "never"]
KINDS = ("plain", "negated", "contrast")
#: Every word of the language; the id of a word is 1 + its index here (0 pads).
WORDS = sorted({"the", "but", *SUBJECTS, *VERBS, *POSITIVE, *NEGATIVE, *INTENSIFIERS,
                *NEGATORS})


def review(subject: str, adjective: str, *, verb: str = "was", negator: str = "",
           intensifier: str = "") -> tuple[str, int]:
    """One clause, ``the <subject> <verb> [negator] [intensifier] <adjective>``, and its
    label (1 positive, 0 negative)."""
    for name, value, allowed in (("subject", subject, SUBJECTS), ("verb", verb, VERBS),
                                 ("adjective", adjective, POSITIVE + NEGATIVE),
                                 ("negator", negator, ["", *NEGATORS]),
                                 ("intensifier", intensifier, ["", *INTENSIFIERS])):
        if value not in allowed:
            raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    words = ["the", subject, verb, negator, intensifier, adjective]
    positive = (adjective in POSITIVE) != bool(negator)
    return " ".join(w for w in words if w), int(positive)


def _clause(rng: np.random.Generator, *, negated: bool, positive: bool | None = None,
            avoid: str = ""):
    adjectives = POSITIVE if positive else NEGATIVE
    if positive is None:
        adjectives = POSITIVE + NEGATIVE
    intensifier = rng.choice(["", *INTENSIFIERS]) if rng.random() < 0.5 else ""
    subject = str(rng.choice([s for s in SUBJECTS if s != avoid]))
    return review(subject, str(rng.choice(adjectives)),
                  verb=str(rng.choice(VERBS)),
                  negator=str(rng.choice(NEGATORS)) if negated else "",
                  intensifier=str(intensifier))


def _draw(rng: np.random.Generator, shares: np.ndarray) -> tuple[str, int, str]:
    kind = KINDS[int(rng.choice(len(KINDS), p=shares))]
    if kind == "contrast":
        first_positive = bool(rng.random() < 0.5)
        first, _ = _clause(rng, negated=False, positive=first_positive)
        second, label = _clause(rng, negated=False, positive=not first_positive,
                                avoid=first.split()[1])   # another subject
        return f"{first} but {second}", label, kind
    text, label = _clause(rng, negated=kind == "negated")
    return text, label, kind


@dataclass
class Reviews:
    """Texts, labels (1 positive) and kinds (one of :data:`KINDS`), per split."""

    train_text: list[str]
    train_label: np.ndarray
    train_kind: np.ndarray
    test_text: list[str]
    test_label: np.ndarray
    test_kind: np.ndarray


def make_reviews(n_train: int, n_test: int, *, seed: int = 0,
                 shares: Sequence[float] = (0.4, 0.3, 0.3)) -> Reviews:
    """``n_train`` + ``n_test`` distinct reviews; ``shares`` of plain, negated, contrast.

    Reviews are drawn with ``seed`` and kept if not seen before, so no test review is
    also a training review (single clauses are few, so short ones repeat less often
    than the shares suggest once the language is exhausted: see the kinds returned).
    """
    n_train = positive_int("n_train", n_train)
    n_test = positive_int("n_test", n_test)
    seed = positive_int("seed", seed, allow_zero=True)
    if isinstance(shares, str) or len(shares) != len(KINDS):
        raise ValueError(f"shares must hold {len(KINDS)} numbers (for {KINDS})")
    p = np.array([fraction(f"shares[{i}]", s, inclusive_high=True)
                  for i, s in enumerate(shares)])
    if not np.isclose(p.sum(), 1.0):
        raise ValueError(f"shares must sum to 1, got {p.sum():g}")
    rng = np.random.default_rng(seed)
    seen: set[str] = set()
    rows: list[tuple[str, int, str]] = []
    for _ in range(50 * (n_train + n_test)):
        text, label, kind = _draw(rng, p)
        if text not in seen:
            seen.add(text)
            rows.append((text, label, kind))
            if len(rows) == n_train + n_test:
                break
    else:
        raise ValueError(f"could not draw {n_train + n_test} distinct reviews")
    order = rng.permutation(len(rows))
    rows = [rows[i] for i in order]
    parts = [rows[:n_train], rows[n_train:]]
    out = []
    for part in parts:
        out += [[t for t, _, _ in part], np.array([lab for _, lab, _ in part]),
                np.array([k for _, _, k in part])]
    return Reviews(*out)


def encode(texts: Sequence[str], length: int | None = None) -> np.ndarray:
    """Word ids (1 + index in :data:`WORDS`), left-padded with 0 to ``length``."""
    if isinstance(texts, str) or not isinstance(texts, Sequence):
        raise TypeError(f"texts must be a list of str, got {type(texts).__name__}")
    if not texts:
        raise ValueError("texts must not be empty")
    index = {w: i + 1 for i, w in enumerate(WORDS)}
    rows = []
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"texts[{i}] must be a str, got {type(t).__name__}")
        unknown = [w for w in t.split() if w not in index]
        if unknown:
            raise ValueError(f"texts[{i}] has words outside WORDS: {unknown}")
        rows.append([index[w] for w in t.split()])
    longest = max(len(r) for r in rows)
    length = longest if length is None else positive_int("length", length)
    if longest > length:
        raise ValueError(f"length={length} is shorter than the longest text ({longest})")
    out = np.zeros((len(rows), length), dtype=np.int32)
    for i, r in enumerate(rows):
        out[i, length - len(r):] = r
    return out

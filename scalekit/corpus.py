"""The next-character prediction task on the standard-library corpus.

* :class:`Corpus`: encoded training ids and a fixed set of held-out windows (``x``: the
  ``context`` previous characters, ``y``: the next one), with the unigram baseline.
* :func:`load_corpus`: builds it from :func:`scalekit.data.stdlib_text` (training files)
  and the held-out files, split by path hash; nothing is downloaded.

Used by Chapter 11 (the scaling-law sweep and the IsoFLOP profiles) and by
``benchmarks/ch11_training_loop.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scalekit._validate import positive_int
from scalekit.data import VOCAB, encode_text, stdlib_text

__all__ = ["Corpus", "load_corpus"]


@dataclass
class Corpus:
    """Encoded training ids and held-out windows (``heldout_x``: context, ``heldout_y``: next)."""

    train_ids: np.ndarray
    heldout_x: np.ndarray
    heldout_y: np.ndarray
    context: int

    @property
    def unigram_entropy(self) -> float:
        """Cross-entropy (nats) of the held-out targets under the training unigram frequencies.

        This is the loss of the best model that ignores context: every useful model beats it.
        """
        counts = np.bincount(self.train_ids, minlength=len(VOCAB)).astype(float) + 1.0
        logp = np.log(counts / counts.sum())
        return float(-logp[self.heldout_y].mean())


def load_corpus(*, context: int = 16, heldout_windows: int = 16384, seed: int = 0,
                max_train_chars: int | None = None) -> Corpus:
    """The standard-library corpus, encoded, with ``heldout_windows`` random held-out windows.

    Training text comes from ``stdlib_text(split="train")`` (its first ``max_train_chars``
    characters, or all of it); evaluation windows from the held-out files only, drawn with
    ``seed``.
    """
    context = positive_int("context", context)
    heldout_windows = positive_int("heldout_windows", heldout_windows)
    seed = positive_int("seed", seed, allow_zero=True)
    if max_train_chars is not None:
        max_train_chars = positive_int("max_train_chars", max_train_chars)
        if max_train_chars <= context + 1:
            raise ValueError(f"max_train_chars must exceed context + 1 = {context + 1}, "
                             f"got {max_train_chars}")
    train_ids = encode_text(stdlib_text(max_train_chars, split="train"))
    held = encode_text(stdlib_text(split="heldout"))
    if len(held) <= context + heldout_windows // 8:
        raise ValueError(f"held-out text too short for context={context}")
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, len(held) - context, size=heldout_windows)
    windows = held[starts[:, None] + np.arange(context + 1)]
    return Corpus(train_ids=train_ids, heldout_x=windows[:, :context].astype(np.int32),
                  heldout_y=windows[:, context].astype(np.int32), context=context)

"""Model-size sweeps: one model per width, the same data, every checkpoint recorded.

* :class:`Sweep`: the tidy result (one row per width and checkpoint: ``width, N, step, D,
  C, loss, train_loss, seconds``) and the per-window held-out losses that
  :func:`scalekit.laws.bootstrap` resamples;
* :func:`run_sweep`: trains one :func:`~scalekit.charlm.char_mlp` per width with
  :func:`~scalekit.training.train_char_mlp`.

Used by Chapter 11 (the scaling-law page).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from scalekit._validate import positive_int, positive_int_list, positive_number
from scalekit.charlm import char_mlp, non_embedding_params
from scalekit.corpus import Corpus, load_corpus
from scalekit.training import train_char_mlp

__all__ = ["Sweep", "run_sweep"]


@dataclass
class Sweep:
    """Result of :func:`run_sweep`.

    ``frame``: one row per (width, checkpoint) with ``width, N, step, D, C, loss,
    train_loss, seconds``. ``position_losses``: final held-out loss per window, one row
    per width (same windows for every width, so bootstrap resamples can be paired).
    """

    frame: pd.DataFrame
    position_losses: np.ndarray
    unigram_entropy: float
    settings: dict[str, Any] = field(default_factory=dict)

    def final(self) -> pd.DataFrame:
        """The last checkpoint of each width (one row per model size)."""
        last = self.frame.groupby("width")["step"].transform("max")
        return self.frame[self.frame["step"] == last].reset_index(drop=True)


def run_sweep(
    widths: Sequence[int],
    *,
    train_tokens: int,
    context: int = 16,
    embed_dim: int = 16,
    batch_size: int = 512,
    learning_rate: float = 2e-3,
    evaluations: int = 12,
    heldout_windows: int = 16384,
    seed: int = 0,
    corpus: Corpus | None = None,
    progress: bool = False,
) -> Sweep:
    """Train one :func:`char_mlp` per width for ``train_tokens`` tokens; record every checkpoint.

    Every width sees the same number of tokens ``D = steps·batch_size`` (``steps =
    train_tokens // batch_size``) and is evaluated on the same held-out windows.
    ``C = 6·N·D`` with ``N`` the non-embedding parameters. Model ``i`` is initialized with
    seed ``seed + i``. ``progress`` prints one line per finished width to standard error
    (which the built book hides).
    """
    import tensorflow as tf

    widths = positive_int_list("widths", widths)
    train_tokens = positive_int("train_tokens", train_tokens)
    context = positive_int("context", context)
    embed_dim = positive_int("embed_dim", embed_dim)
    batch_size = positive_int("batch_size", batch_size)
    learning_rate = positive_number("learning_rate", learning_rate)
    evaluations = positive_int("evaluations", evaluations)
    seed = positive_int("seed", seed, allow_zero=True)
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be a bool, got {type(progress).__name__}")
    if train_tokens < batch_size:
        raise ValueError(f"train_tokens ({train_tokens}) must be >= batch_size ({batch_size})")
    if corpus is None:
        corpus = load_corpus(context=context, heldout_windows=heldout_windows, seed=seed)
    elif not isinstance(corpus, Corpus):
        raise TypeError(f"corpus must be a scalekit.corpus.Corpus or None, "
                        f"got {type(corpus).__name__}")
    elif corpus.context != context:
        raise ValueError(f"corpus.context={corpus.context} differs from context={context}")
    steps = train_tokens // batch_size
    frames, losses = [], []
    for i, width in enumerate(widths):
        start = time.perf_counter()
        tf.keras.utils.set_random_seed(seed + i)
        model = char_mlp(width, context=context, embed_dim=embed_dim)
        ckpt, per_position = train_char_mlp(
            model, corpus, steps=steps, batch_size=batch_size, learning_rate=learning_rate,
            evaluations=evaluations, seed=seed + 1000 * (i + 1))
        n = non_embedding_params(width, context=context, embed_dim=embed_dim)
        ckpt.insert(0, "N", n)
        ckpt.insert(0, "width", width)
        ckpt["C"] = 6.0 * n * ckpt["D"]
        ckpt["seconds"] = time.perf_counter() - start
        frames.append(ckpt)
        losses.append(per_position)
        if progress:
            print(f"[{i + 1}/{len(widths)}] width {width:5d}  N {n:9,d}  held-out loss "
                  f"{ckpt['loss'].iloc[-1]:.3f}  ({ckpt['seconds'].iloc[-1]:.1f} s)",
                  file=sys.stderr, flush=True)
    frame = pd.DataFrame(pd.concat(frames, ignore_index=True))
    frame = frame[["width", "N", "step", "D", "C", "loss", "train_loss", "seconds"]]
    settings = {"context": context, "embed_dim": embed_dim, "batch_size": batch_size,
                "learning_rate": learning_rate, "steps": steps, "seed": seed}
    return Sweep(frame=frame, position_losses=np.vstack(losses),
                 unigram_entropy=corpus.unigram_entropy, settings=settings)

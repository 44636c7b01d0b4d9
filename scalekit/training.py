"""A fast training loop for small models: batches and steps inside one ``tf.function``.

* :func:`checkpoint_steps`: log-spaced step counts at which to evaluate;
* :func:`train_char_mlp`: Adam at a constant rate on random windows of a
  :class:`~scalekit.corpus.Corpus`, the held-out loss recorded at each checkpoint.

Used by Chapter 11 (the sweep of :mod:`scalekit.sweeps`, the IsoFLOP profiles, where the
page shows this function as a listing) and by ``benchmarks/ch11_training_loop.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scalekit._validate import positive_int, positive_number
from scalekit.corpus import Corpus

__all__ = ["checkpoint_steps", "train_char_mlp"]


def checkpoint_steps(steps: int, evaluations: int, *, first: int = 16) -> list[int]:
    """About ``evaluations`` log-spaced step counts from ``first`` to ``steps`` (both included)."""
    steps = positive_int("steps", steps)
    evaluations = positive_int("evaluations", evaluations)
    first = min(positive_int("first", first), steps)
    if evaluations == 1:
        return [steps]
    grid = np.unique(np.round(np.geomspace(first, steps, evaluations)).astype(int))
    return [int(s) for s in grid]


def _check_model_and_corpus(model, corpus) -> None:
    if not (callable(model) and hasattr(model, "trainable_variables")):
        raise TypeError(f"model must be a Keras model, got {type(model).__name__}")
    if not isinstance(corpus, Corpus):
        raise TypeError("corpus must be a scalekit.corpus.Corpus, "
                        f"got {type(corpus).__name__}")


def train_char_mlp(
    model,
    corpus: Corpus,
    *,
    steps: int,
    batch_size: int = 512,
    learning_rate: float = 2e-3,
    evaluations: int = 12,
    seed: int = 0,
) -> tuple[pd.DataFrame, np.ndarray]:
    """Train ``model`` with Adam on random windows of ``corpus``, evaluating as it goes.

    Batches are drawn *inside* the compiled graph (random offsets into the training
    ids, ``tf.gather`` of the windows), so a whole stretch of steps between two
    evaluations is a single ``tf.function`` call with a ``tf.range`` loop: no Python
    per step.

    Returns ``(checkpoints, position_losses)``: one row per checkpoint with ``step``,
    ``D`` (training tokens seen, ``step·batch_size``), ``loss`` (mean held-out
    cross-entropy, nats) and ``train_loss``; and the per-window held-out losses of the
    final model.
    """
    import tensorflow as tf

    _check_model_and_corpus(model, corpus)
    steps = positive_int("steps", steps)
    batch_size = positive_int("batch_size", batch_size)
    learning_rate = positive_number("learning_rate", learning_rate)
    checkpoints = checkpoint_steps(steps, evaluations)
    seed = positive_int("seed", seed, allow_zero=True)
    context = corpus.context
    ids = tf.constant(corpus.train_ids, dtype=tf.int32)
    max_start = int(len(corpus.train_ids) - context - 1)
    offsets = tf.range(context + 1, dtype=tf.int32)
    generator = tf.random.Generator.from_seed(seed)
    optimizer = tf.keras.optimizers.Adam(learning_rate)
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    weights = model.trainable_variables

    @tf.function
    def train_stretch(n_steps):
        total = tf.constant(0.0)
        for _ in tf.range(n_steps):
            starts = generator.uniform([batch_size], 0, max_start, dtype=tf.int32)
            windows = tf.gather(ids, starts[:, None] + offsets[None, :])
            x, y = windows[:, :context], windows[:, context]
            with tf.GradientTape() as tape:
                loss = loss_fn(y, model(x, training=True))
            grads = tape.gradient(loss, weights)
            optimizer.apply_gradients(zip(grads, weights, strict=True))
            total += loss
        return total / tf.cast(n_steps, tf.float32)

    heldout_x = tf.constant(corpus.heldout_x)
    heldout_y = tf.constant(corpus.heldout_y)

    @tf.function
    def position_losses():
        logits = model(heldout_x, training=False)
        return tf.nn.sparse_softmax_cross_entropy_with_logits(heldout_y, logits)

    rows, done = [], 0
    per_position = np.empty(0)
    for step in checkpoints:
        train_loss = float(train_stretch(tf.constant(step - done)))
        done = step
        per_position = position_losses().numpy().astype(np.float64)
        rows.append({"step": step, "D": step * batch_size,
                     "loss": float(per_position.mean()), "train_loss": train_loss})
    return pd.DataFrame(rows), per_position

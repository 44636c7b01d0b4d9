"""The model family of Chapter 11: a character-level MLP language model and its size.

* :func:`char_mlp`: ``Embedding → Flatten → Dense(width, relu) → Dense(vocab)`` (logits),
  one knob (the hidden width) for scaling sweeps;
* :func:`non_embedding_params`: its parameter count ``N`` without the embedding table, the
  convention of Kaplan et al. (2020) that Chapter 11's laws use.

Used by Chapter 11 (through :mod:`scalekit.sweeps` and directly in the IsoFLOP profiles).
"""

from __future__ import annotations

from scalekit._validate import positive_int
from scalekit.data import VOCAB

__all__ = ["char_mlp", "non_embedding_params"]


def non_embedding_params(width: int, *, context: int = 16, embed_dim: int = 16,
                         vocab_size: int = len(VOCAB)) -> int:
    """Non-embedding parameters of :func:`char_mlp`: ``(context·embed_dim)·w + w + w·V + V``.

    Kaplan et al. (2020) count parameters without the embedding table; so does the book.
    """
    width = positive_int("width", width)
    context = positive_int("context", context)
    embed_dim = positive_int("embed_dim", embed_dim)
    vocab_size = positive_int("vocab_size", vocab_size)
    return context * embed_dim * width + width + width * vocab_size + vocab_size


def char_mlp(width: int, *, context: int = 16, embed_dim: int = 16,
             vocab_size: int = len(VOCAB), name: str | None = None):
    """A character MLP: ``Embedding → Flatten → Dense(width, relu) → Dense(vocab)`` (logits).

    Input: ``(batch, context)`` integer ids; output: next-character logits. The layers
    are named ``embedding``, ``hidden`` and ``logits``.
    """
    import tensorflow as tf

    width = positive_int("width", width)
    context = positive_int("context", context)
    embed_dim = positive_int("embed_dim", embed_dim)
    vocab_size = positive_int("vocab_size", vocab_size)
    if name is not None and not isinstance(name, str):
        raise TypeError(f"name must be a str or None, got {type(name).__name__}")
    return tf.keras.Sequential(
        [
            tf.keras.Input(shape=(context,), dtype="int32"),
            tf.keras.layers.Embedding(vocab_size, embed_dim, name="embedding"),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(width, activation="relu", name="hidden"),
            tf.keras.layers.Dense(vocab_size, name="logits"),
        ],
        name=name or f"char_mlp_w{width}",
    )

"""A small decoder-only Transformer in Keras 2, with a key/value cache (Chapter 12).

* :class:`CausalSelfAttention`, :class:`Block` and :class:`TinyGPT`: token and position
  embeddings, pre-LayerNorm blocks of causal multi-head self-attention and a 4x MLP, a
  final LayerNorm and an *untied* output layer. Every weight is a Keras layer, so
  ``count_params()`` counts them; attention uses ``tf.matmul`` so TensorFlow's profiler
  counts its FLOPs.
* :func:`train_tiny_gpt`: Adam on random windows of a token array, every position a
  prediction, held-out loss per window (for bootstrap intervals).
* :func:`greedy_decode`: greedy generation with or without the key/value cache, timed
  step by step.

The accounting formulas (parameters, FLOPs, memory) are in :mod:`scalekit.costs`.
Importing this module imports TensorFlow; import :mod:`scalekit` first.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import pandas as pd
import tensorflow as tf

from scalekit._validate import positive_int

__all__ = ["CausalSelfAttention", "Block", "TinyGPT", "train_tiny_gpt", "greedy_decode"]


class CausalSelfAttention(tf.keras.layers.Layer):
    """Multi-head causal self-attention; ``past=(k, v)`` continues a cached sequence."""

    def __init__(self, d_model: int, n_heads: int, **kwargs: Any):
        super().__init__(**kwargs)
        self.d_model = positive_int("d_model", d_model)
        self.n_heads = positive_int("n_heads", n_heads)
        if d_model % n_heads:
            raise ValueError(f"n_heads must divide d_model, got {n_heads} and {d_model}")
        self.d_head = d_model // n_heads
        self.qkv = tf.keras.layers.Dense(3 * d_model, name="qkv")   # W_q, W_k, W_v at once
        self.proj = tf.keras.layers.Dense(d_model, name="proj")     # W_o

    def _split_heads(self, x):  # (batch, time, d_model) -> (batch, heads, time, d_head)
        shape = tf.shape(x)
        x = tf.reshape(x, [shape[0], shape[1], self.n_heads, self.d_head])
        return tf.transpose(x, [0, 2, 1, 3])

    def call(self, x, past=None):
        q, k, v = tf.split(self.qkv(x), 3, axis=-1)
        q = self._split_heads(q) * (1.0 / math.sqrt(self.d_head))
        k, v = self._split_heads(k), self._split_heads(v)
        if past is not None:  # keys and values of the earlier positions, from the cache
            k = tf.concat([past[0], k], axis=2)
            v = tf.concat([past[1], v], axis=2)
        t_q, t_k = tf.shape(q)[2], tf.shape(k)[2]
        scores = tf.matmul(q, k, transpose_b=True)            # (batch, heads, t_q, t_k)
        row = tf.range(t_q)[:, None] + (t_k - t_q)            # absolute query positions
        scores += tf.where(tf.range(t_k)[None, :] <= row, 0.0, -1e9)   # causal mask
        out = tf.matmul(tf.nn.softmax(scores, axis=-1), v)    # (batch, heads, t_q, d_head)
        out = tf.transpose(out, [0, 2, 1, 3])
        out = tf.reshape(out, [tf.shape(out)[0], t_q, self.d_model])
        return self.proj(out), (k, v)


class Block(tf.keras.layers.Layer):
    """Pre-LayerNorm Transformer block: ``x + attn(ln(x))``, then ``x + mlp(ln(x))``."""

    def __init__(self, d_model: int, n_heads: int, d_ff: int, **kwargs: Any):
        super().__init__(**kwargs)
        self.ln1 = tf.keras.layers.LayerNormalization(epsilon=1e-5, name="ln1")
        self.attn = CausalSelfAttention(d_model, n_heads, name="attn")
        self.ln2 = tf.keras.layers.LayerNormalization(epsilon=1e-5, name="ln2")
        self.ff1 = tf.keras.layers.Dense(positive_int("d_ff", d_ff), activation="gelu",
                                         name="ff1")
        self.ff2 = tf.keras.layers.Dense(d_model, name="ff2")

    def call(self, x, past=None):
        a, present = self.attn(self.ln1(x), past=past)
        x = x + a
        return x + self.ff2(self.ff1(self.ln2(x))), present


class TinyGPT(tf.keras.Model):
    """Decoder-only Transformer: embeddings, ``n_layers`` blocks, final norm, output layer.

    ``model(ids)`` returns next-token logits ``(batch, time, vocab_size)``;
    ``model.forward(ids, past, start)`` also returns each block's keys and values.
    The output layer is untied (its own ``d_model x vocab_size`` matrix and bias).
    """

    def __init__(self, *, vocab_size: int, d_model: int, n_layers: int, n_heads: int,
                 context: int, d_ff: int | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.vocab_size = positive_int("vocab_size", vocab_size)
        self.d_model = positive_int("d_model", d_model)
        self.n_layers = positive_int("n_layers", n_layers)
        self.n_heads = positive_int("n_heads", n_heads)
        self.context = positive_int("context", context)
        self.d_ff = 4 * d_model if d_ff is None else positive_int("d_ff", d_ff)
        self.tok = tf.keras.layers.Embedding(vocab_size, d_model, name="tok_emb")
        self.pos = tf.keras.layers.Embedding(context, d_model, name="pos_emb")
        self.blocks = [Block(d_model, n_heads, self.d_ff, name=f"block{i}")
                       for i in range(n_layers)]
        self.ln_f = tf.keras.layers.LayerNormalization(epsilon=1e-5, name="ln_f")
        self.head = tf.keras.layers.Dense(vocab_size, name="head")

    def forward(self, ids, past=None, start=0):
        """Logits and per-block ``(k, v)`` for ``ids`` at positions ``start, start+1, …``."""
        x = self.tok(ids) + self.pos(start + tf.range(tf.shape(ids)[1]))
        presents = []
        for i, block in enumerate(self.blocks):
            x, kv = block(x, past=None if past is None else past[i])
            presents.append(kv)
        return self.head(self.ln_f(x)), presents

    def call(self, ids):
        return self.forward(ids)[0]

    def build_weights(self) -> TinyGPT:
        """Create the weights by calling the model once; return it (for ``count_params``)."""
        self(tf.zeros([1, 1], tf.int32))
        return self


def _windows(ids: tf.Tensor, starts: tf.Tensor, length: int) -> tf.Tensor:
    return tf.gather(ids, starts[:, None] + tf.range(length)[None, :])


def train_tiny_gpt(
    model: TinyGPT,
    train_ids: np.ndarray,
    heldout_windows: np.ndarray,
    *,
    steps: int,
    batch_size: int = 32,
    learning_rate: float = 1e-3,
    seed: int = 0,
) -> tuple[float, np.ndarray]:
    """Train ``model`` with Adam for ``steps`` steps on random windows of ``train_ids``.

    Each batch holds ``batch_size`` windows of ``model.context + 1`` tokens drawn inside the
    compiled graph; every position predicts the next token, so one step sees
    ``batch_size · context`` training tokens. ``heldout_windows`` has shape
    ``(m, context + 1)``. Returns ``(mean training loss of the last 10% of steps,
    held-out loss of each window in nats)``.
    """
    steps = positive_int("steps", steps)
    batch_size = positive_int("batch_size", batch_size)
    seed = positive_int("seed", seed, allow_zero=True)
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
    n = model.context
    held = np.asarray(heldout_windows)
    if held.ndim != 2 or held.shape[1] != n + 1:
        raise ValueError(f"heldout_windows must have shape (m, {n + 1}), got {held.shape}")
    ids = tf.constant(np.asarray(train_ids, dtype=np.int32))
    max_start = int(ids.shape[0]) - n - 1
    generator = tf.random.Generator.from_seed(seed)
    optimizer = tf.keras.optimizers.Adam(learning_rate)

    def loss_of(windows):
        logits = model(windows[:, :-1])
        return tf.nn.sparse_softmax_cross_entropy_with_logits(windows[:, 1:], logits)

    @tf.function
    def train(n_steps):
        total = tf.constant(0.0)
        for _ in tf.range(n_steps):
            starts = generator.uniform([batch_size], 0, max_start, dtype=tf.int32)
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(loss_of(_windows(ids, starts, n + 1)))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
            total += loss
        return total / tf.cast(n_steps, tf.float32)

    tail = max(1, steps // 10)
    train(tf.constant(steps - tail))
    train_loss = float(train(tf.constant(tail)))
    per_window = []
    for chunk in np.array_split(held, max(1, len(held) // 512)):
        per_window.append(tf.reduce_mean(loss_of(tf.constant(chunk, tf.int32)), axis=1))
    return train_loss, np.concatenate([p.numpy() for p in per_window]).astype(np.float64)


def greedy_decode(model: TinyGPT, prompt: np.ndarray, new_tokens: int, *,
                  use_cache: bool) -> tuple[np.ndarray, pd.DataFrame]:
    """Generate ``new_tokens`` greedily after ``prompt`` (``(batch, t0)`` token ids).

    With ``use_cache`` the prompt is run once (the *prefill*) and every later step feeds
    only the newest token, reading earlier keys and values from the cache; without it,
    every step runs the whole sequence so far. Both are compiled ``tf.function`` s traced
    once for any length. Returns ``(tokens (batch, t0 + new_tokens), steps)``, where
    ``steps`` has one row per generated token: ``length`` (sequence length after the
    step), ``seconds`` (wall time of the step, including the copy to NumPy) and
    ``cpu_seconds`` (CPU time of the whole process during the step, all threads: the
    work done, which waiting for a busy machine does not inflate).
    """
    prompt = np.asarray(prompt, dtype=np.int32)
    if prompt.ndim != 2 or prompt.shape[1] < 1:
        raise ValueError(f"prompt must have shape (batch, t0 >= 1), got {prompt.shape}")
    new_tokens = positive_int("new_tokens", new_tokens)
    if not isinstance(use_cache, bool):
        raise TypeError(f"use_cache must be a bool, got {type(use_cache).__name__}")
    if prompt.shape[1] + new_tokens > model.context:
        raise ValueError(f"prompt length + new_tokens must be <= context={model.context}, "
                         f"got {prompt.shape[1]} + {new_tokens}")
    fns = _decode_functions(model)
    rows = []

    def timed(length, fn, *args):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn(*args)
        token = result[0].numpy() if isinstance(result, tuple) else result.numpy()
        rows.append({"length": length, "seconds": time.perf_counter() - wall,
                     "cpu_seconds": time.process_time() - cpu})
        return token, result

    seq = prompt
    if use_cache:
        token, (_, past) = timed(seq.shape[1] + 1, fns["prefill"], tf.constant(seq))
        for _ in range(new_tokens - 1):
            seq = np.concatenate([seq, token[:, None]], axis=1)
            start = tf.constant(seq.shape[1] - 1, tf.int32)
            token, (_, past) = timed(seq.shape[1] + 1, fns["step"],
                                     tf.constant(token[:, None]), past, start)
    else:
        for i in range(new_tokens):
            if i:
                seq = np.concatenate([seq, token[:, None]], axis=1)
            token, _ = timed(seq.shape[1] + 1, fns["full"], tf.constant(seq))
    return np.concatenate([seq, token[:, None]], axis=1), pd.DataFrame(rows)


def _decode_functions(model: TinyGPT) -> dict[str, Any]:
    """The three compiled functions of :func:`greedy_decode`, made once per model."""
    cached = getattr(model, "_decode_fns", None)
    if cached is not None:
        return cached
    h, dh = model.n_heads, model.d_model // model.n_heads
    ids_spec = tf.TensorSpec([None, None], tf.int32)
    kv_spec = tf.TensorSpec([None, h, None, dh], tf.float32)
    past_spec = [(kv_spec, kv_spec)] * model.n_layers

    @tf.function(input_signature=[ids_spec])
    def full(ids):  # recompute the whole prefix, keep the last position's argmax
        return tf.argmax(model(ids)[:, -1], axis=-1, output_type=tf.int32)

    @tf.function(input_signature=[ids_spec])
    def prefill(ids):
        logits, presents = model.forward(ids)
        return tf.argmax(logits[:, -1], axis=-1, output_type=tf.int32), presents

    @tf.function(input_signature=[ids_spec, past_spec, tf.TensorSpec([], tf.int32)])
    def step(ids, past, start):
        logits, presents = model.forward(ids, past=past, start=start)
        return tf.argmax(logits[:, -1], axis=-1, output_type=tf.int32), presents

    model._decode_fns = {"full": full, "prefill": prefill, "step": step}
    return model._decode_fns

"""Implicit-feedback recommendation for chapter 6's retail page (``ch06/recommendation``).

The parameter-server calls (``ParameterServerStrategy``, ``variable_partitioner``,
``ClusterCoordinator``) are the page's lesson and stay in its notebook. This module holds
the data, the model builder and the bookkeeping around them:

* :func:`generate_interactions`: users x items with latent tastes and a Zipf popularity
  skew, each user's interactions split into training and held-out pairs;
* :func:`training_examples`: positives plus uniformly sampled negatives, shuffled;
* :func:`mf_model`: a matrix-factorization Keras model (user and item embeddings, item
  bias, dot product as a logit);
* :func:`popularity_scores`, :func:`recall_at_k`, :func:`ranking_auc`: the baseline and
  the ranking metrics on held-out interactions (training items excluded);
* :func:`shard_rows`, :func:`shard_bytes`, :func:`rows_touched`: how a table of rows
  splits over parameter servers, and how many rows one batch touches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scalekit._validate import nonnegative, positive_int, positive_int_list

__all__ = ["Interactions", "generate_interactions", "training_examples", "mf_model",
           "popularity_scores", "recall_at_k", "ranking_auc", "shard_rows", "shard_bytes",
           "rows_touched"]


@dataclass(frozen=True)
class Interactions:
    """Generated implicit feedback: ``(user, item)`` pairs, training and held out.

    ``train`` and ``test`` are int64 arrays of shape ``(n, 2)`` (columns user, item); no
    pair appears twice or in both. ``popularity`` is the items' true popularity weight
    (sums to 1) the generator used.
    """

    num_users: int
    num_items: int
    train: np.ndarray
    test: np.ndarray
    popularity: np.ndarray


def generate_interactions(num_users: int, num_items: int, *, per_user: int = 20,
                          test_per_user: int = 2, latent_dim: int = 8,
                          zipf: float = 1.0, affinity: float = 3.0,
                          seed: int = 0) -> Interactions:
    """Implicit feedback with a popularity skew and latent tastes a model can learn.

    Item ``i`` has a popularity weight ``p_i`` proportional to ``rank_i ** -zipf`` (ranks
    assigned in a random order, so item ids carry no popularity) and a unit taste vector
    ``v_i``; user ``u`` has a unit taste vector ``w_u`` (both of ``latent_dim`` standard
    normal entries, normalized). Each user picks ``per_user + test_per_user`` distinct
    items with probability proportional to ``p_i * exp(affinity * w_u . v_i)`` (without
    replacement, by Gumbel top-k), and ``test_per_user`` of them, chosen at random, are
    held out. With ``affinity = 0`` popularity is all there is to learn.

    Raises:
        ValueError: a size below 1, ``per_user + test_per_user > num_items``, or a
            negative ``zipf`` or ``affinity``.
        TypeError: a size that is not an int, or a non-numeric ``zipf`` or ``affinity``.
    """
    num_users = positive_int("num_users", num_users)
    num_items = positive_int("num_items", num_items)
    per_user = positive_int("per_user", per_user)
    test_per_user = positive_int("test_per_user", test_per_user)
    latent_dim = positive_int("latent_dim", latent_dim)
    zipf = nonnegative("zipf", zipf)
    affinity = nonnegative("affinity", affinity)
    seed = positive_int("seed", seed, allow_zero=True)
    picks = per_user + test_per_user
    if picks > num_items:
        raise ValueError(f"per_user + test_per_user = {picks} exceeds num_items = "
                         f"{num_items}: a user cannot pick more distinct items than exist")
    rng = np.random.default_rng(seed)
    ranks = rng.permutation(num_items) + 1.0
    popularity = ranks ** -zipf
    popularity /= popularity.sum()

    def unit(n: int) -> np.ndarray:
        x = rng.standard_normal((n, latent_dim))
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    users, items = unit(num_users), unit(num_items)
    logits = np.log(popularity)[None, :] + affinity * users @ items.T
    gumbel = rng.gumbel(size=logits.shape)
    chosen = np.argpartition(-(logits + gumbel), picks - 1, axis=1)[:, :picks]
    chosen = rng.permuted(chosen, axis=1)  # random held-out choice per user
    user_ids = np.repeat(np.arange(num_users), picks).reshape(num_users, picks)
    train = np.stack([user_ids[:, :per_user].ravel(), chosen[:, :per_user].ravel()], 1)
    test = np.stack([user_ids[:, per_user:].ravel(), chosen[:, per_user:].ravel()], 1)
    return Interactions(num_users, num_items, train.astype(np.int64),
                        test.astype(np.int64), popularity)


def training_examples(data: Interactions, *, negatives: int = 1,
                      seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(users, items, labels)``: every training pair (label 1) plus ``negatives``
    uniformly drawn items per pair (label 0), shuffled.

    A drawn "negative" may be an item the user did interact with; with many items this
    is rare and is the usual price of uniform negative sampling.
    """
    if not isinstance(data, Interactions):
        raise TypeError(f"data must be an Interactions, got {type(data).__name__}")
    negatives = positive_int("negatives", negatives)
    seed = positive_int("seed", seed, allow_zero=True)
    rng = np.random.default_rng(seed)
    pos = data.train
    neg_users = np.repeat(pos[:, 0], negatives)
    neg_items = rng.integers(0, data.num_items, size=len(neg_users))
    users = np.concatenate([pos[:, 0], neg_users])
    items = np.concatenate([pos[:, 1], neg_items])
    labels = np.concatenate([np.ones(len(pos)), np.zeros(len(neg_users))])
    order = rng.permutation(len(users))
    return users[order], items[order], labels[order].astype(np.float32)


def mf_model(num_users: int, num_items: int, dim: int, *, l2: float = 0.0,
             init_scale: float = 0.1):
    """Matrix factorization as a Keras model: ``logit = w_u . v_i + b_i``.

    Inputs are ``{"user": ids, "item": ids}``; the layers are named ``user_embedding``
    (``num_users x dim``), ``item_embedding`` (``num_items x dim``) and ``item_bias``
    (``num_items x 1``, where popularity goes). ``l2`` penalizes the embeddings of each
    batch's rows; embeddings start as normal draws of standard deviation
    ``init_scale``. Build it inside a strategy's scope to place its variables there.
    """
    import tensorflow as tf

    num_users = positive_int("num_users", num_users)
    num_items = positive_int("num_items", num_items)
    dim = positive_int("dim", dim)
    l2 = nonnegative("l2", l2)
    init_scale = nonnegative("init_scale", init_scale, positive=True)
    reg = tf.keras.regularizers.L2(l2) if l2 else None
    user = tf.keras.Input(shape=(), dtype="int64", name="user")
    item = tf.keras.Input(shape=(), dtype="int64", name="item")

    def init():  # a fresh initializer per table: a reused one repeats its values
        return tf.keras.initializers.RandomNormal(stddev=init_scale)

    w = tf.keras.layers.Embedding(num_users, dim, embeddings_initializer=init(),
                                  activity_regularizer=reg, name="user_embedding")(user)
    v = tf.keras.layers.Embedding(num_items, dim, embeddings_initializer=init(),
                                  activity_regularizer=reg, name="item_embedding")(item)
    b = tf.keras.layers.Embedding(num_items, 1, embeddings_initializer="zeros",
                                  name="item_bias")(item)
    logit = tf.keras.layers.Dot(axes=1)([w, v]) + b
    return tf.keras.Model({"user": user, "item": item}, logit, name="matrix_factorization")


def popularity_scores(data: Interactions) -> np.ndarray:
    """The popularity baseline: each item's training count, the same for every user.

    Returns a ``(num_users, num_items)`` array (every row equal).
    """
    if not isinstance(data, Interactions):
        raise TypeError(f"data must be an Interactions, got {type(data).__name__}")
    counts = np.bincount(data.train[:, 1], minlength=data.num_items).astype(float)
    return np.broadcast_to(counts, (data.num_users, data.num_items))


def _ranking_inputs(scores: object, data: Interactions) -> np.ndarray:
    if not isinstance(data, Interactions):
        raise TypeError(f"data must be an Interactions, got {type(data).__name__}")
    s = np.asarray(scores, dtype=np.float64)
    if s.shape != (data.num_users, data.num_items):
        raise ValueError(f"scores must have shape (num_users, num_items) = "
                         f"{(data.num_users, data.num_items)}, got {s.shape}")
    if not np.isfinite(s).all():
        raise ValueError("scores must be finite")
    s = s.copy()
    s[data.train[:, 0], data.train[:, 1]] = -np.inf  # never recommend a known item
    return s


def recall_at_k(scores: object, data: Interactions, ks: Sequence[int]) -> dict[int, float]:
    """Recall@k on the held-out pairs, for each ``k`` in ``ks``.

    For every user with held-out items: the share of them among the ``k`` highest
    scored items, training items excluded; averaged over those users.

    Raises:
        ValueError: ``scores`` not of shape ``(num_users, num_items)`` or not finite, or
            a ``k`` above the number of items.
    """
    s = _ranking_inputs(scores, data)
    ks = positive_int_list("ks", ks)
    if max(ks) > data.num_items:
        raise ValueError(f"ks must not exceed num_items = {data.num_items}, got {max(ks)}")
    held = np.zeros(s.shape, dtype=bool)
    held[data.test[:, 0], data.test[:, 1]] = True
    n_held = held.sum(axis=1)
    users = n_held > 0
    order = np.argsort(-s, axis=1, kind="stable")[:, :max(ks)]
    hits = np.take_along_axis(held, order, axis=1).cumsum(axis=1)
    return {k: float((hits[users, k - 1] / n_held[users]).mean()) for k in ks}


def ranking_auc(scores: object, data: Interactions) -> float:
    """Mean per-user AUC: the chance a held-out item outscores an item the user never
    interacted with (ties count one half); training items are left out."""
    s = _ranking_inputs(scores, data)
    held = np.zeros(s.shape, dtype=bool)
    held[data.test[:, 0], data.test[:, 1]] = True
    known = np.isneginf(s)
    aucs = []
    for u in np.flatnonzero(held.any(axis=1)):
        pos = s[u, held[u]]
        neg = s[u, ~held[u] & ~known[u]]
        if neg.size == 0:
            continue
        greater = (pos[:, None] > neg[None, :]).sum()
        ties = (pos[:, None] == neg[None, :]).sum()
        aucs.append((greater + 0.5 * ties) / (pos.size * neg.size))
    return float(np.mean(aucs))


def shard_rows(num_rows: int, num_shards: int) -> list[int]:
    """Rows per shard when a table of ``num_rows`` is split along axis 0 into
    ``num_shards`` parts, as TensorFlow's ``ShardedVariable`` does: as equal as
    possible, the first ``num_rows % num_shards`` shards one row longer."""
    num_rows = positive_int("num_rows", num_rows)
    num_shards = positive_int("num_shards", num_shards)
    if num_shards > num_rows:
        raise ValueError(f"num_shards={num_shards} exceeds num_rows={num_rows}")
    base, extra = divmod(num_rows, num_shards)
    return [base + (i < extra) for i in range(num_shards)]


def shard_bytes(num_rows: int, row_elements: int, num_shards: int, *,
                bytes_per_element: int = 4) -> list[int]:
    """Bytes of each shard of a ``num_rows x row_elements`` table (float32 by default)."""
    row_elements = positive_int("row_elements", row_elements)
    bytes_per_element = positive_int("bytes_per_element", bytes_per_element)
    return [r * row_elements * bytes_per_element for r in shard_rows(num_rows, num_shards)]


def rows_touched(ids: object, num_rows: int, batch_size: int) -> np.ndarray:
    """Share of a table's rows each consecutive batch of ``ids`` looks up (distinct rows
    / ``num_rows``), one value per full batch."""
    num_rows = positive_int("num_rows", num_rows)
    batch_size = positive_int("batch_size", batch_size)
    arr = np.asarray(ids)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"ids must be a 1-D array of integer ids, got {arr.dtype} "
                        f"with shape {arr.shape}")
    if arr.size and (arr.min() < 0 or arr.max() >= num_rows):
        raise ValueError(f"ids must lie in [0, num_rows={num_rows})")
    n = len(arr) // batch_size
    if n == 0:
        raise ValueError(f"ids hold {len(arr)} ids, fewer than one batch of {batch_size}")
    batches = arr[: n * batch_size].reshape(n, batch_size)
    return np.array([np.unique(b).size / num_rows for b in batches])


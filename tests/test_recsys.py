"""Unit tests of scalekit.recsys (chapter 6's recommendation page)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from scalekit import recsys


@pytest.fixture(scope="module")
def small():
    return recsys.generate_interactions(60, 40, per_user=6, test_per_user=2, seed=3)


# ------------------------------------------------------------------ generate_interactions


def test_generated_pairs_are_distinct_and_split_per_user(small):
    assert small.train.shape == (60 * 6, 2) and small.test.shape == (60 * 2, 2)
    assert small.train.dtype == np.int64
    both = np.concatenate([small.train, small.test])
    assert len({tuple(p) for p in both}) == len(both)  # no pair twice, none in both
    assert np.array_equal(np.bincount(small.train[:, 0]), np.full(60, 6))
    assert np.array_equal(np.bincount(small.test[:, 0]), np.full(60, 2))
    assert both[:, 1].min() >= 0 and both[:, 1].max() < 40
    assert small.popularity.sum() == pytest.approx(1.0)


def test_generator_is_reproducible_and_seed_dependent():
    a = recsys.generate_interactions(30, 20, per_user=4, seed=1)
    b = recsys.generate_interactions(30, 20, per_user=4, seed=1)
    c = recsys.generate_interactions(30, 20, per_user=4, seed=2)
    assert np.array_equal(a.train, b.train) and np.array_equal(a.test, b.test)
    assert not np.array_equal(a.train, c.train)


def test_popularity_skew_shows_in_the_counts():
    d = recsys.generate_interactions(2000, 200, per_user=5, affinity=0.0, zipf=1.2,
                                     seed=0)
    counts = np.bincount(d.train[:, 1], minlength=200)
    # the most popular item by weight is among the most chosen, the least among the least
    assert counts[np.argmax(d.popularity)] > np.quantile(counts, 0.95)
    assert counts[np.argmin(d.popularity)] < np.median(counts)


def test_tastes_make_users_differ_beyond_popularity():
    # with affinity, a user's held-out items follow the user's own training items:
    # scoring by co-occurrence with them beats popularity; without affinity it does not
    gains = {}
    for aff in (0.0, 6.0):
        d = recsys.generate_interactions(400, 100, per_user=15, test_per_user=3,
                                         latent_dim=2, affinity=aff, seed=0)
        x = np.zeros((400, 100))
        x[d.train[:, 0], d.train[:, 1]] = 1
        cooc = x @ (x.T @ x)  # item-item co-occurrence, summed over a user's items
        pop = recsys.popularity_scores(d)
        gains[aff] = (recsys.recall_at_k(cooc, d, [10])[10]
                      - recsys.recall_at_k(pop, d, [10])[10])
    assert gains[6.0] > 0.05 and gains[6.0] > gains[0.0] + 0.05


@pytest.mark.parametrize("kwargs, exc, word", [
    ({"num_users": 0}, ValueError, "num_users"),
    ({"num_items": 2.5}, TypeError, "num_items"),
    ({"per_user": 30}, ValueError, "num_items"),
    ({"test_per_user": -1}, ValueError, "test_per_user"),
    ({"zipf": -1.0}, ValueError, "zipf"),
    ({"affinity": "high"}, TypeError, "affinity"),
    ({"latent_dim": 0}, ValueError, "latent_dim"),
])
def test_generate_interactions_bad_input(kwargs, exc, word):
    args = {"num_users": 10, "num_items": 20, **kwargs}
    with pytest.raises(exc, match=word):
        recsys.generate_interactions(**args)


# ---------------------------------------------------------------------- training_examples


def test_training_examples_hold_every_positive_and_the_negatives(small):
    users, items, labels = recsys.training_examples(small, negatives=3, seed=0)
    assert len(users) == len(items) == len(labels) == 4 * len(small.train)
    assert labels.dtype == np.float32 and labels.sum() == len(small.train)
    pos = {(u, i) for u, i, y in zip(users, items, labels, strict=True) if y == 1}
    assert pos == {tuple(p) for p in small.train}
    # each user gets `negatives` negatives per positive
    neg_users = users[labels == 0]
    assert np.array_equal(np.bincount(neg_users, minlength=60), np.full(60, 18))


def test_training_examples_bad_input(small):
    with pytest.raises(TypeError, match="data"):
        recsys.training_examples(small.train)
    with pytest.raises(ValueError, match="negatives"):
        recsys.training_examples(small, negatives=0)


# ------------------------------------------------------------------------------- metrics


def test_recall_at_k_exact_small_case():
    d = recsys.Interactions(
        num_users=2, num_items=4,
        train=np.array([[0, 0], [1, 3]]), test=np.array([[0, 1], [0, 2], [1, 0]]),
        popularity=np.full(4, 0.25))
    scores = np.array([[9.0, 1.0, 5.0, 0.0],   # item 0 is known: ranking 2, 1, 3
                       [0.0, 3.0, 2.0, 9.0]])  # item 3 is known: ranking 1, 2, 0
    r = recsys.recall_at_k(scores, d, [1, 2, 3])
    assert r[1] == pytest.approx((1 / 2 + 0) / 2)
    assert r[2] == pytest.approx((2 / 2 + 0) / 2)
    assert r[3] == pytest.approx((2 / 2 + 1) / 2)


def test_ranking_auc_matches_sklearn_per_user(small):
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(60, 40))
    expected = []
    for u in range(60):
        known = set(small.train[small.train[:, 0] == u, 1])
        held = set(small.test[small.test[:, 0] == u, 1])
        cand = [i for i in range(40) if i not in known]
        y = [int(i in held) for i in cand]
        expected.append(roc_auc_score(y, scores[u, cand]))
    assert recsys.ranking_auc(scores, small) == pytest.approx(np.mean(expected))


def test_popularity_is_the_same_list_for_everyone(small):
    pop = recsys.popularity_scores(small)
    assert pop.shape == (60, 40) and (pop == pop[0]).all()
    assert pop[0].sum() == len(small.train)
    # a perfect scorer has recall 1 at k = test_per_user, and AUC 1
    perfect = np.zeros((60, 40))
    perfect[small.test[:, 0], small.test[:, 1]] = 1
    assert recsys.recall_at_k(perfect, small, [2])[2] == 1.0
    assert recsys.ranking_auc(perfect, small) == 1.0


@pytest.mark.parametrize("scores, ks, exc, word", [
    (np.zeros((5, 40)), [1], ValueError, "shape"),
    (np.full((60, 40), np.nan), [1], ValueError, "finite"),
    (np.zeros((60, 40)), [0], ValueError, "ks"),
    (np.zeros((60, 40)), [41], ValueError, "ks"),
    (np.zeros((60, 40)), "10", TypeError, "ks"),
])
def test_recall_at_k_bad_input(small, scores, ks, exc, word):
    with pytest.raises(exc, match=word):
        recsys.recall_at_k(scores, small, ks)


def test_metrics_need_interactions():
    with pytest.raises(TypeError, match="data"):
        recsys.ranking_auc(np.zeros((2, 2)), {"train": []})
    with pytest.raises(TypeError, match="data"):
        recsys.popularity_scores(None)


# ------------------------------------------------------------------------ shards and rows


def test_shard_rows_and_bytes():
    assert recsys.shard_rows(10, 3) == [4, 3, 3]
    assert recsys.shard_rows(9, 3) == [3, 3, 3]
    assert sum(recsys.shard_rows(1001, 7)) == 1001
    assert recsys.shard_bytes(10, 16, 3) == [256, 192, 192]
    assert recsys.shard_bytes(10, 1, 2, bytes_per_element=2) == [10, 10]


@pytest.mark.parametrize("args, exc, word", [
    ((3, 4), ValueError, "num_shards"),
    ((0, 1), ValueError, "num_rows"),
    ((4, 1.0), TypeError, "num_shards"),
])
def test_shard_rows_bad_input(args, exc, word):
    with pytest.raises(exc, match=word):
        recsys.shard_rows(*args)


def test_shard_bytes_bad_input():
    with pytest.raises(ValueError, match="row_elements"):
        recsys.shard_bytes(10, 0, 2)


def test_rows_touched_counts_distinct_ids_per_batch():
    ids = np.array([0, 0, 1, 2, 3, 3, 3, 3, 9])  # two batches of 4; the 9 is left over
    assert np.allclose(recsys.rows_touched(ids, 10, 4), [0.3, 0.1])


@pytest.mark.parametrize("ids, num_rows, batch, exc, word", [
    (np.array([0, 1, 2]), 3, 4, ValueError, "batch"),
    (np.array([0, 5]), 3, 1, ValueError, "num_rows"),
    (np.array([0.0, 1.0]), 3, 1, TypeError, "ids"),
    (np.array([[0, 1]]), 3, 1, TypeError, "ids"),
    (np.array([0, 1]), 3, 0, ValueError, "batch_size"),
])
def test_rows_touched_bad_input(ids, num_rows, batch, exc, word):
    with pytest.raises(exc, match=word):
        recsys.rows_touched(ids, num_rows, batch)


# ------------------------------------------------------------------------------- the model


def test_mf_model_scores_are_dot_product_plus_bias():
    import tensorflow as tf

    tf.keras.utils.set_random_seed(0)
    model = recsys.mf_model(5, 4, 3)
    w = model.get_layer("user_embedding").get_weights()[0]
    v = model.get_layer("item_embedding").get_weights()[0]
    model.get_layer("item_bias").set_weights([np.arange(4.0)[:, None]])
    assert w.shape == (5, 3) and v.shape == (4, 3)
    assert not np.allclose(w[:4], v)  # the tables are drawn independently
    users, items = np.array([0, 4, 2]), np.array([3, 1, 1])
    out = model({"user": users, "item": items}).numpy().ravel()
    assert np.allclose(out, (w[users] * v[items]).sum(1) + items, atol=1e-6)
    assert model.count_params() == 5 * 3 + 4 * 3 + 4


@pytest.mark.parametrize("kwargs, exc, word", [
    ({"dim": 0}, ValueError, "dim"),
    ({"l2": -1.0}, ValueError, "l2"),
    ({"init_scale": 0.0}, ValueError, "init_scale"),
])
def test_mf_model_bad_input(kwargs, exc, word):
    args = {"num_users": 5, "num_items": 4, "dim": 3, **kwargs}
    with pytest.raises(exc, match=word):
        recsys.mf_model(**args)

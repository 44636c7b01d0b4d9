"""Unit tests of scalekit.apps (Chapter 6 helpers)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import recall_score

from scalekit import apps

# ---------------------------------------------------------------- threshold_for_recall


def test_threshold_for_recall_reaches_target_with_fewest_positives():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    s = rng.normal(size=500) + 1.5 * y
    for target in (0.5, 0.9, 0.98, 1.0):
        t = apps.threshold_for_recall(y, s, target)
        assert recall_score(y, s >= t) >= target
        # any higher threshold (the next score above t) misses the target
        higher = s[s > t]
        if higher.size:
            assert recall_score(y, s >= higher.min()) < target


def test_threshold_for_recall_exact_small_case():
    y = [0, 1, 1, 0, 1, 1]
    s = [0.1, 0.9, 0.8, 0.7, 0.4, 0.2]
    assert apps.threshold_for_recall(y, s, 0.5) == 0.8
    assert apps.threshold_for_recall(y, s, 0.75) == 0.4
    assert apps.threshold_for_recall(y, s, 1.0) == 0.2


@pytest.mark.parametrize("args, exc, word", [
    (([0, 1], [0.1], 0.9), ValueError, "length"),
    (([0, 2], [0.1, 0.2], 0.9), ValueError, "y_true"),
    (([0, 0], [0.1, 0.2], 0.9), ValueError, "positive"),
    (([0, 1], [0.1, np.nan], 0.9), ValueError, "scores"),
    (([0, 1], [0.1, 0.2], 0.0), ValueError, "target_recall"),
    (([0, 1], [0.1, 0.2], 1.5), ValueError, "target_recall"),
    (([0, 1], [0.1, 0.2], "high"), TypeError, "target_recall"),
    (([[0, 1]], [[0.1, 0.2]], 0.9), ValueError, "1-D"),
])
def test_threshold_for_recall_bad_input(args, exc, word):
    with pytest.raises(exc, match=word):
        apps.threshold_for_recall(*args)


# ---------------------------------------------------------------- min_cost_threshold


def _cost(y, s, t, cfn, cfp):
    pred = np.asarray(s) >= t
    y = np.asarray(y)
    return cfn * np.sum((y == 1) & ~pred) + cfp * np.sum((y == 0) & pred)


def test_min_cost_threshold_matches_brute_force():
    rng = np.random.default_rng(1)
    y = (rng.random(300) < 0.1).astype(int)
    s = np.round(rng.normal(size=300) + 2 * y, 1)  # rounded: many ties
    for cfn, cfp in ((1, 1), (10, 1), (1, 10), (50, 1)):
        t = apps.min_cost_threshold(y, s, cost_fn=cfn, cost_fp=cfp)
        grid = np.r_[np.unique(s), s.max() + 1]
        best = min(_cost(y, s, g, cfn, cfp) for g in grid)
        assert _cost(y, s, t, cfn, cfp) == best


def test_min_cost_threshold_can_predict_nothing():
    y, s = [0, 0, 0, 1], [0.9, 0.8, 0.7, 0.1]
    t = apps.min_cost_threshold(y, s, cost_fn=1, cost_fp=1)
    assert t > 0.9


@pytest.mark.parametrize("kwargs, exc, word", [
    ({"cost_fn": 0, "cost_fp": 1}, ValueError, "cost_fn"),
    ({"cost_fn": 1, "cost_fp": -2}, ValueError, "cost_fp"),
    ({"cost_fn": "1", "cost_fp": 1}, TypeError, "cost_fn"),
])
def test_min_cost_threshold_bad_costs(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        apps.min_cost_threshold([0, 1], [0.1, 0.2], **kwargs)


# ---------------------------------------------------------------- perturb_images


def test_perturb_images_zero_shift_no_noise_is_identity():
    x = np.random.default_rng(0).random((5, 8, 8, 1)).astype(np.float32)
    np.testing.assert_array_equal(apps.perturb_images(x, max_shift=0), x)


def test_perturb_images_shifts_pixels_and_keeps_range():
    x = np.zeros((200, 8, 8), np.float32)
    x[:, 4, 4] = 1.0
    out = apps.perturb_images(x, max_shift=2, seed=3)
    assert out.shape == x.shape
    pos = np.argwhere(out == 1.0)[:, 1:]
    assert np.all(np.abs(pos - 4) <= 2)
    assert len({tuple(p) for p in pos}) > 10  # different images move differently
    noisy = apps.perturb_images(x, max_shift=1, noise_std=0.5, seed=3)
    assert noisy.min() >= 0.0 and noisy.max() <= 1.0
    np.testing.assert_array_equal(noisy, apps.perturb_images(x, max_shift=1, noise_std=0.5,
                                                             seed=3))


@pytest.mark.parametrize("kwargs, exc, word", [
    ({"images": np.zeros((8, 8))}, ValueError, "images"),
    ({"images": np.zeros((2, 8, 8)), "max_shift": -1}, ValueError, "max_shift"),
    ({"images": np.zeros((2, 8, 8)), "max_shift": 8}, ValueError, "max_shift"),
    ({"images": np.zeros((2, 8, 8)), "max_shift": 1.5}, TypeError, "max_shift"),
    ({"images": np.zeros((2, 8, 8)), "noise_std": -0.1}, ValueError, "noise_std"),
    ({"images": np.zeros((2, 8, 8)), "noise_std": None}, TypeError, "noise_std"),
])
def test_perturb_images_bad_input(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        apps.perturb_images(**kwargs)



def test_perturb_images_bad_seed():
    with pytest.raises(ValueError, match="seed"):
        apps.perturb_images(np.zeros((2, 8, 8)), seed=-1)


# ------------------------------------------------------------------ hard_vote, soft_vote


def test_hard_vote_is_the_share_of_positive_votes():
    p = [[0.9, 0.4, 0.6], [0.1, 0.2, 0.5], [0.3, 0.2, 0.1], [0.5, 0.5, 0.5]]
    np.testing.assert_allclose(apps.hard_vote(p), [2 / 3, 1 / 3, 0.0, 1.0])
    np.testing.assert_allclose(apps.hard_vote(p, threshold=0.55), [2 / 3, 0, 0, 0])
    # a majority of three = at least two votes
    assert list(apps.hard_vote(p) > 0.5) == [True, False, False, True]


def test_hard_vote_takes_at_most_members_plus_one_values():
    rng = np.random.default_rng(0)
    shares = apps.hard_vote(rng.uniform(size=(200, 3)))
    assert set(np.round(shares * 3).astype(int)) <= {0, 1, 2, 3}


def test_soft_vote_is_the_weighted_mean():
    p = np.array([[0.9, 0.3, 0.6], [0.0, 1.0, 0.5]])
    np.testing.assert_allclose(apps.soft_vote(p), p.mean(axis=1))
    np.testing.assert_allclose(apps.soft_vote(p, [2, 0, 2]), [0.75, 0.25])
    np.testing.assert_allclose(apps.soft_vote(p, [1, 1, 1]), p.mean(axis=1))


@pytest.mark.parametrize("bad", [[0.1, 0.2], [[]], [[0.5, 1.2]], [[np.nan, 0.5]],
                                 [[-0.1, 0.5]]])
def test_votes_reject_bad_probabilities(bad):
    with pytest.raises(ValueError, match="probabilities"):
        apps.hard_vote(bad)
    with pytest.raises(ValueError, match="probabilities"):
        apps.soft_vote(bad)


def test_votes_reject_bad_threshold_and_weights():
    p = [[0.2, 0.8]]
    with pytest.raises(ValueError, match="threshold"):
        apps.hard_vote(p, threshold=1.5)
    with pytest.raises(TypeError, match="threshold"):
        apps.hard_vote(p, threshold="0.5")
    for w in ([1.0], [1.0, -1.0], [0.0, 0.0], [1.0, np.inf]):
        with pytest.raises(ValueError, match="weights"):
            apps.soft_vote(p, w)

"""scalekit.metrics against scikit-learn on many random label draws, and bad input."""

import warnings

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.exceptions import UndefinedMetricWarning as SkWarning

from scalekit import metrics

DRAWS = 200
ZERO_DIVISIONS = ["warn", 0.0, 1.0, np.nan]


def _draw(rng: np.random.Generator, k_max: int = 6):
    """Random labels, often with a class never predicted or never present."""
    n = int(rng.integers(1, 60))
    k = int(rng.integers(2, k_max + 1))
    p = rng.dirichlet(np.full(k, 0.5))
    y_true = rng.choice(k, size=n, p=p)
    q = rng.dirichlet(np.full(k, 0.5))
    noisy = rng.choice(k, size=n, p=q)
    keep = rng.random(n) < rng.random()        # a random mix of correct and random guesses
    return y_true, np.where(keep, y_true, noisy)


def _close(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and np.allclose(a, b, rtol=0, atol=1e-12, equal_nan=True)


OURS = {"precision": metrics.precision, "recall": metrics.recall, "f1": metrics.f1}
THEIRS = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score}


@pytest.mark.parametrize("average", ["macro", "micro", None])
@pytest.mark.parametrize("name", sorted(OURS))
def test_multiclass_matches_sklearn(name, average):
    rng = np.random.default_rng(hash((name, str(average))) % 2**32)
    for _ in range(DRAWS):
        y_true, y_pred = _draw(rng)
        zd = ZERO_DIVISIONS[int(rng.integers(len(ZERO_DIVISIONS)))]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = OURS[name](y_true, y_pred, average=average, zero_division=zd)
            theirs = THEIRS[name](y_true, y_pred, average=average, zero_division=zd)
        assert _close(ours, theirs), (name, average, zd, y_true, y_pred, ours, theirs)


@pytest.mark.parametrize("name", sorted(OURS))
def test_binary_matches_sklearn(name):
    rng = np.random.default_rng(len(name))
    for _ in range(DRAWS):
        y_true, y_pred = _draw(rng, k_max=2)
        pos = int(rng.integers(2))
        if pos not in np.concatenate([y_true, y_pred]) and len(np.unique(
                np.concatenate([y_true, y_pred]))) == 2:
            continue
        zd = ZERO_DIVISIONS[int(rng.integers(len(ZERO_DIVISIONS)))]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = OURS[name](y_true, y_pred, pos_label=pos, zero_division=zd)
            theirs = THEIRS[name](y_true, y_pred, pos_label=pos, zero_division=zd)
        assert _close(ours, theirs), (name, zd, pos, y_true, y_pred, ours, theirs)


def test_accuracy_and_confusion_matrix_match_sklearn():
    rng = np.random.default_rng(7)
    for _ in range(DRAWS):
        y_true, y_pred = _draw(rng)
        assert metrics.accuracy(y_true, y_pred) == pytest.approx(
            skm.accuracy_score(y_true, y_pred), abs=1e-15)
        np.testing.assert_array_equal(metrics.confusion_matrix(y_true, y_pred),
                                      skm.confusion_matrix(y_true, y_pred))
        labels = np.unique(np.append(rng.permutation(7)[: int(rng.integers(0, 7))], y_true[0]))
        np.testing.assert_array_equal(metrics.confusion_matrix(y_true, y_pred, labels=labels),
                                      skm.confusion_matrix(y_true, y_pred, labels=labels))


def test_string_labels():
    y_true = ["cat", "dog", "dog", "pig"]
    y_pred = ["cat", "cat", "dog", "dog"]
    np.testing.assert_array_equal(metrics.confusion_matrix(y_true, y_pred),
                                  skm.confusion_matrix(y_true, y_pred))
    assert metrics.f1(y_true, y_pred, average="macro", zero_division=0) == pytest.approx(
        skm.f1_score(y_true, y_pred, average="macro", zero_division=0))


def test_micro_equals_accuracy_for_single_label_multiclass():
    rng = np.random.default_rng(3)
    y_true, y_pred = rng.integers(0, 5, 200), rng.integers(0, 5, 200)
    acc = metrics.accuracy(y_true, y_pred)
    for fn in OURS.values():
        assert fn(y_true, y_pred, average="micro") == pytest.approx(acc)


def test_no_predicted_positives_warns_and_returns_zero():
    y_true, y_pred = [1, 0, 1, 0], [0, 0, 0, 0]
    with pytest.warns(metrics.UndefinedMetricWarning, match="Precision"):
        assert metrics.precision(y_true, y_pred) == 0.0
    with pytest.warns(SkWarning):
        assert skm.precision_score(y_true, y_pred) == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")                       # a chosen value is silent
        assert metrics.precision(y_true, y_pred, zero_division=1.0) == 1.0
        assert np.isnan(metrics.precision(y_true, y_pred, zero_division=np.nan))
        # F1 is defined here (2tp + fp + fn = 2 > 0): 0, and no warning
        assert metrics.f1(y_true, y_pred) == 0.0
    with pytest.warns(metrics.UndefinedMetricWarning, match="F1"):
        assert metrics.f1([0, 0], [0, 0]) == 0.0


def test_scores():
    r = metrics.scores([0, 1, 1, 0], [0, 1, 0, 0])
    assert r == pytest.approx({"accuracy": 0.75, "precision": 1.0, "recall": 0.5, "f1": 2 / 3})
    with pytest.raises(ValueError, match="average"):
        metrics.scores([0, 1], [0, 1], average=None)


@pytest.mark.parametrize("call, err, match", [
    (lambda: metrics.accuracy([0, 1, 1], [0, 1]), ValueError, "same length"),
    (lambda: metrics.accuracy([], []), ValueError, "y_true must not be empty"),
    (lambda: metrics.f1([1, 0], [], average="macro"), ValueError, "y_pred must not be empty"),
    (lambda: metrics.confusion_matrix([[0, 1]], [[0, 1]]), ValueError, "y_true must be a 1-D"),
    (lambda: metrics.precision([0.5, 1.0], [0.5, 1.0]), TypeError, "y_true"),
    (lambda: metrics.precision([0, 1, 2], [0, 1, 2]), ValueError, "binary"),
    (lambda: metrics.recall([0, 1], [0, 1], pos_label=2), ValueError, "pos_label"),
    (lambda: metrics.f1([0, 1], [0, 1], average="weighted"), ValueError, "average"),
    (lambda: metrics.f1([0, 1], [0, 1], zero_division=0.5), ValueError, "zero_division"),
    (lambda: metrics.f1([0, 1], [0, 1], zero_division="zero"), ValueError, "zero_division"),
    (lambda: metrics.f1([0, 1], [0, 1], zero_division=None), TypeError, "zero_division"),
    (lambda: metrics.confusion_matrix([0, 1], [0, 1], labels=[0, 0]), ValueError, "labels"),
    (lambda: metrics.confusion_matrix([0, 1], [0, 1], labels=[]), ValueError, "labels"),
    (lambda: metrics.recall([0, 1], [0, 1], average="macro", labels=[]), ValueError, "labels"),
    (lambda: metrics.scores([0, 1], [0, 1], average=None), ValueError, "average"),
    (lambda: metrics.scores([0, 1], [0, 1], zero_division=2.0), ValueError, "zero_division"),
])
def test_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call()

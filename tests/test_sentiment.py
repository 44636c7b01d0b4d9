import numpy as np
import pytest

from scalekit import sentiment


def test_review_labels_follow_the_rules():
    assert sentiment.review("plot", "good") == ("the plot was good", 1)
    assert sentiment.review("plot", "good", negator="not") == ("the plot was not good", 0)
    assert sentiment.review("cast", "dull", verb="seemed", negator="never",
                            intensifier="very") == ("the cast seemed never very dull", 1)
    assert sentiment.review("plot", "dull", intensifier="truly")[1] == 0


@pytest.mark.parametrize("kwargs, match", [
    ({"subject": "movie", "adjective": "good"}, "subject"),
    ({"subject": "plot", "adjective": "okay"}, "adjective"),
    ({"subject": "plot", "adjective": "good", "negator": "no"}, "negator"),
    ({"subject": "plot", "adjective": "good", "verb": "looks"}, "verb"),
    ({"subject": "plot", "adjective": "good", "intensifier": "so"}, "intensifier")])
def test_review_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        sentiment.review(**kwargs)


def test_make_reviews_distinct_seeded_and_labelled_by_the_rules():
    r = sentiment.make_reviews(800, 300, seed=2)
    assert len(r.train_text) == 800 and len(r.test_label) == 300
    assert len(set(r.train_text) | set(r.test_text)) == 1100
    assert set(r.train_kind) == set(sentiment.KINDS)
    for text, label, kind in zip(r.test_text, r.test_label, r.test_kind, strict=True):
        words = text.split()
        if kind == "contrast":
            assert "but" in words
            assert words[1] != words[words.index("but") + 2]   # two different subjects
            last = words[-1]
            assert label == int(last in sentiment.POSITIVE)
        else:
            negated = kind == "negated"
            assert negated == bool({"not", "never"} & set(words))
            assert label == int((words[-1] in sentiment.POSITIVE) != negated)
    assert 0.3 < r.train_label.mean() < 0.7
    again = sentiment.make_reviews(800, 300, seed=2)
    assert again.test_text == r.test_text
    assert sentiment.make_reviews(800, 300, seed=3).test_text != r.test_text


def test_contrast_swaps_keep_the_bag_and_flip_the_label():
    a = "the plot was good but the acting was dull"
    b = "the plot was dull but the acting was good"
    assert sorted(a.split()) == sorted(b.split())
    ids = sentiment.encode([a, b])
    assert sorted(ids[0]) == sorted(ids[1]) and ids.shape == (2, 9)


@pytest.mark.parametrize("kwargs, err, match", [
    ({"n_train": 0, "n_test": 5}, ValueError, "n_train"),
    ({"n_train": 5, "n_test": 1.5}, TypeError, "n_test"),
    ({"n_train": 5, "n_test": 5, "shares": (0.5, 0.5)}, ValueError, "shares"),
    ({"n_train": 5, "n_test": 5, "shares": (0.5, 0.6, 0.1)}, ValueError, "sum to 1"),
    ({"n_train": 5, "n_test": 5, "shares": (-0.1, 0.6, 0.5)}, ValueError, r"shares\[0\]"),
    ({"n_train": 4000, "n_test": 5, "shares": (1, 0, 0)}, ValueError, "distinct")])
def test_make_reviews_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        sentiment.make_reviews(**kwargs)


def test_encode_pads_on_the_left():
    ids = sentiment.encode(["the plot was good", "the plot was not very good"], 8)
    assert ids.shape == (2, 8) and ids.dtype == np.int32
    assert (ids[0, :4] == 0).all() and (ids[0, 4:] > 0).all()
    assert ids[0, -1] == sentiment.WORDS.index("good") + 1


@pytest.mark.parametrize("args, err, match", [
    (("the plot was good",), TypeError, "texts"),
    (([],), ValueError, "texts"),
    ((["the plot was okay"],), ValueError, "okay"),
    (([7],), TypeError, r"texts\[0\]"),
    ((["the plot was good"], 2), ValueError, "length")])
def test_encode_bad_input(args, err, match):
    with pytest.raises(err, match=match):
        sentiment.encode(*args)

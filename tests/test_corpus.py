import numpy as np
import pytest

from scalekit import corpus as corpus_mod
from scalekit.data import VOCAB


@pytest.fixture(scope="module")
def corpus():
    return corpus_mod.load_corpus(context=8, heldout_windows=512, seed=0,
                                  max_train_chars=200_000)


def test_load_corpus(corpus):
    assert corpus.heldout_x.shape == (512, 8) and corpus.heldout_y.shape == (512,)
    assert corpus.train_ids.dtype == np.int32 and len(corpus.train_ids) == 200_000
    assert corpus.context == 8
    # unigram cross-entropy of source code: well below log(97) = 4.57 nats, above 2
    assert 2.0 < corpus.unigram_entropy < np.log(len(VOCAB))


def test_heldout_windows_follow_the_seed(corpus):
    again = corpus_mod.load_corpus(context=8, heldout_windows=512, seed=0,
                                   max_train_chars=200_000)
    other = corpus_mod.load_corpus(context=8, heldout_windows=512, seed=1,
                                   max_train_chars=200_000)
    assert np.array_equal(again.heldout_x, corpus.heldout_x)
    assert not np.array_equal(other.heldout_x, corpus.heldout_x)


@pytest.mark.parametrize("kwargs, err, match", [
    ({"heldout_windows": 0}, ValueError, "heldout_windows"),
    ({"context": 0}, ValueError, "context"),
    ({"context": 2.5}, TypeError, "context"),
    ({"seed": -1}, ValueError, "seed"),
    ({"max_train_chars": 0}, ValueError, "max_train_chars"),
    ({"max_train_chars": 10}, ValueError, "max_train_chars")])
def test_load_corpus_bad_input(kwargs, err, match):
    with pytest.raises(err, match=match):
        corpus_mod.load_corpus(**kwargs)
